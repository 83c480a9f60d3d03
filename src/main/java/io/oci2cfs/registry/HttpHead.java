package io.oci2cfs.registry;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The status and headers of one HTTP response. For a response that is not a success, {@code body} holds its
 * (capped) body, which registries fill with a JSON error list; for a success it is empty and the body streams.
 *
 * @param uri the URL that answered
 * @param headers header names in lowercase
 */
record HttpHead(URI uri, int status, Map<String, List<String>> headers, byte[] body) {
    HttpHead {
        headers = Map.copyOf(headers);
    }

    /** The first value of a header, or null. */
    String header(String name) {
        List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
        return values == null || values.isEmpty() ? null : values.get(0);
    }

    List<String> all(String name) {
        return headers.getOrDefault(name.toLowerCase(Locale.ROOT), List.of());
    }

    boolean success() {
        return status >= 200 && status < 300;
    }

    boolean redirect() {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }
}
