package io.oci2cfs.registry;

import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Shows the {@code Warning: 299 - "text"} headers a registry sends (distribution-spec "Warnings": clients
 * should show them to the user), each distinct text once per client, however many responses carry it.
 */
final class RegistryWarnings {
    /** RFC 7234 5.5: warn-code SP warn-agent SP warn-text, several per header separated by commas. */
    private static final Pattern WARNING = Pattern.compile("(\\d{3})\\s+\\S+\\s+\"((?:[^\"\\\\]|\\\\.)*)\"");

    private final PrintStream out;
    private final Set<String> shown = ConcurrentHashMap.newKeySet();

    RegistryWarnings(PrintStream out) {
        this.out = out;
    }

    void show(URI from, List<String> headers) {
        if (headers == null) {
            return;
        }
        for (String header : headers) {
            Matcher m = WARNING.matcher(header);
            while (m.find()) {
                String text = m.group(2).replaceAll("\\\\(.)", "$1");
                if (m.group(1).equals("299") && shown.add(from.getAuthority() + " " + text)) {
                    out.println("warning: " + from.getAuthority() + ": " + text);
                }
            }
        }
    }
}
