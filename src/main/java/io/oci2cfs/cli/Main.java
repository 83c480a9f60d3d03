package io.oci2cfs.cli;

import io.oci2cfs.convert.ErrorText;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code oci2cfs COMMAND ...}. Errors are one line on stderr and a non-zero exit. */
@Command(name = "oci2cfs", mixinStandardHelpOptions = true, version = "oci2cfs 0.1.0",
        description = "Turns container images into composefs images and a content-addressed object store.",
        subcommands = {ConvertCommand.class, BatchCommand.class, MaintenanceCommands.GcCommand.class,
            MaintenanceCommands.FsckCommand.class, MkcomposefsCommand.class, InfoCommand.class,
            MountCommand.Mount.class, MountCommand.Umount.class})
public final class Main implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args));
    }

    public static int run(String... args) {
        CommandLine cl = new CommandLine(new Main());
        cl.setExecutionExceptionHandler((e, cmd, parsed) -> {
            cmd.getErr().println(cmd.getCommandName() + ": " + ErrorText.of(e));
            cmd.getErr().flush();
            return 1;
        });
        return cl.execute(args);
    }

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is required");
    }
}
