package io.oci2cfs.cli;

import io.oci2cfs.error.ErrorText;
import io.oci2cfs.error.FailureKind;
import io.oci2cfs.store.ExitCleanup;
import java.io.BufferedWriter;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.Charset;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point: {@code oci2cfs COMMAND ...}. Errors are one line on stderr and a non-zero exit whose code says
 * the kind of failure ({@link FailureKind}): 2 usage, 3 bad input, 4 a tree composefs cannot hold, 5 the
 * environment (disk, permissions, kernel, network), 70 a defect of oci2cfs.
 */
@Command(name = "oci2cfs", mixinStandardHelpOptions = true, version = "oci2cfs 0.1.0",
        description = "Turns container images into composefs images and a content-addressed object store.")
public final class Main implements Runnable {
    /** The subcommands, in the order the help lists them. */
    private static final List<String> COMMANDS = List.of("convert", "batch", "gc", "fsck", "mkcomposefs", "info",
            "mount", "umount", "sign", "verify", "seal", "verify-seal");

    /**
     * reactor-netty logs every broken connection with a stack trace; the registry client retries, resumes and
     * reports failures in one line itself. Held here because java.util.logging keeps loggers weakly. Set up
     * only on picocli's path: mkcomposefs's own needs no network.
     */
    private static java.util.logging.Logger nettyLog;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        MkcomposefsCommand mkcomposefs = MkcomposefsArgs.parse(args);
        if (mkcomposefs != null) {
            try {
                return mkcomposefs.call();
            } catch (Exception e) {
                return failed(e, "mkcomposefs", stderr());
            }
        }
        quietNetty();
        CommandLine cl = new CommandLine(new Main());
        if (args.length > 0 && COMMANDS.contains(args[0])) {
            // Picocli builds a command's model from its annotations by reflection, mostly in interpreted code;
            // mkcomposefs and info are called in loops, where start-up is most of their time.
            cl.addSubcommand(args[0], command(args[0]));
        } else {
            // Help, version, a missing or unknown command (with picocli's suggestions): all of them.
            for (String name : COMMANDS) {
                cl.addSubcommand(name, command(name));
            }
        }
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> failed(e, cmd.getCommandName(), cmd.getErr()));
        return cl.execute(args);
    }

    private static synchronized void quietNetty() {
        if (nettyLog == null) {
            reactor.util.Loggers.useJdkLoggers();
            nettyLog = java.util.logging.Logger.getLogger("reactor.netty");
            nettyLog.setLevel(java.util.logging.Level.OFF);
        }
    }

    /** Standard error as picocli's {@code getErr()} writes it (in its encoding), for the path without picocli. */
    private static PrintWriter stderr() {
        String name = System.getProperty("sun.stderr.encoding");
        Charset charset = name == null ? Charset.defaultCharset()
                : Charset.forName(name.equalsIgnoreCase("cp65001") ? "UTF-8" : name);
        return new PrintWriter(new BufferedWriter(new OutputStreamWriter(System.err, charset)), true);
    }

    /** Reports a command's failure in one line and returns the exit code of its kind. */
    private static int failed(Exception e, String command, PrintWriter err) {
        if (ExitCleanup.exiting()) {
            // Stopped by a signal: the failure is the cleanup deleting files under the running command.
            return 1;
        }
        FailureKind kind = FailureKind.of(e);
        String prefix = kind == FailureKind.INTERNAL ? "internal error (please report it): " : "";
        err.println(command + ": " + prefix + ErrorText.of(e));
        err.flush();
        return kind.exitCode();
    }

    /** A switch, not a map of constructor references: no lambda classes to spin at start-up. */
    private static Object command(String name) {
        return switch (name) {
            case "convert" -> new ConvertCommand();
            case "batch" -> new BatchCommand();
            case "gc" -> new MaintenanceCommands.GcCommand();
            case "fsck" -> new MaintenanceCommands.FsckCommand();
            case "mkcomposefs" -> new MkcomposefsCommand();
            case "info" -> new InfoCommand();
            case "mount" -> new MountCommand.Mount();
            case "umount" -> new MountCommand.Umount();
            case "sign" -> new SigningCommands.Sign();
            case "verify" -> new SigningCommands.Verify();
            case "seal" -> new SealCommands.Seal();
            case "verify-seal" -> new SealCommands.VerifySeal();
            default -> throw new IllegalArgumentException(name);
        };
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
