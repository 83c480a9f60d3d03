package io.oci2cfs.registry;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One {@code WWW-Authenticate} challenge (RFC 7235 section 4.1): a scheme and its parameters, e.g.
 * {@code Bearer realm="https://auth.example/token",service="registry",scope="repository:a/b:pull"}. A
 * response may carry several headers, and one header several challenges.
 *
 * @param scheme lowercase: {@code bearer}, {@code basic}, ...
 * @param params parameter names in lowercase
 */
record Challenge(String scheme, Map<String, String> params) {
    Challenge {
        params = Map.copyOf(params);
    }

    String param(String name) {
        return params.get(name);
    }

    boolean is(String name) {
        return scheme.equals(name);
    }

    /** Parses every challenge in every given header value; what cannot be parsed is skipped. */
    static List<Challenge> parseAll(List<String> headerValues) {
        List<Challenge> out = new ArrayList<>();
        for (String value : headerValues) {
            new Parser(value).challenges(out);
        }
        return out;
    }

    /** The first challenge of {@code scheme}, or null. */
    static Challenge find(List<Challenge> challenges, String scheme) {
        return challenges.stream().filter(c -> c.is(scheme)).findFirst().orElse(null);
    }

    private static final class Parser {
        private final String s;
        private int i;

        Parser(String s) {
            this.s = s;
        }

        void challenges(List<Challenge> out) {
            while (true) {
                skip(", \t");
                String scheme = token();
                if (scheme.isEmpty()) {
                    return;
                }
                Map<String, String> params = new LinkedHashMap<>();
                while (true) {
                    skip(" \t");
                    int mark = i;
                    String name = token();
                    skip(" \t");
                    if (name.isEmpty() || i >= s.length() || s.charAt(i) != '=') {
                        // the next challenge's scheme (or token68 credentials, which registries do not use)
                        i = mark;
                        break;
                    }
                    i++;
                    skip(" \t");
                    params.put(name.toLowerCase(Locale.ROOT), value());
                    skip(" \t");
                    if (i < s.length() && s.charAt(i) == ',') {
                        i++;
                    }
                }
                out.add(new Challenge(scheme.toLowerCase(Locale.ROOT), params));
            }
        }

        private String value() {
            if (i < s.length() && s.charAt(i) == '"') {
                StringBuilder b = new StringBuilder();
                i++;
                while (i < s.length() && s.charAt(i) != '"') {
                    char c = s.charAt(i++);
                    if (c == '\\' && i < s.length()) {
                        c = s.charAt(i++);
                    }
                    b.append(c);
                }
                i++;
                return b.toString();
            }
            return token();
        }

        private String token() {
            int start = i;
            while (i < s.length() && "\t ,=\"".indexOf(s.charAt(i)) < 0) {
                i++;
            }
            return s.substring(start, i);
        }

        private void skip(String chars) {
            while (i < s.length() && chars.indexOf(s.charAt(i)) >= 0) {
                i++;
            }
        }
    }
}
