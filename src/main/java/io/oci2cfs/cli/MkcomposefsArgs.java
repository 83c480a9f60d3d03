package io.oci2cfs.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The arguments of a plain {@code oci2cfs mkcomposefs} run, read without picocli. Loading picocli and building
 * its model of a command from annotations (class initialisation, annotation proxies, reflection, all in
 * interpreted code) costs more CPU than mkcomposefs 1.0.8 needs for a whole image, and scripts call
 * mkcomposefs in loops. Only the well-formed common case is read here: anything else (help, an unknown or
 * repeated option, a missing or extra operand, {@code --}, {@code @file}, a value picocli would refuse) returns
 * null and goes to picocli, which says what is wrong exactly as before.
 */
final class MkcomposefsArgs {
    /** The flags of {@link MkcomposefsCommand} and {@link ImageOptions}; {@code MkcomposefsArgsTest} keeps them in step. */
    static final List<String> FLAGS = List.of("--from-file", "--print-digest-only", "--hardlinks", "--print-digest",
            "--use-epoch", "--skip-devices", "--skip-xattrs", "--user-xattrs");
    /** The options that take a value. */
    static final List<String> VALUED = List.of("--digest-store", "--min-version", "--max-version", "--threads");

    private MkcomposefsArgs() {
    }

    /** The command with these arguments (the first is {@code mkcomposefs}), or null to leave them to picocli. */
    static MkcomposefsCommand parse(String[] args) {
        if (args.length < 2 || !args[0].equals("mkcomposefs")) {
            return null;
        }
        MkcomposefsCommand c = new MkcomposefsCommand();
        c.common = new ImageOptions();
        Set<String> seen = new HashSet<>();
        int operands = 0;
        try {
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                if (a.isEmpty() || a.startsWith("@")) {
                    return null;
                }
                if (!a.startsWith("-") || a.equals("-")) {
                    if (operands == 0) {
                        c.source = a;
                    } else if (operands == 1) {
                        c.image = a;
                    } else {
                        return null;
                    }
                    operands++;
                    continue;
                }
                int eq = a.indexOf('=');
                String name = eq < 0 ? a : a.substring(0, eq);
                if (!seen.add(name)) {
                    return null;
                }
                if (FLAGS.contains(name)) {
                    if (eq >= 0) {
                        return null;
                    }
                    setFlag(c, name);
                    continue;
                }
                if (!VALUED.contains(name)) {
                    return null;
                }
                String value;
                if (eq >= 0) {
                    value = a.substring(eq + 1);
                } else if (i + 1 < args.length) {
                    value = args[++i];
                } else {
                    return null;
                }
                if (value.isEmpty() || value.startsWith("-") || value.startsWith("@")) {
                    return null;
                }
                setValue(c, name, value);
            }
        } catch (NumberFormatException | InvalidPathException e) {
            return null;
        }
        return operands == 0 ? null : c;
    }

    private static void setFlag(MkcomposefsCommand c, String name) {
        switch (name) {
            case "--from-file" -> c.fromFile = true;
            case "--print-digest-only" -> c.printDigestOnly = true;
            case "--hardlinks" -> c.hardlinks = true;
            case "--print-digest" -> c.common.printDigest = true;
            case "--use-epoch" -> c.common.useEpoch = true;
            case "--skip-devices" -> c.common.skipDevices = true;
            case "--skip-xattrs" -> c.common.skipXattrs = true;
            case "--user-xattrs" -> c.common.userXattrs = true;
            default -> throw new IllegalArgumentException(name);
        }
    }

    /** Plain decimal only: signs, leading zeros (octal to some converters) and hex are picocli's to judge. */
    private static Integer number(String value) {
        if (value.length() > 9 || (value.length() > 1 && value.charAt(0) == '0')) {
            throw new NumberFormatException(value);
        }
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) < '0' || value.charAt(i) > '9') {
                throw new NumberFormatException(value);
            }
        }
        return Integer.valueOf(value);
    }

    private static void setValue(MkcomposefsCommand c, String name, String value) {
        switch (name) {
            case "--digest-store" -> c.digestStore = Path.of(value);
            case "--min-version" -> c.common.minVersion = number(value);
            case "--max-version" -> c.common.maxVersion = number(value);
            case "--threads" -> c.common.threads = number(value);
            default -> throw new IllegalArgumentException(name);
        }
    }
}
