package io.oci2cfs.batch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.oci2cfs.maintenance.Fsck;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.Proc;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --shard K/N}: shards at once over one store, a killed shard run again, and docs/batch.md's examples. */
class ShardTest {
    private static final Path DOC = Path.of("docs/batch.md");
    @TempDir
    Path tmp;

    @Test
    void theDocumentedKubernetesIndexedJobIsYamlRunningTheShardedBatchOnASharedVolume() throws IOException {
        List<JsonNode> docs = new ArrayList<>();
        ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
        for (String block : blocks("yaml")) {
            try (var it = yaml.readerFor(JsonNode.class).<JsonNode>readValues(block)) {
                it.forEachRemaining(docs::add);
            }
        }
        JsonNode job = docs.stream().filter(d -> d.path("kind").asText().equals("Job")).findFirst().orElseThrow();
        JsonNode pvc = docs.stream().filter(d -> d.path("kind").asText().equals("PersistentVolumeClaim"))
                .findFirst().orElseThrow();
        assertThat(job.at("/spec/completionMode").asText()).isEqualTo("Indexed");
        int completions = job.at("/spec/completions").asInt();
        JsonNode container = job.at("/spec/template/spec/containers/0");
        String command = container.get("command").toString() + container.get("args").toString();
        assertThat(command).contains("oci2cfs batch ", "--objects /store/objects",
                "--shard \\\"$JOB_COMPLETION_INDEX/" + completions + "\\\"");
        assertThat(pvc.at("/spec/accessModes").toString()).contains("ReadWriteMany");
        String claim = pvc.at("/metadata/name").asText();
        boolean storeOnClaim = false;
        for (JsonNode v : job.at("/spec/template/spec/volumes")) {
            for (JsonNode m : container.get("volumeMounts")) {
                storeOnClaim |= m.get("name").equals(v.get("name")) && m.get("mountPath").asText().equals("/store")
                        && v.at("/persistentVolumeClaim/claimName").asText().equals(claim);
            }
        }
        assertThat(storeOnClaim).as("/store is the shared claim").isTrue();
    }

    @Test
    void shardsRunAtOnceAsDocumentedGiveTheSameImagesAndStoreAsOneProcess() throws Exception {
        UmociImages images = UmociImages.get();
        Path one = Files.createDirectories(tmp.resolve("one"));
        Path many = Files.createDirectories(tmp.resolve("many"));
        for (Path dir : List.of(one, many)) {
            Files.createDirectories(dir.resolve("images"));
            Files.writeString(dir.resolve("jobs.txt"), images.jobsText(dir.resolve("images")));
        }
        Proc.Result single = Cli.run("batch", one.resolve("jobs.txt").toString(), "--objects",
                one.resolve("objects").toString());
        assertThat(single.code()).as(single.stderr()).isZero();

        String script = blocks("sh").stream().filter(b -> b.contains("--shard")).findFirst().orElseThrow();
        Proc.Result shards = runScript(many, script);
        assertThat(shards.code()).as(shards.stderr()).isZero();

        assertThat(imageDigests(many.resolve("images"))).isEqualTo(imageDigests(one.resolve("images")))
                .hasSize(images.sources().size());
        assertThat(BatchTest.objectNames(many.resolve("objects"))).isEqualTo(BatchTest.objectNames(one.resolve("objects")));
        List<String> reported = new ArrayList<>();
        for (int k = 0; k < 3; k++) {
            for (JsonNode l : BatchTest.lines(many.resolve("report-" + k + ".jsonl"))) {
                assertThat(l.get("status").asText()).isEqualTo("converted");
                reported.add(l.get("source").asText());
            }
        }
        assertThat(reported).containsExactlyInAnyOrderElementsOf(images.sources());
        assertThat(Fsck.run(many.resolve("objects"), imageFiles(many.resolve("images")), false, 2).problems()).isEmpty();
    }

    @Test
    void aShardKilledHalfWayAndRunAgainCompletesItsPart() throws Exception {
        UmociImages images = UmociImages.get();
        Path dir = Files.createDirectories(tmp.resolve("killed"));
        Path out = Files.createDirectories(dir.resolve("images"));
        Path jobs = Files.writeString(dir.resolve("jobs.txt"), images.jobsText(out));
        Path store = dir.resolve("objects");
        int total = images.sources().size();
        List<String> cmd = new ArrayList<>(List.of(java(), "-cp", System.getProperty("java.class.path"),
                "io.oci2cfs.cli.Main", "batch", jobs.toString(), "--objects", store.toString(), "--jobs", "1",
                "--shard", "1/2"));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("log").toFile())
                .start();
        // Kill it once it has finished its first job and is into the next.
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (records(out) < 1 && p.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        Thread.sleep(150);
        p.destroyForcibly().waitFor();
        int finishedBeforeKill = records(out);
        int mine = total / 2; // shard 1/2 takes the odd positions
        assertThat(finishedBeforeKill).as(Files.readString(dir.resolve("log"))).isBetween(1, mine);

        Proc.Result again = Cli.run("batch", jobs.toString(), "--objects", store.toString(), "--shard", "1/2",
                "--json");
        assertThat(again.code()).as(again.stderr()).isZero();
        List<String> statuses = BatchTest.statuses(again);
        assertThat(statuses).hasSize(mine);
        assertThat(statuses.stream().filter(s -> s.equals("skipped")).count()).isEqualTo(finishedBeforeKill);
        assertThat(records(out)).isEqualTo(mine);
        Proc.Result other = Cli.run("batch", jobs.toString(), "--objects", store.toString(), "--shard", "0/2");
        assertThat(other.code()).as(other.stderr()).isZero();

        Path reference = Files.createDirectories(tmp.resolve("reference"));
        Files.createDirectories(reference.resolve("images"));
        Files.writeString(reference.resolve("jobs.txt"), images.jobsText(reference.resolve("images")));
        assertThat(Cli.run("batch", reference.resolve("jobs.txt").toString(), "--objects",
                reference.resolve("objects").toString()).code()).isZero();
        assertThat(imageDigests(out)).isEqualTo(imageDigests(reference.resolve("images")));
        assertThat(BatchTest.objectNames(store)).isEqualTo(BatchTest.objectNames(reference.resolve("objects")));
        // What the killed process leaves is its staging directory, which fsck names and --repair removes.
        Fsck.Result check = Fsck.run(store, imageFiles(out), true, 2);
        assertThat(check.problems()).extracting(Fsck.Problem::kind).allMatch(k -> k == Fsck.Kind.STAGING);
        assertThat(check.incomplete()).isEmpty();
        assertThat(Fsck.run(store, imageFiles(out), false, 2).clean()).isTrue();
    }

    private static int records(Path out) throws IOException {
        try (var s = Files.list(out)) {
            return (int) s.filter(p -> p.toString().endsWith(".cfs.json")).count();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Runs a documented shell block in {@code dir} with {@code oci2cfs} on PATH (this build, in a new JVM). */
    private Proc.Result runScript(Path dir, String script) throws IOException {
        Path bin = Files.createDirectories(tmp.resolve("bin"));
        Path launcher = bin.resolve("oci2cfs");
        Files.writeString(launcher, "#!/bin/sh\nexec '" + java() + "' -cp '" + System.getProperty("java.class.path")
                + "' io.oci2cfs.cli.Main \"$@\"\n");
        Files.setPosixFilePermissions(launcher, PosixFilePermissions.fromString("rwxr-xr-x"));
        return Proc.run(List.of("bash", "-c", "cd '" + dir + "' && " + "PATH='" + bin + "':\"$PATH\"; " + script),
                Map.of(), null);
    }

    /** The fenced blocks of docs/batch.md in the given language. */
    static List<String> blocks(String language) throws IOException {
        Matcher m = Pattern.compile("```" + language + "\\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(DOC));
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        assertThat(out).as(language + " blocks in " + DOC).isNotEmpty();
        return out;
    }

    private static List<Path> imageFiles(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.filter(p -> p.toString().endsWith(".cfs")).sorted().toList();
        }
    }

    private static Map<String, String> imageDigests(Path dir) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (Path p : imageFiles(dir)) {
            out.put(p.getFileName().toString(), io.oci2cfs.testutil.Images.sha256(p));
        }
        return out;
    }
}
