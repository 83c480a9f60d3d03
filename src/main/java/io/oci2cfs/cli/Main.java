package io.oci2cfs.cli;

import io.oci2cfs.error.ErrorText;
import io.oci2cfs.error.FailureKind;
import io.oci2cfs.store.ExitCleanup;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * Entry point: {@code oci2cfs COMMAND ...}. Errors are one line on stderr and a non-zero exit whose code says
 * the kind of failure ({@link FailureKind}): 2 usage, 3 bad input, 4 a tree composefs cannot hold, 5 the
 * environment (disk, permissions, kernel, network), 70 a defect of oci2cfs.
 */
@Command(name = "oci2cfs", mixinStandardHelpOptions = true, version = "oci2cfs 0.1.0",
        description = "Turns container images into composefs images and a content-addressed object store.",
        subcommands = {ConvertCommand.class, BatchCommand.class, MaintenanceCommands.GcCommand.class,
            MaintenanceCommands.FsckCommand.class, MkcomposefsCommand.class, InfoCommand.class,
            MountCommand.Mount.class, MountCommand.Umount.class, SigningCommands.Sign.class,
            SigningCommands.Verify.class, SealCommands.Seal.class, SealCommands.VerifySeal.class})
public final class Main implements Runnable {
    /**
     * reactor-netty logs every broken connection with a stack trace; the registry client retries, resumes and
     * reports failures in one line itself. Held here because java.util.logging keeps loggers weakly.
     */
    private static final java.util.logging.Logger NETTY_LOG = java.util.logging.Logger.getLogger("reactor.netty");

    static {
        reactor.util.Loggers.useJdkLoggers();
        NETTY_LOG.setLevel(java.util.logging.Level.OFF);
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            if (ExitCleanup.exiting()) {
                // Stopped by a signal: the failure is the cleanup deleting files under the running command.
                return 1;
            }
            FailureKind kind = FailureKind.of(e);
            String prefix = kind == FailureKind.INTERNAL ? "internal error (please report it): " : "";
            cmd.getErr().println(cmd.getCommandName() + ": " + prefix + ErrorText.of(e));
            cmd.getErr().flush();
            return kind.exitCode();
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
