package io.oci2cfs.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.oci2cfs.convert.ConvertOptions;
import io.oci2cfs.convert.ConvertResult;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.image.Platform;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import reactor.core.publisher.Flux;
import reactor.test.StepVerifier;

/** {@code oci2cfs batch} over real umoci and skopeo images and the bundled fixtures. */
class BatchTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    Path tmp;

    @Test
    void convertsEveryJobAsConvertDoesReportsInJobOrderAndGoesOnAfterAFailure() throws Exception {
        UmociImages images = UmociImages.get();
        Path out = Files.createDirectories(tmp.resolve("out"));
        List<String> sources = new ArrayList<>(images.sources());
        sources.add(2, "oci:" + tmp.resolve("no-such-layout"));
        sources.add("oci:oci-fixtures/whiteouts");
        StringBuilder jobs = new StringBuilder("# a comment, then a blank line\n\n");
        for (int i = 0; i < sources.size(); i++) {
            jobs.append(sources.get(i)).append("  ").append(out.resolve("image" + i + ".cfs")).append('\n');
        }
        Path jobsFile = Files.writeString(tmp.resolve("jobs"), jobs);
        Path store = tmp.resolve("objects");
        Path report = tmp.resolve("report.jsonl");

        Proc.Result r = Cli.run("batch", jobsFile.toString(), "--objects", store.toString(), "--report",
                report.toString(), "--jobs", "3", "--platform", "linux/amd64");

        assertThat(r.code()).as(r.stderr()).isEqualTo(1);
        assertThat(r.stderr()).contains("failed: oci:" + tmp.resolve("no-such-layout"))
                .containsPattern("batch: 8 converted, 0 skipped, 1 failed, [0-9.]+ MB new, [0-9.]+ MB reused, [0-9.]+ s");
        List<JsonNode> lines = lines(report);
        assertThat(lines).extracting(l -> l.get("source").asText()).containsExactlyElementsOf(sources);
        Path separate = tmp.resolve("separate-objects");
        for (int i = 0; i < sources.size(); i++) {
            JsonNode l = lines.get(i);
            if (i == 2) {
                assertThat(l.get("status").asText()).isEqualTo("failed");
                assertThat(l.get("error").asText()).contains("no-such-layout");
                assertThat(out.resolve("image2.cfs")).doesNotExist();
                continue;
            }
            assertThat(l.get("status").asText()).as(sources.get(i)).isEqualTo("converted");
            ConvertResult alone = Converter.convert(sources.get(i), tmp.resolve("alone" + i + ".cfs"), separate,
                    options(), InputStream.nullInputStream()).block();
            assertThat(l.get("imageDigest").asText()).as(sources.get(i)).isEqualTo(alone.imageDigest());
            assertThat(l.get("manifestDigest").asText()).startsWith("sha256:").isEqualTo(alone.manifestDigest());
            assertThat(l.get("files").asLong()).isEqualTo(alone.files());
            assertThat(io.oci2cfs.fsverity.FsVerityHasher.hex(io.oci2cfs.linux.FsVerity.measure(
                    out.resolve("image" + i + ".cfs")))).isEqualTo(alone.imageDigest());
        }
        // One store for all, each object once: the same objects as the separate conversions made.
        assertThat(objectNames(store)).isEqualTo(objectNames(separate)).isNotEmpty();
        long stored = storeBytes(store);
        long added = lines.stream().mapToLong(l -> l.get("bytesNew").asLong()).sum();
        long written = lines.stream().mapToLong(l -> l.get("bytesWritten").asLong()).sum();
        long reused = lines.stream().mapToLong(l -> l.get("bytesReused").asLong()).sum();
        // Each object is added by one job (two jobs publishing one object at the same instant may both count it).
        assertThat(added).isGreaterThanOrEqualTo(stored).isLessThanOrEqualTo(written);
        assertThat(reused).as("the apps share their base layer").isPositive();
    }

    @Test
    void aSecondRunSkipsUpToDateImagesWithoutReadingLayersAndForceConvertsAgain() throws Exception {
        UmociImages images = UmociImages.get();
        Path layout = tmp.resolve("layout");
        copyTree(images.layout, layout);
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path jobsFile = Files.writeString(tmp.resolve("jobs"),
                "oci:" + layout + ":app2 " + out.resolve("a.cfs") + "\n"
                + "{\"source\": \"oci:" + layout + ":base\", \"image\": \"" + out.resolve("b.cfs")
                + "\", \"platform\": \"linux/amd64\"}\n");
        Path store = tmp.resolve("objects");
        String[] args = {"batch", jobsFile.toString(), "--objects", store.toString(), "--json"};
        Proc.Result first = Cli.run(args);
        assertThat(first.code()).as(first.stderr()).isZero();
        assertThat(statuses(first)).containsExactly("converted", "converted");
        JsonNode record = JSON.readTree(out.resolve("a.cfs.json").toFile());
        assertThat(record.get("manifestDigest").asText()).isEqualTo(lines(first).get(0).get("manifestDigest").asText());
        assertThat(record.get("imageDigest").asText()).isEqualTo(lines(first).get(0).get("imageDigest").asText());

        // Damage every layer blob: a run that read a layer would fail.
        JsonNode manifest = JSON.readTree(layout.resolve("blobs/sha256/"
                + record.get("manifestDigest").asText().substring(7)).toFile());
        for (JsonNode layer : manifest.get("layers")) {
            Path blob = layout.resolve("blobs/sha256/" + layer.get("digest").asText().substring(7));
            Files.write(blob, new byte[] {1, 2, 3});
        }
        Proc.Result second = Cli.run(args);
        assertThat(second.code()).as(second.stderr()).isZero();
        assertThat(statuses(second)).containsExactly("skipped", "skipped");
        assertThat(second.stderr()).contains("0 converted, 2 skipped, 0 failed");
        assertThat(lines(second).get(0).get("imageDigest").asText()).isEqualTo(record.get("imageDigest").asText());

        // Other options make another image: the record no longer matches.
        Proc.Result epoch = Cli.run("batch", jobsFile.toString(), "--objects", store.toString(), "--json",
                "--use-epoch");
        assertThat(statuses(epoch)).containsExactly("failed", "failed");

        // An image changed on disk is not up to date either, and --force reads the layers again.
        Files.write(out.resolve("b.cfs"), new byte[] {0}, java.nio.file.StandardOpenOption.APPEND);
        Proc.Result forced = Cli.run("batch", jobsFile.toString(), "--objects", store.toString(), "--json",
                "--force");
        assertThat(forced.code()).isEqualTo(1);
        assertThat(statuses(forced)).containsExactly("failed", "failed");
        assertThat(lines(forced).get(0).get("error").asText()).contains("layer");
    }

    @Test
    void jobsComeFromStdinWithDash() throws Exception {
        Path image = tmp.resolve("w.cfs");
        Proc.Result r = Cli.runWithInput(("oci:oci-fixtures/whiteouts " + image + "\n").getBytes(),
                "batch", "-", "--objects", tmp.resolve("o").toString(), "--json");
        assertThat(r.code()).as(r.stderr()).isZero();
        assertThat(statuses(r)).containsExactly("converted");
        assertThat(image).isRegularFile();
        assertThat(ImageRecord.pathFor(image)).isRegularFile();
    }

    @Test
    void failFastStartsNoJobAfterTheFirstFailure() throws Exception {
        Path out = Files.createDirectories(tmp.resolve("out"));
        Path jobsFile = Files.writeString(tmp.resolve("jobs"), "oci:" + tmp.resolve("missing") + " "
                + out.resolve("x.cfs") + "\noci:oci-fixtures/whiteouts " + out.resolve("w.cfs") + "\n");
        Proc.Result r = Cli.run("batch", jobsFile.toString(), "--objects", tmp.resolve("o").toString(), "--jobs",
                "1", "--fail-fast", "--json");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).contains("0 converted, 0 skipped, 1 failed, 1 not started");
        assertThat(statuses(r)).containsExactly("failed");
        assertThat(out.resolve("w.cfs")).doesNotExist();
    }

    @Test
    void theLibraryRunsJobsWithBoundedConcurrencyAndYieldsEveryResult() throws Exception {
        UmociImages images = UmociImages.get();
        List<Job> jobs = new ArrayList<>();
        for (String s : images.sources()) {
            jobs.add(Job.of(jobs.size(), s, tmp.resolve("i" + jobs.size() + ".cfs")));
        }
        int[] running = {0, 0};
        BatchOptions.Listener watch = new BatchOptions.Listener() {
            @Override
            public synchronized void started(Job job) {
                running[1] = Math.max(running[1], ++running[0]);
            }

            @Override
            public synchronized void finished(JobResult result) {
                running[0]--;
            }
        };
        BatchOptions opts = new BatchOptions(tmp.resolve("objects"), 2, false, false, options(), watch);
        StepVerifier.create(Batch.run(Flux.fromIterable(jobs), opts).map(JobResult::status))
                .expectNextCount(jobs.size()).verifyComplete();
        assertThat(running[1]).isEqualTo(2);
        StepVerifier.create(Batch.run(Flux.fromIterable(jobs), opts).map(JobResult::status).distinct())
                .expectNext(JobResult.Status.SKIPPED).verifyComplete();
    }

    /**
     * Twenty-eight images at once (more than Reactor's bounded-elastic threads on two cores) on one hashing
     * worker and a budget of two chunks, each image with a file larger than a chunk: a worker that waited for
     * a parser's next chunk would stall the batch (the parser waits for budget held by chunks queued for
     * files no worker has taken), and so would a job thread waiting for a conversion queued behind it.
     */
    @Test
    void manyJobsOnOneHashingWorkerAndTheSmallestBudgetNeitherStallNorChangeTheImages() throws Exception {
        UmociImages images = UmociImages.get();
        List<Job> jobs = new ArrayList<>();
        for (int copy = 0; copy < 4; copy++) {
            for (String s : images.sources()) {
                jobs.add(Job.of(jobs.size(), s, tmp.resolve("i" + jobs.size() + ".cfs")));
            }
        }
        ConvertOptions tight = ConvertOptions.builder().platform(Platform.parse("linux/amd64")).threads(1)
                .memoryBudget(1).build();
        List<JobResult> results = new ArrayList<>();
        StepVerifier.create(Batch.run(Flux.fromIterable(jobs),
                new BatchOptions(tmp.resolve("objects"), jobs.size(), false, false, tight, null)))
                .recordWith(() -> results).expectNextCount(jobs.size()).expectComplete()
                .verify(java.time.Duration.ofMinutes(3));
        for (JobResult r : results) {
            assertThat(r.status()).as(r.job().source() + ": " + r.error()).isEqualTo(JobResult.Status.CONVERTED);
            if (r.job().position() >= images.sources().size()) {
                continue; // a copy
            }
            ConvertResult alone = Converter.convert(r.job().source(), tmp.resolve("alone.cfs"),
                    tmp.resolve("alone-objects"), options(), InputStream.nullInputStream()).block();
            assertThat(r.imageDigest()).isEqualTo(alone.imageDigest());
        }
        assertThat(objectNames(tmp.resolve("objects"))).isEqualTo(objectNames(tmp.resolve("alone-objects")));
    }

    @Test
    void jobsFilesAreCheckedLineByLine() {
        assertThatThrownBy(() -> JobsFile.read(new StringReader("a.tar x.cfs\n- y.cfs\n"), "J"))
                .hasMessage("J:2: source '-' (stdin) cannot be used in a batch");
        assertThatThrownBy(() -> JobsFile.read(new StringReader("a x.cfs\n# c\nb x.cfs\n"), "J"))
                .hasMessage("J:3: image x.cfs is also written by line 1");
        assertThatThrownBy(() -> JobsFile.read(new StringReader("a b c\n"), "J"))
                .hasMessage("J:1: expected SOURCE IMAGE (or a JSON object), got 3 words");
        assertThatThrownBy(() -> JobsFile.read(new StringReader("{\"source\": \"a\", \"img\": \"x\"}\n"), "J"))
                .hasMessageStartingWith("J:1: unknown field \"img\"");
        assertThatThrownBy(() -> JobsFile.read(new StringReader("{\"source\": \"a\"\n"), "J"))
                .hasMessageStartingWith("J:1: not a JSON job");
        assertThatThrownBy(() -> Shard.parse("4/4")).hasMessageContaining("0 <= K < N");
    }

    @Test
    void shardsSplitTheJobsBetweenThemEachJobToOne() throws IOException {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 10; i++) {
            text.append("{\"source\": \"s").append(i).append("\", \"image\": \"i").append(i)
                    .append(".cfs\", \"platform\": \"linux/arm64\"}\n");
        }
        List<Job> jobs = JobsFile.read(new StringReader(text.toString()), "J");
        assertThat(jobs.get(3).platform()).isEqualTo(Platform.parse("linux/arm64"));
        List<Integer> seen = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            Shard s = new Shard(k, 3);
            jobs.stream().filter(s::takes).forEach(j -> seen.add(j.position()));
        }
        assertThat(seen).hasSize(10).doesNotHaveDuplicates();
    }

    static ConvertOptions options() {
        return ConvertOptions.builder().platform(Platform.parse("linux/amd64")).build();
    }

    static List<JsonNode> lines(Path report) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : Files.readAllLines(report)) {
            out.add(JSON.readTree(l));
        }
        return out;
    }

    static List<JsonNode> lines(Proc.Result r) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        for (String l : r.out().split("\n")) {
            if (!l.isBlank()) {
                out.add(JSON.readTree(l));
            }
        }
        return out;
    }

    static List<String> statuses(Proc.Result r) throws IOException {
        return lines(r).stream().map(l -> l.get("status").asText()).toList();
    }

    static TreeSet<String> objectNames(Path store) throws IOException {
        TreeSet<String> out = new TreeSet<>();
        try (Stream<Path> s = Files.walk(store)) {
            s.filter(Files::isRegularFile).map(p -> store.relativize(p).toString())
                    .filter(n -> n.matches("[0-9a-f]{2}/[0-9a-f]{62}")).forEach(out::add);
        }
        return out;
    }

    static long storeBytes(Path store) throws IOException {
        long n = 0;
        for (String rel : objectNames(store)) {
            n += Files.size(store.resolve(rel));
        }
        return n;
    }

    static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> s = Files.walk(from)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                Path t = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(t);
                } else {
                    Files.copy(p, t);
                }
            }
        }
    }
}
