package io.oci2cfs.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The process that made a staging directory or a temporary output, as written into their names: its id and
 * its start time in clock ticks since boot (field 22 of {@code /proc/PID/stat}, proc(5)). A process id alone
 * is reused; the pair names one process for as long as the system runs.
 *
 * @param startTicks 0 when {@code /proc} could not tell
 */
public record Owner(long pid, long startTicks) {
    private static final Path PROC = Path.of("/proc");
    private static final Owner CURRENT = new Owner(ProcessHandle.current().pid(),
            startTicks(ProcessHandle.current().pid()));

    /** This process. */
    public static Owner current() {
        return CURRENT;
    }

    /** As it appears in names: {@code PID-STARTTICKS}. */
    public String tag() {
        return pid + "-" + startTicks;
    }

    /**
     * Whether this process still runs. Without a readable {@code /proc} nothing can be known, and every owner
     * counts as alive: nothing is ever removed on a guess. A process of another PID namespace (a container
     * sharing the store) looks dead from here; the owner lock ({@link StrayFiles}) covers that case.
     */
    public boolean alive() {
        if (!Files.isReadable(PROC.resolve("self/stat")) || startTicks == 0) {
            return true;
        }
        if (pid == CURRENT.pid) {
            return startTicks == CURRENT.startTicks;
        }
        return startTicks(pid) == startTicks;
    }

    /** Field 22 of {@code /proc/PID/stat}; 0 when the process does not exist or {@code /proc} cannot say. */
    static long startTicks(long pid) {
        try {
            String stat = Files.readString(PROC.resolve(pid + "/stat"), StandardCharsets.ISO_8859_1);
            // The second field is the command name in parentheses, which may itself hold spaces and ')'.
            String[] after = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Long.parseLong(after[22 - 3]);
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
