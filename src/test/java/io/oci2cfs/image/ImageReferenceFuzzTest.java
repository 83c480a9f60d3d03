package io.oci2cfs.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.oci2cfs.testutil.Fuzzing;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;

/**
 * The SOURCE argument of {@code convert} ({@code oci:DIR[:REF]}, {@code docker-archive:FILE[:REF]}, ...) and
 * the {@code --platform} value, as text from UTF-8 bytes. Declared error: IllegalArgumentException with a
 * message (the CLI reports it as bad input). A parsed value spelled back by toString parses to the same value
 * (for a path: the same file).
 */
class ImageReferenceFuzzTest {

    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void parse(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        ImageReference ref;
        try {
            ref = ImageReference.parse(text);
        } catch (IllegalArgumentException e) {
            Fuzzing.declared(e, null);
            return;
        }
        ImageReference again = ImageReference.parse(ref.toString());
        assertThat(again.kind()).as("kind of %s spelled back as %s", text, ref).isEqualTo(ref.kind());
        assertThat(again.ref()).as("ref of %s spelled back as %s", text, ref).isEqualTo(ref.ref());
        assertThat(again.isStdin() ? null : again.path().normalize()).as("path of %s spelled back as %s", text, ref)
                .isEqualTo(ref.isStdin() ? null : ref.path().normalize());
    }

    @FuzzTest
    @Timeout(value = 20, unit = TimeUnit.SECONDS)
    void platform(byte[] input) {
        String text = new String(input, StandardCharsets.UTF_8);
        try {
            Platform p = Platform.parse(text);
            assertThat(Platform.parse(p.toString())).isEqualTo(p);
        } catch (IllegalArgumentException e) {
            Fuzzing.declared(e, null);
        }
    }
}
