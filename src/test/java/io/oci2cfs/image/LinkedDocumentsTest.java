package io.oci2cfs.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The fuzz inputs of {@link ImageMetadataFuzzTest}: the seeds reach the config, so the corpus is not vacuous. */
class LinkedDocumentsTest {
    private static final Platform AMD64 = new Platform("linux", "amd64", null);

    private static LinkedDocuments seed(String name) throws IOException {
        try (InputStream in = LinkedDocumentsTest.class.getResourceAsStream("ImageMetadataFuzzTestInputs/" + name)) {
            return LinkedDocuments.parse(in.readAllBytes());
        }
    }

    @Test
    void tokensBecomeTheDigestHexAndSizeOfALaterDocument() {
        LinkedDocuments docs = LinkedDocuments.parse(
                "[\"$D1\",\"$H1\",$S1,\"$D0\",\"$D2\"]\0abc".getBytes(StandardCharsets.UTF_8));
        String hex = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
        assertThat(new String(docs.get(0), StandardCharsets.UTF_8))
                .isEqualTo("[\"sha256:" + hex + "\",\"" + hex + "\",3,\"$D0\",\"$D2\"]");
        assertThat(docs.blobs()).containsOnlyKeys("blobs/sha256/" + hex);
    }

    @Test
    void nestedIndexSeedSelectsTheAmd64ManifestAndItsConfig() throws IOException {
        LinkedDocuments docs = seed("ociIndex/multiarch");
        ArchivePlan plan = ArchiveFormat.oci("multi", AMD64).plan(docs.ociLayout(), true);
        byte[] config = docs.blobs().get(plan.config());
        Verify.bytes("config", plan.configDescriptor(), config);
        assertThat(ImageConfig.diffIds(config, plan.layers().size(), "config")).extracting(Digest::hex)
                .containsExactly("05ce5ba0be13360f540112c763cfa0779f053a86ab9179fbbcf1334afb686e80");
    }

    @Test
    void dockerSeedSelectsTheTaggedImageAndItsConfig() throws IOException {
        LinkedDocuments docs = seed("dockerManifest/classic-1");
        ArchivePlan plan = ArchiveFormat.docker("fixtures/whiteouts:latest").plan(docs.dockerArchive(), true);
        assertThat(ArchivePaths.promisedDigest(plan.config())).isEqualTo(Digest.sha256(docs.get(1)));
        assertThat(ImageConfig.diffIds(docs.get(1), plan.layers().size(), "config")).hasSize(3);
    }
}
