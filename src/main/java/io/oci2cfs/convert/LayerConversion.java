package io.oci2cfs.convert;

import io.oci2cfs.convert.ContentPipeline.Hashed;
import io.oci2cfs.convert.ContentPipeline.Member;
import io.oci2cfs.error.UnsupportedTreeException;
import io.oci2cfs.layer.EntryType;
import io.oci2cfs.layer.LayerDigests;
import io.oci2cfs.layer.LayerEntry;
import io.oci2cfs.layer.LayerReader;
import io.oci2cfs.tree.LayerChangeException;
import io.oci2cfs.tree.LayerChanges;
import java.io.IOException;
import java.io.InputStream;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.publisher.Sinks;

/**
 * Turns one layer blob into its change set. The tar is parsed on the calling thread, which feeds the
 * layer's members to the {@link ContentPipeline} as fast as it asks for them; the members come back in tar
 * order, their contents stored, and each becomes a change as soon as those before it have. The returned
 * {@link Mono} completes once the last of them has, while the caller is already free to read the next blob.
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
     * @throws IOException what the parser met (the Mono then fails as well); a failure storing a file's
     *     content fails the Mono only
     */
    static Mono<ConvertedLayer> read(String key, InputStream blob, boolean decompressAhead, ContentPipeline pipeline)
            throws IOException {
        BlockingFeed<Member<LayerEntry>> feed = new BlockingFeed<>(Member::discard);
        Sinks.One<LayerDigests> digests = Sinks.one();
        Mono<ConvertedLayer> layer = changes(key, pipeline.hash(feed.flux()))
                .zipWith(digests.asMono(), (changes, d) -> new ConvertedLayer(key, changes, d))
                .cache();
        layer.subscribe(x -> { }, e -> { });
        try {
            LayerDigests d = LayerReader.read(key, blob, decompressAhead, (entry, content) -> {
                if (entry.type() == EntryType.REGULAR) {
                    pipeline.submit("layer " + key + ": " + entry.path(), entry, entry.size(), content, feed);
                } else {
                    feed.next(Member.of(entry));
                }
            });
            digests.tryEmitValue(d);
            feed.complete();
        } catch (IOException | RuntimeException e) {
            feed.error(e);
            throw e;
        }
        return layer;
    }

    /** The layer's changes in tar order; each entry is dropped as soon as its change is made. */
    private static Mono<LayerChanges> changes(String key, Flux<Hashed<LayerEntry>> hashed) {
        LayerChanges changes = new LayerChanges(key);
        return hashed.<Void>handle((h, sink) -> {
            try {
                changes.add(h.tag().toChange(h.ref()));
            } catch (LayerChangeException | UnsupportedTreeException e) {
                sink.error(e);
            }
        }).then(Mono.just(changes));
    }
}
