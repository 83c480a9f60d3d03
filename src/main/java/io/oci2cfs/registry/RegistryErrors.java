package io.oci2cfs.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;

/** One-line errors from registry answers (distribution-spec "Error Codes") and from transport failures. */
final class RegistryErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private RegistryErrors() {
    }

    /**
     * The error for an answer that is not a success: {@link RegistryException.Transient} for 408, 429 and 5xx
     * (except Docker Hub's pull quota, which lasts hours), a plain {@link RegistryException} otherwise.
     *
     * @param what what was asked for, e.g. "manifest latest"
     */
    static java.io.IOException status(String label, String what, HttpHead head) {
        int status = head.status();
        List<String> codes = new ArrayList<>();
        String detail = details(head.body(), codes);
        String reason = switch (status) {
            case 401 -> "unauthorized";
            case 403 -> "denied";
            case 404 -> codes.contains("MANIFEST_UNKNOWN") ? "manifest unknown"
                    : codes.contains("BLOB_UNKNOWN") ? "blob unknown"
                    : codes.contains("NAME_UNKNOWN") ? "repository not found" : "not found";
            case 429 -> "too many requests";
            default -> "HTTP " + status;
        };
        boolean redundant = detail.isEmpty() || detail.equalsIgnoreCase(reason);
        String message = label + ": " + what + ": " + reason + (redundant ? "" : " (" + detail + ")");
        if (status == 429 && codes.contains("TOOMANYREQUESTS") && head.header("ratelimit-limit") != null) {
            // Docker Hub's pull quota: waiting seconds does not help (docker/hub-feedback#2093)
            return new RegistryException(message + "; rate limit " + head.header("ratelimit-limit")
                    + ", remaining " + head.header("ratelimit-remaining")
                    + (head.header("docker-ratelimit-source") == null ? ""
                            : ", source " + head.header("docker-ratelimit-source"))
                    + "; log in (--creds or an auth file) for a higher limit");
        }
        if (status == 404) {
            // the reference names nothing there: the input is wrong, not the registry
            return new NotFound(message);
        }
        if (status == 408 || status == 429 || status >= 500) {
            return new RegistryException.Transient(message,
                    RetryPolicy.parseRetryAfter(head.header("retry-after"), Clock.systemUTC()));
        }
        return new RegistryException(message);
    }

    /** A 404: the reference names nothing there, so the input is wrong (or, for a lookup, simply absent). */
    static final class NotFound extends io.oci2cfs.image.ImageException {
        private static final long serialVersionUID = 1L;

        NotFound(String message) {
            super(message);
        }
    }

    /** The {@code errors[].message} texts of a registry's JSON error body, with their codes collected. */
    private static String details(byte[] body, List<String> codes) {
        if (body == null || body.length == 0) {
            return "";
        }
        try {
            JsonNode json = JSON.readTree(body);
            JsonNode errors = json == null ? null : json.get("errors");
            if (errors == null || !errors.isArray()) {
                return "";
            }
            List<String> texts = new ArrayList<>();
            for (JsonNode e : errors) {
                String code = e.path("code").asText("");
                codes.add(code);
                String text = e.path("message").asText("");
                texts.add(text.isEmpty() ? code : text);
            }
            return String.join("; ", texts).replace('\n', ' ');
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** The error for a transport failure talking to {@code host}; network failures stay worth a retry. */
    static RegistryException transport(String label, String host, Throwable t) {
        if (t instanceof RegistryException r) {
            return r;
        }
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            // a proxy's refusal reaches us wrapped in the TLS handler's failure, which would blame certificates
            if (c instanceof io.netty.handler.proxy.ProxyConnectException p) {
                return new RegistryException(label + ": the proxy refused the tunnel to " + host + ": " + message(p)
                        + (message(p).contains(" 407 ") ? " (check the user and password in the HTTPS_PROXY or"
                        + " HTTP_PROXY URL)" : ""), t);
            }
        }
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root && !(root instanceof SSLException)) {
            root = root.getCause();
        }
        if (t instanceof SSLException || root instanceof SSLException) {
            return new RegistryException(label + ": TLS failure talking to " + host + ": " + message(root)
                    + "; if the registry uses a private CA, pass --cert-dir DIR with its CA certificate (or put it"
                    + " in /etc/containers/certs.d/" + host + "/), or use --tls-verify=false", t);
        }
        if (root instanceof ConnectException && String.valueOf(root.getMessage()).contains("refused")) {
            return new RegistryException.Interrupted(label + ": connection refused by " + host, t);
        }
        if (root instanceof UnknownHostException) {
            return new RegistryException(label + ": unknown host " + host, t);
        }
        if (t instanceof TimeoutException || root instanceof io.netty.handler.timeout.ReadTimeoutException) {
            return new RegistryException.Interrupted(label + ": " + host + " sent nothing in time", t);
        }
        if (root instanceof ClosedChannelException || root instanceof java.io.IOException
                || t instanceof reactor.netty.http.client.PrematureCloseException) {
            return new RegistryException.Interrupted(label + ": connection to " + host + " failed: " + message(root), t);
        }
        return new RegistryException(label + ": talking to " + host + ": " + message(root), t);
    }

    private static String message(Throwable t) {
        String m = t.getMessage();
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m.replace('\n', ' ');
    }

    /** Whether trying again may help: transient answers and network failures. */
    static boolean retryable(Throwable t) {
        return t instanceof RegistryException.Transient || t instanceof RegistryException.Interrupted;
    }
}
