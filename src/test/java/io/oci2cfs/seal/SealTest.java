package io.oci2cfs.seal;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.image.Platform;
import io.oci2cfs.signing.FormattedDigest;
import io.oci2cfs.signing.SignatureVerifier;
import io.oci2cfs.signing.VeritySigner;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.ErofsTools;
import io.oci2cfs.testutil.OpenSsl;
import io.oci2cfs.testutil.Proc;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oci2cfs seal} and {@code verify-seal} on a two-layer image made here: the annotations and the label
 * hold the digests that {@code convert} (and {@code fsverity digest}) give for the same trees, every signature
 * of the artifact passes {@code openssl cms -verify}, and a changed annotation, a foreign certificate and a
 * conversion that does not reproduce the sealed digest are refused.
 */
class SealTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path dir;
    static Path source;
    static OpenSsl.Pair key;
    static OpenSsl.Pair foreign;

    @BeforeAll
    static void image() throws Exception {
        OpenSsl.require();
        key = OpenSsl.rsaPair(dir, "sealer");
        foreign = OpenSsl.ecPair(dir, "stranger");
        source = dir.resolve("src");
        byte[] big = "0123456789abcdef".repeat(300).getBytes(StandardCharsets.US_ASCII);
        byte[] lower = tar(Map.of("etc/", "", "etc/config", "x".repeat(100), "usr/bin/tool", new String(big,
                StandardCharsets.US_ASCII), "usr/bin/old", "old".repeat(40)));
        // The upper layer names usr/bin without its parents (an implied directory) and deletes usr/bin/old.
        byte[] upper = tar(Map.of("usr/bin/.wh.old", "", "usr/bin/new", "new".repeat(50), "etc/.wh..wh..opq", ""));
        writeLayout(source, List.of(lower, upper));
    }

    private static ObjectNode json(Path file) throws Exception {
        return (ObjectNode) JSON.readTree(Files.readAllBytes(file));
    }

    private static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    }

    private static ObjectNode manifestOf(Path layout, String ref) throws Exception {
        for (JsonNode m : json(layout.resolve("index.json")).path("manifests")) {
            if (ref.equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText(null))) {
                return json(blob(layout, m.path("digest").asText()));
            }
        }
        throw new AssertionError("no " + ref + " in " + layout);
    }

    private static Proc.Result ok(Proc.Result r) {
        assertThat(r.code()).as("%s", r).isZero();
        return r;
    }

    @Test
    void sealedImageCarriesTheDigestsConvertGivesAndVerifies() throws Exception {
        Path out = dir.resolve("sealed-512");
        ok(Cli.run("seal", "oci:" + source + ":app", "--output", "oci:" + out + ":app", "--sign-key",
                key.key().toString(), "--sign-cert", key.cert().toString()));

        // The merged digest: what convert builds from the source, measured by fsverity-utils as well.
        Path image = dir.resolve("merged.cfs");
        ok(Cli.run("convert", "oci:" + source + ":app", image.toString(), "--objects", dir.resolve("o1").toString()));
        String merged = FsVerityHasher.hex(FsVerityHasher.digestOf(image, HashAlgorithm.SHA512));
        String tool = ErofsTools.fsverityDigest(image, "sha512");
        if (tool != null) {
            assertThat(merged).isEqualTo(tool);
        }
        ObjectNode sourceManifest = manifestOf(source, "app");
        ObjectNode manifest = manifestOf(out, "app");
        List<String> layerDigests = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            String blobDigest = sourceManifest.path("layers").get(i).path("digest").asText();
            assertThat(manifest.path("layers").get(i).path("digest").asText()).isEqualTo(blobDigest);
            assertThat(Files.readAllBytes(blob(out, blobDigest))).isEqualTo(Files.readAllBytes(blob(source, blobDigest)));
            // The layer alone: the blob converted as a single layer tarball, its --per-layer image.
            Path perLayer = dir.resolve("alone-" + i);
            ok(Cli.run("convert", blob(source, blobDigest).toString(), dir.resolve("alone-" + i + ".cfs").toString(),
                    "--objects", dir.resolve("o2").toString(), "--per-layer", perLayer.toString()));
            try (var files = Files.list(perLayer)) {
                layerDigests.add(FsVerityHasher.hex(FsVerityHasher.digestOf(files.findFirst().orElseThrow(),
                        HashAlgorithm.SHA512)));
            }
            assertThat(manifest.path("layers").get(i).path("annotations").path("composefs.layer.sha512-12").asText())
                    .isEqualTo(layerDigests.get(i));
        }
        assertThat(layerDigests.get(0)).isNotEqualTo(layerDigests.get(1));
        assertThat(manifest.path("layers").get(0).path("annotations").has("composefs.merged.sha512-12")).isFalse();
        assertThat(manifest.path("layers").get(1).path("annotations").path("composefs.merged.sha512-12").asText())
                .isEqualTo(merged);
        ObjectNode config = json(blob(out, manifest.path("config").path("digest").asText()));
        assertThat(config.path("config").path("Labels").path("containers.composefs.fsverity").asText()).isEqualTo(merged);
        assertThat(config.path("rootfs")).isEqualTo(json(blob(source, sourceManifest.path("config").path("digest")
                .asText())).path("rootfs"));

        // The signature artifact: manifest, config, one per layer, merged; each a valid fs-verity signature.
        JsonNode artifactEntry = null;
        for (JsonNode m : json(out.resolve("index.json")).path("manifests")) {
            if ("application/vnd.composefs.signature.v1".equals(m.path("artifactType").asText(null))) {
                artifactEntry = m;
            }
        }
        assertThat(artifactEntry).isNotNull();
        ObjectNode artifact = json(blob(out, artifactEntry.path("digest").asText()));
        byte[] manifestBytes = Files.readAllBytes(blob(out, manifestDigest(out, "app")));
        assertThat(artifact.path("subject").path("digest").asText()).isEqualTo(manifestDigest(out, "app"));
        assertThat(artifact.path("annotations").path("composefs.algorithm").asText()).isEqualTo("sha512-12");
        assertThat(artifact.path("config").path("mediaType").asText()).isEqualTo("application/vnd.oci.empty.v1+json");
        List<String> types = new ArrayList<>();
        List<String> signed = new ArrayList<>();
        for (JsonNode l : artifact.path("layers")) {
            assertThat(l.path("mediaType").asText()).isEqualTo("application/vnd.composefs.signature.v1+pkcs7");
            types.add(l.path("annotations").path("composefs.signature.type").asText());
            String hex = l.path("annotations").path("composefs.digest").asText();
            signed.add(hex);
            Path content = Files.write(dir.resolve("formatted-" + hex),
                    new FormattedDigest(HashAlgorithm.SHA512, HexFormat.of().parseHex(hex)).encoded());
            OpenSsl.run("cms", "-verify", "-binary", "-inform", "DER", "-in", blob(out, l.path("digest").asText())
                    .toString(), "-content", content.toString(), "-certfile", key.cert().toString(), "-CAfile",
                    key.cert().toString(), "-purpose", "any", "-out", "/dev/null");
        }
        assertThat(types).containsExactly("manifest", "config", "layer", "layer", "merged");
        assertThat(signed).containsExactly(
                FsVerityHasher.hex(FsVerityHasher.digestOf(manifestBytes, HashAlgorithm.SHA512)),
                FsVerityHasher.hex(FsVerityHasher.digestOf(Files.readAllBytes(blob(out,
                        manifest.path("config").path("digest").asText())), HashAlgorithm.SHA512)),
                layerDigests.get(0), layerDigests.get(1), merged);

        assertThat(ok(Cli.run("verify-seal", "oci:" + out + ":app", "--cert", key.cert().toString())).out())
                .isEqualTo("oci:" + out + ":app: seal holds (sha512-12 merged " + merged
                        + ", 2 layers, 5 signatures verified)\n");
        Proc.Result stranger = Cli.run("verify-seal", "oci:" + out + ":app", "--cert", foreign.cert().toString());
        assertThat(stranger.code()).isEqualTo(1);
        assertThat(stranger.stderr().lines()).hasSize(5).allSatisfy(l -> assertThat(l)
                .contains("signed by the certificate of issuer CN=sealer"));

        // Converting the sealed image checks the seal: default options reproduce it, --hardlinks break does not
        // change this tree, --use-epoch does.
        ok(Cli.run("convert", "oci:" + out + ":app", dir.resolve("again.cfs").toString(), "--objects",
                dir.resolve("o3").toString()));
        Path broken = dir.resolve("epoch.cfs");
        Proc.Result epoch = Cli.run("convert", "oci:" + out + ":app", broken.toString(), "--objects",
                dir.resolve("o3").toString(), "--use-epoch");
        assertThat(epoch.code()).isNotZero();
        assertThat(epoch.stderr()).startsWith("convert: oci:" + out + ":app: the image built has the sha512 digest ")
                .contains(", the seal (containers.composefs.fsverity) says " + merged).hasLineCount(1);
        assertThat(broken).doesNotExist();
    }

    @Test
    void changedAnnotationIsRefusedAndSha256Works() throws Exception {
        Path out = dir.resolve("sealed-256");
        ok(Cli.run("seal", "oci:" + source + ":app", "--output", "oci:" + out + ":app", "--hash", "sha256"));
        assertThat(ok(Cli.run("verify-seal", "oci:" + out + ":app")).out()).contains("seal holds (sha256-12 merged ");
        Proc.Result noSigs = Cli.run("verify-seal", "oci:" + out + ":app", "--cert", key.cert().toString());
        assertThat(noSigs.code()).isEqualTo(1);
        assertThat(noSigs.stderr()).contains("no signature artifact (application/vnd.composefs.signature.v1) refers to");

        ObjectNode manifest = manifestOf(out, "app");
        ObjectNode annotations = (ObjectNode) manifest.path("layers").get(0).path("annotations");
        String good = annotations.path("composefs.layer.sha256-12").asText();
        String bad = "0".repeat(64);
        annotations.put("composefs.layer.sha256-12", bad);
        byte[] bytes = JSON.writeValueAsBytes(manifest);
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        Files.write(out.resolve("blobs/sha256/" + hex), bytes);
        ObjectNode index = json(out.resolve("index.json"));
        ((ObjectNode) index.path("manifests").get(0)).put("digest", "sha256:" + hex).put("size", bytes.length);
        Files.write(out.resolve("index.json"), JSON.writeValueAsBytes(index));
        Proc.Result r = Cli.run("verify-seal", "oci:" + out + ":app");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).isEqualTo("manifest sha256:" + hex + " layer 1 composefs.layer.sha256-12: " + bad
                + " does not match the image's digest " + good + "\n");
    }

    @Test
    void signatureGroupsMayBeOmittedButEveryLayerMustBeSigned() throws Exception {
        Path out = dir.resolve("sealed-groups");
        ok(Cli.run("seal", "oci:" + source + ":app", "--output", "oci:" + out + ":app", "--hash", "sha256",
                "--sign-key", key.key().toString(), "--sign-cert", key.cert().toString()));
        ObjectNode index = json(out.resolve("index.json"));
        ObjectNode entry = null;
        for (JsonNode m : index.path("manifests")) {
            if (m.has("artifactType")) {
                entry = (ObjectNode) m;
            }
        }
        ObjectNode artifact = json(blob(out, entry.path("digest").asText()));
        ArrayNode layers = artifact.withArray("layers");

        layers.remove(1); // the config signature: a group may be omitted
        layers.remove(0); // the manifest signature
        rewrite(out, index, entry, artifact);
        assertThat(ok(Cli.run("verify-seal", "oci:" + out + ":app", "--cert", key.cert().toString())).out())
                .contains("2 layers, 3 signatures verified");

        layers.remove(1); // the second layer's signature: the layer group must be complete
        rewrite(out, index, entry, artifact);
        Proc.Result r = Cli.run("verify-seal", "oci:" + out + ":app", "--cert", key.cert().toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).endsWith(": layer 2 is of type 'merged' where a 'layer' signature is due (one per "
                + "image layer, in manifest order)\n").hasLineCount(1);
    }

    /** Stores {@code artifact} as a new blob and points the index {@code entry} at it. */
    private static void rewrite(Path layout, ObjectNode index, ObjectNode entry, ObjectNode artifact) throws Exception {
        byte[] bytes = JSON.writeValueAsBytes(artifact);
        entry.put("digest", put(layout, bytes)).put("size", bytes.length);
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    @Test
    void libraryCallsAgreeWithEachOther() throws Exception {
        Path out = dir.resolve("sealed-library");
        VeritySigner signer = VeritySigner.load(key.key(), key.cert(), null);
        Sealer.Result sealed = Sealer.seal(source, "app", Platform.host(), HashAlgorithm.SHA256, signer, out, "lib", 2);
        SealVerifier.Report report = SealVerifier.verify(out, "lib", Platform.host(),
                SignatureVerifier.load(key.cert()), 2);
        assertThat(report.problems()).isEmpty();
        assertThat(report.manifest()).isEqualTo(sealed.manifest());
        assertThat(report.digests()).isEqualTo(sealed.digests());
        assertThat(report.signatures()).isEqualTo(5);
        assertThat(SealedSource.sealedDigest("oci:" + out + ":lib", Platform.host())).isEqualTo(sealed.digests().merged());
        assertThat(SealedSource.sealedDigest("oci:" + source + ":app", Platform.host())).isNull();
    }

    @Test
    void aLayerThatLinksIntoALowerOneCannotBeSealedAndNothingIsWritten() {
        Path out = dir.resolve("never");
        Proc.Result r = Cli.run("seal", "oci:oci-fixtures/whiteouts", "--output", "oci:" + out);
        assertThat(r.code()).isNotZero();
        assertThat(r.stderr()).startsWith("seal: layer 2 of 3 cannot be sealed on its own (docs/sealing.md): ")
                .contains("hardlink hl/cross -> base/data: target does not exist").hasLineCount(1);
        assertThat(out).doesNotExist();
        Proc.Result notLayout = Cli.run("seal", "oci-archive:x.tar", "--output", "oci:" + out);
        assertThat(notLayout.stderr()).isEqualTo("seal: SOURCE oci-archive:x.tar: sealing works on OCI layout "
                + "directories, oci:DIR[:REF]\n");
    }

    private static String manifestDigest(Path layout, String ref) throws Exception {
        for (JsonNode m : json(layout.resolve("index.json")).path("manifests")) {
            if (ref.equals(m.path("annotations").path("org.opencontainers.image.ref.name").asText(null))) {
                return m.path("digest").asText();
            }
        }
        throw new AssertionError(ref);
    }

    /** An uncompressed tar of {@code members} (a name ending in / is a directory), in name order. */
    private static byte[] tar(Map<String, String> members) throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        try (TarArchiveOutputStream t = new TarArchiveOutputStream(buf)) {
            for (String name : new java.util.TreeSet<>(members.keySet())) {
                TarArchiveEntry e = new TarArchiveEntry(name);
                byte[] data = members.get(name).getBytes(StandardCharsets.US_ASCII);
                e.setModTime(1_700_000_000_000L);
                if (!name.endsWith("/")) {
                    e.setSize(data.length);
                }
                t.putArchiveEntry(e);
                t.write(data);
                t.closeArchiveEntry();
            }
        }
        return buf.toByteArray();
    }

    /** An OCI layout with one image, ref {@code app}, of uncompressed {@code layers} (lowest first). */
    private static void writeLayout(Path layout, List<byte[]> layers) throws Exception {
        Files.createDirectories(layout.resolve("blobs/sha256"));
        Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
        ObjectNode config = JSON.createObjectNode().put("architecture", "amd64").put("os", "linux");
        ObjectNode rootfs = config.putObject("rootfs").put("type", "layers");
        ObjectNode manifest = JSON.createObjectNode().put("schemaVersion", 2)
                .put("mediaType", "application/vnd.oci.image.manifest.v1+json");
        for (byte[] l : layers) {
            String d = put(layout, l);
            rootfs.withArray("diff_ids").add(d);
            manifest.withArray("layers").addObject().put("mediaType", "application/vnd.oci.image.layer.v1.tar")
                    .put("digest", d).put("size", l.length);
        }
        byte[] configBytes = JSON.writeValueAsBytes(config);
        manifest.putObject("config").put("mediaType", "application/vnd.oci.image.config.v1+json")
                .put("digest", put(layout, configBytes)).put("size", configBytes.length);
        byte[] manifestBytes = JSON.writeValueAsBytes(manifest);
        ObjectNode index = JSON.createObjectNode().put("schemaVersion", 2);
        index.withArray("manifests").addObject().put("mediaType", "application/vnd.oci.image.manifest.v1+json")
                .put("digest", put(layout, manifestBytes)).put("size", manifestBytes.length)
                .putObject("annotations").put("org.opencontainers.image.ref.name", "app");
        Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
    }

    private static String put(Path layout, byte[] data) throws Exception {
        String hex = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        Files.write(layout.resolve("blobs/sha256/" + hex), data);
        return "sha256:" + hex;
    }
}
