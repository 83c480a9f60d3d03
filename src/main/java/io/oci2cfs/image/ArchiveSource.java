package io.oci2cfs.image;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * An image archive (oci-archive or docker-archive, possibly on stdin) read in a single pass.
 *
 * <p>Small members that are metadata by name ({@code index.json}, {@code manifest.json}, {@code *.json},
 * {@code <id>/json}, {@code VERSION}...) or that look like JSON are kept in memory; every other regular
 * member is a candidate layer and goes straight to the consumer, because {@code docker save} may write
 * {@code manifest.json} last. Once the metadata names the selected image, members it does not use are
 * skipped.
 */
final class ArchiveSource implements ImageSource {
    /** Metadata is small; a larger "JSON" member is treated as data. */
    private static final long MAX_METADATA_MEMBER = 8 << 20;
    private static final long MAX_METADATA_TOTAL = 64 << 20;
    private static final int MAX_LINK_HOPS = 16;

    interface Opener {
        InputStream open() throws IOException;
    }

    private final String description;
    private final Opener opener;
    private final ArchiveFormat format;

    ArchiveSource(String description, Opener opener, ArchiveFormat format) {
        this.description = description;
        this.opener = opener;
        this.format = format;
    }

    @Override
    public String describe() {
        return description;
    }

    @Override
    public ResolvedImage read(LayerConsumer consumer, int parallelism) throws IOException {
        try (InputStream raw = opener.open()) {
            return new Pass(consumer).run(ArchiveDecompression.decompress(raw));
        } catch (ImageException e) {
            throw e.in(description);
        }
    }

    @Override
    public void close() {
        // the stream is opened and closed by read
    }

    /**
     * One member's data, as the archive's tar reader yields it: its read errors are the archive's (cut short,
     * damaged), whoever reads, so they say so and name the member. Closing it leaves the archive open
     * (SequenceInputStream closes each stream it exhausts).
     */
    private static final class MemberData extends java.io.FilterInputStream {
        private final String name;

        MemberData(InputStream tar, String name) {
            super(tar);
            this.name = name;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (ImageException e) {
                throw e;
            } catch (IOException e) {
                throw damaged(e);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (ImageException e) {
                throw e;
            } catch (IOException e) {
                throw damaged(e);
            }
        }

        @Override
        public long skip(long n) throws IOException {
            try {
                return in.skip(n);
            } catch (ImageException e) {
                throw e;
            } catch (IOException e) {
                throw damaged(e);
            }
        }

        private ImageException damaged(IOException e) {
            return new ImageException("archive cut short or damaged in member " + name + ": " + e.getMessage(), e);
        }

        @Override
        public void close() {
        }
    }

    /** The state of one read. */
    private final class Pass {
        private final LayerConsumer consumer;
        private final Map<String, byte[]> metadata = new HashMap<>();
        private final Map<String, String> links = new HashMap<>();
        private final Set<String> seen = new HashSet<>();
        private final Map<String, HashingInputStream.Hashed> streamed = new HashMap<>();
        private long metadataBytes;
        private ArchivePlan plan;

        Pass(LayerConsumer consumer) {
            this.consumer = consumer;
        }

        ResolvedImage run(InputStream in) throws IOException {
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            int members = 0;
            TarArchiveEntry entry;
            while ((entry = nextEntry(tar, members)) != null) {
                members++;
                String name = ArchivePaths.normalize(entry.getName());
                if (entry.isSymbolicLink()) {
                    links.put(name, ArchivePaths.symlinkTarget(name, entry.getLinkName()));
                } else if (entry.isLink()) {
                    links.put(name, ArchivePaths.normalize(entry.getLinkName()));
                } else if (entry.isFile()) {
                    member(name, entry.getSize(), new MemberData(tar, name));
                } else {
                    continue;
                }
                seen.add(name);
                if (plan == null) {
                    plan = format.plan(this::metadataMember, false);
                }
            }
            if (members == 0) {
                throw new ImageException("empty archive, or not a tar archive");
            }
            if (plan == null) {
                plan = format.plan(this::metadataMember, true);
            }
            return finish();
        }

        private TarArchiveEntry nextEntry(TarArchiveInputStream tar, int members) throws ImageException {
            try {
                return tar.getNextEntry();
            } catch (ImageException e) {
                throw e;
            } catch (IOException e) {
                throw new ImageException((members == 0 ? "not a tar archive: " : "corrupt tar archive: ")
                        + e.getMessage());
            }
        }

        private void member(String name, long size, InputStream tar) throws IOException {
            if (isMetadataName(name)) {
                keep(name, size, tar, new byte[0]);
                return;
            }
            byte[] prefix = tar.readNBytes((int) Math.min(size, 64));
            if (size <= MAX_METADATA_MEMBER && looksLikeJson(prefix)) {
                keep(name, size, tar, prefix);
                return;
            }
            // a blobs/<alg>/<hex> member cannot serve as another digest's link target (its content would
            // not match that digest), so it can be skipped without waiting for the wanted links
            if (plan != null && !wanted().contains(name)
                    && (Digest.fromBlobPath(name) != null || allWantedSeen())) {
                return; // the selected image does not use it; the tar reader skips the rest
            }
            InputStream data = new SequenceInputStream(new ByteArrayInputStream(prefix), tar);
            pass(name, size, data);
        }

        private void pass(String name, long size, InputStream data) throws IOException {
            ArchivePlan.Layer planned = plannedLayer(name);
            Digest promised = ArchivePaths.promisedDigest(name);
            HashingInputStream hashing = new HashingInputStream(data,
                    (promised != null ? promised : Digest.sha256(new byte[0])).newMessageDigest());
            consumer.accept(new Blob(name, size, planned == null ? null : planned.mediaType(), planned == null, false),
                    hashing);
            streamed.put(name, hashing.finish());
        }

        private void keep(String name, long size, InputStream tar, byte[] prefix) throws IOException {
            if (size > MAX_METADATA_MEMBER || metadataBytes + size > MAX_METADATA_TOTAL) {
                throw new ImageException(name + ": too large for image metadata (" + size + " bytes)");
            }
            byte[] rest = tar.readAllBytes();
            byte[] all = new byte[prefix.length + rest.length];
            System.arraycopy(prefix, 0, all, 0, prefix.length);
            System.arraycopy(rest, 0, all, prefix.length, rest.length);
            metadata.put(name, all);
            metadataBytes += all.length;
        }

        private byte[] metadataMember(String path) {
            return metadata.get(resolve(path));
        }

        private String resolve(String path) {
            String p = path;
            for (int hop = 0; hop < MAX_LINK_HOPS && links.containsKey(p); hop++) {
                p = links.get(p);
            }
            return p;
        }

        /** The planned layer paths and every link hop from them seen so far. */
        private Set<String> wanted() {
            Set<String> wanted = new LinkedHashSet<>();
            for (ArchivePlan.Layer layer : plan.layers()) {
                String p = layer.path();
                for (int hop = 0; hop <= MAX_LINK_HOPS && p != null && wanted.add(p); hop++) {
                    p = links.get(p);
                }
            }
            return wanted;
        }

        /** Until every wanted path has been seen, any member may still turn out to be a link's target. */
        private boolean allWantedSeen() {
            return seen.containsAll(wanted());
        }

        private ArchivePlan.Layer plannedLayer(String name) {
            if (plan == null) {
                return null;
            }
            for (ArchivePlan.Layer layer : plan.layers()) {
                if (resolve(layer.path()).equals(name)) {
                    return layer;
                }
            }
            return null;
        }

        private ResolvedImage finish() throws IOException {
            String configPath = resolve(plan.config());
            byte[] config = metadata.get(configPath);
            if (config == null) {
                throw new ImageException("missing config " + plan.config());
            }
            String configWhat = "config " + plan.config();
            Digest configDigest;
            if (plan.configDescriptor() != null) {
                Verify.bytes(configWhat, plan.configDescriptor(), config);
                configDigest = plan.configDescriptor().digest();
            } else {
                configDigest = Digest.sha256(config);
                Verify.content(configWhat, ArchivePaths.promisedDigest(configPath), -1, configDigest,
                        config.length);
            }
            List<Digest> diffIds = ImageConfig.diffIds(config, plan.layers().size(), configWhat);
            List<ResolvedLayer> layers = new ArrayList<>();
            for (int i = 0; i < plan.layers().size(); i++) {
                ArchivePlan.Layer layer = plan.layers().get(i);
                String key = resolve(layer.path());
                if (!streamed.containsKey(key) && metadata.containsKey(key)) {
                    // a layer that looked like JSON was kept back; hand it over now
                    byte[] data = metadata.get(key);
                    pass(key, data.length, new ByteArrayInputStream(data));
                }
                HashingInputStream.Hashed hashed = streamed.get(key);
                if (hashed == null) {
                    throw new ImageException("missing layer " + i + " (" + layer.path() + ")");
                }
                Digest expected = layer.digest() != null ? layer.digest() : ArchivePaths.promisedDigest(key);
                Verify.content("layer " + i + " (" + layer.path() + ")", expected, layer.size(), hashed.digest(),
                        hashed.size());
                layers.add(new ResolvedLayer(key, layer.mediaType(), layer.digest(), layer.size(),
                        diffIds.get(i)));
            }
            return new ResolvedImage(description + " " + plan.description(), plan.manifestDigest(), configDigest,
                    layers);
        }
    }

    /** Members that are never layers in either format, by name. */
    static boolean isMetadataName(String name) {
        return name.equals("manifest.json") || name.equals("index.json") || name.equals("oci-layout")
                || name.equals("repositories") || name.endsWith(".json") || name.endsWith("/json")
                || name.endsWith("/VERSION");
    }

    private static boolean looksLikeJson(byte[] prefix) {
        for (byte b : prefix) {
            if (b == '{' || b == '[') {
                return true;
            }
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return false;
            }
        }
        return false;
    }
}
