package io.oci2cfs.image;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.oci2cfs.testutil.Fuzzing;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The JSON an image source reads before any layer: an OCI {@code index.json} with the indexes, manifests and
 * config it names, and a docker {@code manifest.json} with the config it names, each planned as the archive
 * reader plans it and its config's diff_ids read. The input is a {@link LinkedDocuments}. Seeds: the
 * fixtures' metadata. See docs/fuzzing.md.
 */
class ImageMetadataFuzzTest {
    private static final Platform AMD64 = new Platform("linux", "amd64", null);

    /** Document 0 is index.json; every other one is a blob under its digest. */
    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void ociIndex(byte[] input) throws IOException {
        ArchiveFormat.Members members = LinkedDocuments.parse(input).ociLayout();
        for (String ref : new String[] {null, "latest", "multi"}) {
            plan(ArchiveFormat.oci(ref, AMD64), members);
        }
    }

    /** Document 0 is manifest.json; document 1 is whatever member it names as an image's config. */
    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void dockerManifest(byte[] input) throws IOException {
        ArchiveFormat.Members members = LinkedDocuments.parse(input).dockerArchive();
        for (String ref : new String[] {null, "@1", "fixtures/basic"}) {
            plan(ArchiveFormat.docker(ref), members);
        }
    }

    /** As ArchiveSource: plan from the metadata, check the config against what names it, read diff_ids. */
    private static void plan(ArchiveFormat format, ArchiveFormat.Members members) throws IOException {
        try {
            ArchivePlan plan = format.plan(members, true);
            String configPath = ArchivePaths.normalize(plan.config());
            byte[] config = members.get(configPath);
            if (config == null) {
                return;
            }
            if (plan.configDescriptor() != null) {
                Verify.bytes("config", plan.configDescriptor(), config);
            } else {
                Verify.content("config", ArchivePaths.promisedDigest(configPath), -1, Digest.sha256(config),
                        config.length);
            }
            ImageConfig.diffIds(config, plan.layers().size(), "config");
        } catch (ImageException e) {
            Fuzzing.declared(e, null);
        }
    }
}
