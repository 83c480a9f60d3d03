package io.oci2cfs.batch;

import java.io.IOException;
import java.util.List;

/** {@link UmociImages} for tests of other packages. */
public final class BatchTestImages {
    private BatchTestImages() {
    }

    /** The umoci/skopeo images' sources: base, app0..app3, a docker archive, an OCI archive (skips without the tools). */
    public static List<String> sources() throws IOException {
        return UmociImages.get().sources();
    }
}
