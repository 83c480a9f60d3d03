package io.oci2cfs.convert;

import io.oci2cfs.error.BadInputException;
import io.oci2cfs.error.Blocking;
import io.oci2cfs.error.EnvironmentException;
import io.oci2cfs.error.ErrorText;
import io.oci2cfs.error.Oci2cfsException;
import io.oci2cfs.error.UnsupportedTreeException;
import io.oci2cfs.convert.LayerConversion.ConvertedLayer;
import io.oci2cfs.directory.DirectoryScanner;
import io.oci2cfs.dump.DumpReader;
import io.oci2cfs.dump.DumpWriter;
import io.oci2cfs.erofs.ErofsWriter;
import io.oci2cfs.erofs.ImageFiles;
import io.oci2cfs.image.ImageReference;
import io.oci2cfs.image.ImageSource;
import io.oci2cfs.image.ImageSources;
import io.oci2cfs.image.Platform;
import io.oci2cfs.image.ResolvedImage;
import io.oci2cfs.image.ResolvedLayer;
import io.oci2cfs.image.SourceKind;
import io.oci2cfs.output.OutputFiles;
import io.oci2cfs.output.OutputPaths;
import io.oci2cfs.registry.DockerReference;
import io.oci2cfs.registry.PullReport;
import io.oci2cfs.registry.RegistryOptions;
import io.oci2cfs.registry.RegistrySource;
import io.oci2cfs.registry.auth.AuthOptions;
import io.oci2cfs.registry.config.Environment;
import io.oci2cfs.store.ObjectStore;
import io.oci2cfs.store.Transaction;
import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.LayerChangeException;
import io.oci2cfs.tree.MergedTree;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.PerLayerTree;
import io.oci2cfs.tree.TreeFilters;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

/**
 * Converts a container image (or a single layer, a composefs dump, a directory) into a composefs image and
 * the objects it references, in one streaming pass.
 *
 * <p>Order of effects: objects are staged privately while layers stream in; once every layer is parsed,
 * verified against the config's {@code rootfs.diff_ids} and merged, the objects the result references are
 * made durable and published, and only then are the image and the other outputs written, to temporary files
 * that replace their targets together once all are complete. On failure the staged objects are dropped, no
 * temporary file is left, and the files that were at the output paths stay as they were.
 */
public final class Converter {
    private final String source;
    private final Path image;
    private final Path objects;
    private final ConvertOptions options;
    private final InputStream stdin;
    private final RegistryOptions registry;
    private PullReport pull;
    private final HashingPool pool;
    private String manifestDigest;
    private final Map<String, Long> stages = new LinkedHashMap<>();
    private final ConcurrentHashMap<String, Mono<ConvertedLayer>> layers = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Throwable> parseFailures = new ConcurrentHashMap<>();
    private final List<Path> layerImages = new ArrayList<>();
    private final Progress progress;
    private long stageStart = System.nanoTime();
    private long bytesRead;
    private long bytesUnpacked;

    private Converter(String source, Path image, Path objects, ConvertOptions options, RegistryOptions registry,
            InputStream stdin, HashingPool pool) {
        this.source = source;
        this.registry = registry;
        this.pool = pool;
        this.image = image;
        this.objects = objects;
        this.options = options;
        this.stdin = stdin;
        this.progress = options.progress() ? Progress.start(source) : Progress.NONE;
    }

    /**
     * Converts {@code source} (see {@link ImageReference#parse}: an image, a layer, {@code dump:FILE} or
     * {@code dir:PATH}) into {@code image}, storing file contents in {@code objects}. Runs when subscribed, on a
     * bounded-elastic thread.
     */
    public static Mono<ConvertResult> convert(String source, Path image, Path objects, ConvertOptions options,
            InputStream stdin) {
        return convert(source, image, objects, options, null, stdin, null);
    }

    /**
     * As {@link #convert(String, Path, Path, ConvertOptions, InputStream)}, with {@code registry} saying how a
     * {@code docker://} source is pulled (null: the user's configuration, {@link RegistryOptions#fromEnvironment}).
     */
    public static Mono<ConvertResult> convert(String source, Path image, Path objects, ConvertOptions options,
            RegistryOptions registry, InputStream stdin) {
        return convert(source, image, objects, options, registry, stdin, null);
    }

    /**
     * As {@link #convert(String, Path, Path, ConvertOptions, RegistryOptions, InputStream)}, hashing on
     * {@code pool} (shared with other conversions, within its memory budget) instead of a pool of
     * {@code options.threads()} workers and {@code options.memoryBudget()} bytes of its own; null for a pool of
     * its own.
     */
    public static Mono<ConvertResult> convert(String source, Path image, Path objects, ConvertOptions options,
            RegistryOptions registry, InputStream stdin, HashingPool pool) {
        return Mono.fromCallable(() -> {
            try {
                return new Converter(source, image, objects, options, registry, stdin, pool).run();
            } catch (Oci2cfsException e) {
                throw e;
            } catch (IOException e) {
                // The JDK's own file and network exceptions: the environment failed, not the input.
                throw new EnvironmentException(ErrorText.of(e), e);
            } catch (OutOfMemoryError e) {
                // Reactor does not pass JVM errors on to subscribers, so the caller would wait forever. The
                // tree is garbage once the stack has unwound, so there is room to say what happened.
                throw new EnvironmentException(source + ": out of memory (heap limit "
                        + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB); give the JVM more with -Xmx"
                        + " (OCI2CFS_JAVA_OPTS for bin/oci2cfs)", e);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    private ConvertResult run() throws IOException {
        checkPaths();
        ImageReference ref = reference();
        ObjectStore store = new ObjectStore(objects);
        try (Transaction tx = store.begin(options.threads());
                ContentPipeline pipeline = pool == null
                        ? new ContentPipeline(tx, options.threads(), options.memoryBudget())
                        : new ContentPipeline(tx, pool)) {
            Node root;
            List<ConvertedLayer> ordered = new ArrayList<>();
            List<String> diffIds = new ArrayList<>();
            List<Node> perLayer = new ArrayList<>();
            if (ref.kind() == SourceKind.DUMP) {
                root = readDump(ref.path());
            } else if (ref.kind() == SourceKind.DIRECTORY) {
                root = scanDirectory(ref.path(), tx);
            } else {
                ordered = readLayers(ref, pipeline);
                layers.clear();
                root = merge(ordered, perLayer);
                ordered.forEach(l -> diffIds.add(l.digests().diffId()));
                // The change sets are no longer needed; the merged tree holds everything from here on.
                ordered = List.of();
            }
            if (ref.kind() != SourceKind.DIRECTORY) {
                applyOptions(root); // a directory scan applied them to each entry as it read it
            }
            perLayer.forEach(this::applyOptions);
            Transaction.Summary summary = commitReferenced(tx, root, perLayer);
            stage("store");
            ErofsWriter.Result written;
            // Every output is written in full before any replaces its target: a failure in any of them
            // (disk full, an unwritable directory) leaves all the files that were there as they were.
            try (OutputFiles outputs = new OutputFiles()) {
                written = ImageFiles.write(root, options.versions(), image, true, options.threads(), outputs);
                writeExtras(root, diffIds, perLayer, outputs);
                outputs.commit();
            } catch (IOException | RuntimeException e) {
                layerImages.clear();
                throw e;
            }
            stage("write");
            progress.finish();
            return result(root, diffIds.size(), summary, written);
        } finally {
            progress.finish();
        }
    }

    /**
     * Checks every path before any work, so that a typo does not cost a whole conversion and nothing but a
     * regular file (or nothing) is ever replaced.
     */
    private void checkPaths() throws IOException {
        if (source.isEmpty()) {
            throw new IllegalArgumentException("source: empty path");
        }
        Path storeRoot = OutputPaths.store("--objects", objects);
        Path imageFile = OutputPaths.outputFile("image", image);
        OutputPaths.notInside("image", imageFile, storeRoot);
        if (options.dumpFile() != null) {
            Path dump = OutputPaths.outputFile("--dump", options.dumpFile());
            if (dump.equals(imageFile)) {
                throw new IOException("--dump " + options.dumpFile() + " is the image file");
            }
            OutputPaths.notInside("--dump", dump, storeRoot);
        }
        if (options.perLayerDir() != null) {
            Path dir = OutputPaths.outputDirectory("--per-layer", options.perLayerDir());
            OutputPaths.notInside("--per-layer", dir, storeRoot);
        }
    }

    /** The source, parsed, and a bare path told by its content (see {@link ImageSources#detect}). */
    private ImageReference reference() throws IOException {
        try {
            return ImageSources.detect(ImageReference.parse(source));
        } catch (IllegalArgumentException e) {
            throw new BadInputException(ErrorText.of(e), e);
        }
    }

    private Node readDump(Path dump) throws IOException {
        try (InputStream in = new java.io.BufferedInputStream(Files.newInputStream(dump), 1 << 16)) {
            Node root = DumpReader.read(in, true);
            stage("read");
            return root;
        } catch (io.oci2cfs.dump.DumpException e) {
            throw Oci2cfsException.naming(dump.toString(), e);
        }
    }

    private Node scanDirectory(Path dir, Transaction tx) throws IOException {
        DirectoryScanner.Scanned scanned = DirectoryScanner.scan(dir, options.tree(), options.threads());
        DirectoryScanner.stage(scanned, tx, options.threads());
        stage("read");
        return scanned.root();
    }

    private List<ConvertedLayer> readLayers(ImageReference ref, ContentPipeline pipeline) throws IOException {
        if (ref.kind() == SourceKind.SINGLE_LAYER) {
            try (InputStream in = Files.newInputStream(ref.path())) {
                ConvertedLayer l = counted(LayerConversion.read(ref.path().toString(), in, true, pipeline)).block();
                stage("read");
                return List.of(l);
            }
        }
        ResolvedImage resolved;
        try (ImageSource src = open(ref)) {
            resolved = src.read((blob, raw) -> {
                progress.layerStarted(blob.key(), blob.size());
                InputStream data = progress.track(blob.key(), raw);
                try {
                    Mono<ConvertedLayer> m = counted(LayerConversion.read(blob.key(), data, !blob.concurrent(), pipeline)).cache();
                    m.subscribe(x -> { }, e -> { });
                    layers.put(blob.key(), m);
                } catch (IOException | RuntimeException e) {
                    // Read the blob to its end so the source can still check its digest: a corrupted blob
                    // is then reported as a digest mismatch rather than by the parser's symptom. The error
                    // counts only if the blob is not speculative and its digest was right.
                    parseFailures.put(blob.key(), e);
                    data.transferTo(OutputStream.nullOutputStream());
                }
            }, options.threads());
            if (src instanceof RegistrySource r) {
                pull = r.report();
            }
        }
        manifestDigest = resolved.identity() == null ? null : resolved.identity().toString();
        stage("read");
        List<ConvertedLayer> ordered = Blocking.block(Flux.fromIterable(resolved.layers())
                .concatMap(this::verified)
                .collectList());
        // Blobs the image turned out not to use may still be hashing; let them finish before the store commits.
        Flux.fromIterable(layers.values()).flatMap(m -> m.onErrorResume(e -> Mono.empty())).blockLast();
        pipeline.awaitWrites();
        stage("hash");
        return ordered;
    }

    /** Layer {@code rl} once it is hashed, checked against the config's diff_id; the layers run on meanwhile. */
    private Mono<ConvertedLayer> verified(ResolvedLayer rl) {
        Throwable failed = parseFailures.get(rl.key());
        if (failed != null) {
            return Mono.error(() -> Oci2cfsException.naming(source, failed));
        }
        Mono<ConvertedLayer> m = layers.get(rl.key());
        if (m == null) {
            return Mono.error(new IllegalStateException(source + ": layer " + rl.key() + " was never read"));
        }
        return m.onErrorMap(IOException.class, e -> Oci2cfsException.naming(source, e))
                .handle((l, sink) -> {
                    if (rl.diffId() != null && !rl.diffId().toString().equals(l.digests().diffId())) {
                        sink.error(new BadInputException(source + ": layer " + rl.key() + ": uncompressed digest "
                                + l.digests().diffId() + " does not match the config's diff_id " + rl.diffId()));
                    } else {
                        sink.next(l);
                    }
                });
    }

    private ImageSource open(ImageReference ref) throws IOException {
        return openSource(ref, options.platform(), registry, stdin);
    }

    /**
     * Opens any image source, a registry's included ({@code registry} null: the user's configuration, {@link
     * RegistryOptions#fromEnvironment}).
     */
    public static ImageSource openSource(ImageReference ref, Platform platform, RegistryOptions registry,
            InputStream stdin) throws IOException {
        if (ref.kind() != SourceKind.DOCKER) {
            return ImageSources.open(ref, platform, stdin);
        }
        DockerReference docker;
        try {
            docker = DockerReference.parse(ref.toString());
        } catch (IllegalArgumentException e) {
            throw new BadInputException(ErrorText.of(e), e);
        }
        RegistryOptions r = registry != null ? registry : RegistryOptions.fromEnvironment(
                new AuthOptions(null, null, false, null), null, null, Environment.system());
        return new RegistrySource(docker, platform, r);
    }

    private Mono<ConvertedLayer> counted(Mono<ConvertedLayer> m) {
        return m.doOnNext(l -> {
            synchronized (this) {
                bytesRead += l.digests().blobSize();
                bytesUnpacked += l.digests().tarSize();
            }
        });
    }

    /** Applies the layers in order; with --per-layer also builds each layer's own tree over those below it. */
    private Node merge(List<ConvertedLayer> ordered, List<Node> perLayer) throws IOException {
        MergedTree merged = new MergedTree();
        try {
            for (ConvertedLayer l : ordered) {
                if (options.perLayerDir() != null) {
                    perLayer.add(PerLayerTree.build(l.changes(), merged));
                }
                // Each change set is emptied as it is applied and the merged tree emptied as the result is
                // built: at no point are two copies of a large tree in memory.
                merged.applyAndEmpty(l.changes());
            }
        } catch (LayerChangeException e) {
            throw new LayerChangeException(source, e);
        } catch (UnsupportedTreeException e) {
            throw Oci2cfsException.naming(source, e);
        }
        Node root = merged.takeNode();
        stage("merge");
        return root;
    }

    private void applyOptions(Node root) {
        TreeFilters.apply(root, options.tree());
    }

    /** Publishes the objects the trees refer to (marking them in the transaction: no set of them is built). */
    private static Transaction.Summary commitReferenced(Transaction tx, Node root, List<Node> perLayer)
            throws IOException {
        keepDigests(root, tx);
        perLayer.forEach(t -> keepDigests(t, tx));
        return tx.commit();
    }

    private static void keepDigests(Node root, Transaction tx) {
        TreeFilters.forEachInode(root, n -> {
            if (n.digest() != null && n.content() == null && FileMode.isReg(n.mode())) {
                tx.keep(n.digest());
            }
        });
    }

    private void writeExtras(Node root, List<String> diffIds, List<Node> perLayer, OutputFiles outputs)
            throws IOException {
        if (options.dumpFile() != null) {
            OutputStream out = outputs.open("--dump", options.dumpFile());
            DumpWriter.write(root, out);
            out.flush();
        }
        if (options.perLayerDir() != null) {
            Path dir = outputs.directory("--per-layer", options.perLayerDir());
            for (int i = 0; i < perLayer.size(); i++) {
                String diffId = diffIds.get(i);
                String hex = diffId.substring(diffId.indexOf(':') + 1);
                Path p = dir.resolve(String.format("%02d-%s.cfs", i + 1, hex));
                ImageFiles.write(perLayer.get(i), options.versions(), p, true, options.threads(), outputs);
                layerImages.add(options.perLayerDir().resolve(p.getFileName()));
            }
        }
    }

    private void stage(String name) {
        long now = System.nanoTime();
        stages.merge(name, (now - stageStart) / 1_000_000, Long::sum);
        stageStart = now;
    }

    private ConvertResult result(Node root, int layerCount, Transaction.Summary summary, ErofsWriter.Result written) {
        long[] counts = new long[4];
        TreeFilters.forEachInode(root, n -> {
            int t = FileMode.type(n.mode());
            counts[t == FileMode.S_IFREG ? 0 : t == FileMode.S_IFDIR ? 1 : t == FileMode.S_IFLNK ? 2 : 3]++;
        });
        return new ConvertResult(source, image, written.digestHex(), written.formatVersion(), layerCount,
                counts[0], counts[1], counts[2], counts[3], summary.added(), summary.reused(), bytesRead,
                bytesUnpacked, summary.bytesWritten(), summary.bytesReused(), summary.bytesAdded(),
                List.copyOf(layerImages), java.util.Collections.unmodifiableMap(new LinkedHashMap<>(stages)),
                manifestDigest, pull);
    }
}
