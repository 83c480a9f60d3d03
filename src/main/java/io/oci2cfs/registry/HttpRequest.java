package io.oci2cfs.registry;

import java.net.URI;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One request to send, unchanged across redirects except for its URL.
 *
 * @param headers sent to every hop (never {@code Authorization}: see {@link #authorization})
 * @param authorization the {@code Authorization} value, sent only to {@code authOrigin}, or null
 * @param authOrigin the origin ({@code scheme://host:port}) the credential belongs to
 * @param body the body (a token form, a manifest, a blob), or null
 * @param bodyFile a file sent as the body instead (a layer blob), or null
 */
record HttpRequest(String method, URI uri, Map<String, String> headers, String authorization, String authOrigin,
        byte[] body, java.nio.file.Path bodyFile) {
    HttpRequest {
        headers = Map.copyOf(headers);
    }

    static HttpRequest get(URI uri) {
        return new HttpRequest("GET", uri, Map.of(), null, null, null, null);
    }

    HttpRequest withHeader(String name, String value) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put(name, value);
        return new HttpRequest(method, uri, h, authorization, authOrigin, body, bodyFile);
    }

    HttpRequest withAuthorization(String value, String origin) {
        return new HttpRequest(method, uri, headers, value, origin, body, bodyFile);
    }

    HttpRequest withUri(URI next) {
        return new HttpRequest(method, next, headers, authorization, authOrigin, body, bodyFile);
    }

    HttpRequest asHead() {
        return new HttpRequest("HEAD", uri, headers, authorization, authOrigin, null, null);
    }

    HttpRequest asPost(byte[] form) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Type", "application/x-www-form-urlencoded");
        return new HttpRequest("POST", uri, h, authorization, authOrigin, form, null);
    }

    /** This request as {@code method} with {@code body} (null for none) of type {@code contentType}. */
    HttpRequest as(String method, byte[] body, String contentType) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        if (contentType != null) {
            h.put("Content-Type", contentType);
        }
        return new HttpRequest(method, uri, h, authorization, authOrigin, body, null);
    }

    /** This request as {@code method} sending the file {@code body} of {@code size} bytes. */
    HttpRequest as(String method, java.nio.file.Path body, long size, String contentType) {
        Map<String, String> h = new LinkedHashMap<>(headers);
        h.put("Content-Type", contentType);
        h.put("Content-Length", Long.toString(size));
        return new HttpRequest(method, uri, h, authorization, authOrigin, null, body);
    }

    /** {@code scheme://host:port} with the scheme's default port filled in. */
    static String origin(URI uri) {
        int port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equals("https") ? 443 : 80;
        return uri.getScheme().toLowerCase(java.util.Locale.ROOT) + "://"
                + uri.getHost().toLowerCase(java.util.Locale.ROOT) + ":" + port;
    }
}
