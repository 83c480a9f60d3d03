package io.oci2cfs.convert;

import io.oci2cfs.layer.EntryType;
import io.oci2cfs.layer.LayerDigests;
import io.oci2cfs.layer.LayerEntry;
import io.oci2cfs.layer.LayerReader;
import io.oci2cfs.tree.LayerChangeException;
import io.oci2cfs.tree.LayerChanges;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Mono;

/**
 * Turns one layer blob into its change set. The tar is parsed on the calling thread; each regular file's
 * bytes go to the {@link ContentPipeline}, so the returned {@link Mono} completes once the last of them is
 * hashed and stored, while the caller is already free to read the next blob.
 */
final class LayerConversion {
    /** A parsed layer: its changes and the digests of what was read. */
    record ConvertedLayer(String key, LayerChanges changes, LayerDigests digests) {
    }

    private LayerConversion() {
    }

    /**
     * @param decompressAhead decompress on a thread of its own (see {@link LayerReader#read}); worth it when
     *     this is the only blob being read
     */
    static Mono<ConvertedLayer> read(String key, InputStream blob, boolean decompressAhead, ContentPipeline pipeline)
            throws IOException {
        List<LayerEntry> entries = new ArrayList<>();
        ContentSlots slots = new ContentSlots();
        LayerDigests digests;
        try {
            digests = LayerReader.read(key, blob, decompressAhead, (entry, content) -> {
                if (entry.type() == EntryType.REGULAR) {
                    pipeline.submit("layer " + key + ": " + entry.path(), entry.size(), content, slots, entries.size());
                }
                entries.add(entry);
            });
        } finally {
            slots.seal();
        }
        return slots.whenFilled()
                .then(Mono.fromCallable(() -> changes(key, entries, slots)))
                .map(changes -> new ConvertedLayer(key, changes, digests));
    }

    /** The layer's changes in tar order; each entry is dropped as soon as its change is made. */
    private static LayerChanges changes(String key, List<LayerEntry> entries, ContentSlots slots)
            throws LayerChangeException {
        LayerChanges changes = new LayerChanges(key);
        for (int i = 0; i < entries.size(); i++) {
            LayerEntry e = entries.set(i, null);
            changes.add(e.toChange(e.type() == EntryType.REGULAR ? slots.take(i) : null));
        }
        return changes;
    }
}
