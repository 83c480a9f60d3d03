package io.oci2cfs.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.fsverity.FsVerityHasher;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class ObjectDigestTest {
    // `fsverity digest --hash-alg=sha256 --block-size=4096` of a file holding the 5 bytes "hello"
    private static final String HELLO = "555b589c26ee43b7a2510e6c67ced9fb3190b6da6e9e683984551f5d77a763de";

    @Test
    void pathIsTheFirstByteAsDirectoryAndTheRestAsFileName() {
        ObjectDigest d = new ObjectDigest(FsVerityHasher.digestOf("hello".getBytes(StandardCharsets.US_ASCII), 5));
        assertThat(d.hex()).isEqualTo(HELLO);
        assertThat(d.path()).isEqualTo("55/5b589c26ee43b7a2510e6c67ced9fb3190b6da6e9e683984551f5d77a763de");
        assertThat(new String(d.pathBytes(), StandardCharsets.US_ASCII)).isEqualTo(d.path());
        assertThat(d.directoryName() + "/" + d.fileName()).isEqualTo(d.path());
        assertThat(ObjectDigest.isDirectoryName(d.directoryName())).isTrue();
        assertThat(ObjectDigest.isFileName(d.fileName())).isTrue();
    }

    @Test
    void otherNamesAreNotTheStoreLayout() {
        assertThat(ObjectDigest.isFileName(HELLO.substring(2).toUpperCase())).isFalse();
        assertThat(ObjectDigest.isDirectoryName("555")).isFalse();
        assertThat(ObjectDigest.isDirectoryName("2g")).isFalse();
        assertThat(ObjectDigest.isFileName(HELLO)).isFalse();
    }

    @Test
    void aRedirectIsRelativeToTheStore() {
        assertThat(ObjectDigest.storeRelative("/55/5b")).isEqualTo("55/5b");
        assertThat(ObjectDigest.storeRelative("//usr/lib")).isEqualTo("usr/lib");
        assertThat(ObjectDigest.storeRelative("usr/lib")).isEqualTo("usr/lib");
    }

    @Test
    void rejectsWrongLengthsAndUppercase() {
        assertThatThrownBy(() -> new ObjectDigest(new byte[31])).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ObjectDigest.fromHex(HELLO.substring(1))).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ObjectDigest.fromHex(HELLO.toUpperCase()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void equalByContent() {
        assertThat(ObjectDigest.fromHex(HELLO)).isEqualTo(ObjectDigest.fromHex(HELLO))
                .hasSameHashCodeAs(ObjectDigest.fromHex(HELLO));
    }
}
