package io.oci2cfs.convert;

import io.oci2cfs.layer.EntryType;
import io.oci2cfs.layer.LayerDigests;
import io.oci2cfs.layer.LayerEntry;
import io.oci2cfs.layer.LayerReader;
import io.oci2cfs.tree.Change;
import io.oci2cfs.tree.ContentRef;
import io.oci2cfs.tree.LayerChangeException;
import io.oci2cfs.tree.LayerChanges;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import reactor.core.publisher.Flux;
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

    private record Pending(LayerEntry entry, Mono<ContentRef> content) {
    }

    private LayerConversion() {
    }

    /**
     * @param decompressAhead decompress on a thread of its own (see {@link LayerReader#read}); worth it when
     *     this is the only blob being read
     */
    static Mono<ConvertedLayer> read(String key, InputStream blob, boolean decompressAhead, ContentPipeline pipeline)
            throws IOException {
        List<Pending> pending = new ArrayList<>();
        LayerDigests digests = LayerReader.read(key, blob, decompressAhead, (entry, content) -> {
            Mono<ContentRef> ref = entry.type() == EntryType.REGULAR
                    ? pipeline.submit("layer " + key + ": " + entry.path(), entry.size(), content)
                    : null;
            pending.add(new Pending(entry, ref));
        });
        return Flux.fromIterable(pending)
                .concatMap(p -> p.content == null ? Mono.just(p.entry.toChange(null)) : p.content.map(p.entry::toChange))
                .collect(() -> new LayerChanges(key), LayerConversion::add)
                .onErrorMap(LayerChangeException.class, e -> new IOException(e.getMessage(), e))
                .map(changes -> new ConvertedLayer(key, changes, digests));
    }

    private static void add(LayerChanges changes, Change change) {
        changes.add(change);
    }
}
