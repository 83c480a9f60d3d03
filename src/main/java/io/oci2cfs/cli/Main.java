package io.oci2cfs.cli;

/** Placeholder entry point until the command line lands. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        System.err.println("oci2cfs: no command yet");
        System.exit(2);
    }
}
