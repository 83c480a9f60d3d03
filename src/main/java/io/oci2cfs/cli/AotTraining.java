package io.oci2cfs.cli;

/**
 * The training run behind {@code bin/oci2cfs}'s JDK 25 AOT cache for its short commands. A cache is made from
 * one JVM's run (JEP 483, 514), so the commands that should start fast run here one after the other:
 * {@code mkcomposefs --from-file} writing an image and printing a digest, then {@code info} reading the image.
 *
 * <p>{@code java -XX:AOTCacheOutput=CACHE -cp oci2cfs.jar io.oci2cfs.cli.AotTraining DUMP IMAGE}
 */
public final class AotTraining {
    private AotTraining() {
    }

    public static void main(String[] args) {
        if (args.length != 2) {
            System.err.println("usage: AotTraining DUMP IMAGE");
            System.exit(2);
        }
        String dump = args[0];
        String image = args[1];
        int code = Main.run("mkcomposefs", "--from-file", dump, image);
        code = code != 0 ? code : Main.run("mkcomposefs", "--from-file", dump, "--print-digest-only");
        for (String info : new String[] {"dump", "ls", "objects"}) {
            code = code != 0 ? code : Main.run("info", info, image);
        }
        System.exit(code);
    }
}
