package io.oci2cfs.batch;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ProgressBarTest {
    @Test
    void drawsTheOverallBarAndTheRunningJobsAndPrintsFailuresAboveThem() {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        ProgressBar bar = new ProgressBar(new PrintStream(buf, true, StandardCharsets.UTF_8), 2);
        Job a = Job.of(0, "oci:/images/a", Path.of("a.cfs"));
        Job b = Job.of(1, "oci:/images/b", Path.of("b.cfs"));
        bar.started(a);
        bar.started(b);
        String twoRunning = buf.toString(StandardCharsets.UTF_8);
        assertThat(twoRunning).contains("[..............................] 0/2 jobs, 0.0 MB read\n  oci:/images/a\n  oci:/images/b");
        bar.finished(new JobResult(a, JobResult.Status.CONVERTED, null, "sha256:x", "ab", 3, 1, 0, 10, 10, 0,
                5_000_000, 1.0));
        bar.finished(JobResult.failed(b, "oci:/images/b: no such file", 0.1));
        bar.close();
        String all = buf.toString(StandardCharsets.UTF_8);
        assertThat(all).contains("[###############...............] 1/2 jobs, 5.0 MB read\n  oci:/images/b")
                .contains("failed: oci:/images/b: no such file\n")
                .contains("[##############################] 2/2 jobs, 5.0 MB read");
        // Each redraw first moves up over the lines of the running jobs and clears them.
        assertThat(all).contains("\033[1A\033[2K");
    }
}
