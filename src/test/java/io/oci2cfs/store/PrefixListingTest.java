package io.oci2cfs.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a prefix listing answers: exact "no" once listed, "check the file" before, and never a wrong "no". */
class PrefixListingTest {
    @TempDir
    Path store;

    private static byte[] digest(int prefix, int fill) {
        byte[] d = new byte[32];
        java.util.Arrays.fill(d, (byte) fill);
        d[0] = (byte) prefix;
        return d;
    }

    private void put(byte[] digest) throws IOException {
        String hex = HexFormat.of().formatHex(digest);
        Files.createDirectories(store.resolve(hex.substring(0, 2)));
        Files.createFile(store.resolve(hex.substring(0, 2)).resolve(hex.substring(2)));
    }

    @Test
    void aMissingPrefixDirectoryHoldsNothing() {
        PrefixListing listing = new PrefixListing(store);
        assertThat(listing.mayHold(digest(0x12, 1))).isFalse();
    }

    @Test
    void aSmallDirectoryIsListedAndAnswersExactlyForItsNames() throws IOException {
        put(digest(0xab, 0x01));
        put(digest(0xab, 0xf0)); // a key whose top bit is set: sorted and searched as the same signed long
        Files.createFile(store.resolve("ab").resolve("not-an-object"));
        PrefixListing listing = new PrefixListing(store);
        for (int i = 0; i < 10; i++) {
            assertThat(listing.mayHold(digest(0xab, 0x01))).isTrue();
            assertThat(listing.mayHold(digest(0xab, 0xf0))).isTrue();
        }
        // an object added after the listing is not seen; one never there is a definite no
        put(digest(0xab, 0x02));
        assertThat(listing.mayHold(digest(0xab, 0x03))).isFalse();
        assertThat(listing.mayHold(digest(0xab, 0x02))).isFalse();
    }

    @Test
    void aBigDirectoryIsCheckedFileByFileBeforeItIsListed() throws IOException {
        for (int i = 0; i < 400; i++) {
            byte[] d = digest(0x5c, 0);
            d[1] = (byte) i;
            d[2] = (byte) (i >> 8);
            put(d);
        }
        long budget = Files.size(store.resolve("5c")) / 1024;
        assertThat(budget).isGreaterThan(3);
        PrefixListing listing = new PrefixListing(store);
        for (long i = 0; i < budget; i++) {
            // not listed yet: the caller must look at the file
            assertThat(listing.mayHold(digest(0x5c, 0x77))).isTrue();
        }
        assertThat(listing.mayHold(digest(0x5c, 0x77))).isFalse();
        byte[] present = digest(0x5c, 0);
        present[1] = 7;
        assertThat(listing.mayHold(present)).isTrue();
    }
}
