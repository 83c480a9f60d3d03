package io.oci2cfs.cli;

import io.oci2cfs.error.Oci2cfsException;
import io.oci2cfs.error.UsageException;
import io.oci2cfs.directory.DirectoryScanner;
import io.oci2cfs.dump.DumpException;
import io.oci2cfs.dump.DumpReader;
import io.oci2cfs.erofs.ErofsWriter;
import io.oci2cfs.erofs.FormatVersion;
import io.oci2cfs.erofs.UnrepresentableTreeException;
import io.oci2cfs.erofs.ImageFiles;
import io.oci2cfs.output.OutputPaths;
import io.oci2cfs.store.ObjectStore;
import io.oci2cfs.tree.Node;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code oci2cfs mkcomposefs}: flag-compatible with mkcomposefs 1.0.8. */
@Command(name = "mkcomposefs", description = "Build a composefs image from a directory or a composefs dump.")
final class MkcomposefsCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "A directory, or a dump file with --from-file (- = stdin).")
    String source;

    @Parameters(index = "1", arity = "0..1", paramLabel = "IMAGE", description = "The image to write (- = stdout).")
    String image;

    @Option(names = "--from-file", description = "SOURCE is a composefs dump file.")
    boolean fromFile;

    @Option(names = "--digest-store", paramLabel = "DIR", description = "Copy content files into this object store.")
    Path digestStore;

    @Option(names = "--print-digest-only", description = "Print the digest of the image, don't write it.")
    boolean printDigestOnly;

    @Mixin
    ImageOptions common;

    @Option(names = "--hardlinks", description = "Keep hardlinks of a directory source as hardlinks (mkcomposefs does not).")
    boolean hardlinks;

    @Override
    public Integer call() throws IOException {
        if (printDigestOnly && image != null) {
            throw new UsageException("cannot give IMAGE with --print-digest-only");
        }
        if (!printDigestOnly && image == null) {
            throw new UsageException("no destination image given");
        }
        if (source.isEmpty()) {
            throw new UsageException("empty source path");
        }
        if ("-".equals(image) && System.console() != null) {
            throw new UsageException("stdout is a terminal; refusing to write an image to it");
        }
        int nthreads;
        FormatVersion versions;
        try {
            nthreads = common.threads();
            versions = common.versions();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        checkPaths();
        boolean printDigest = common.printDigest;
        Node root = fromFile ? readDump() : scanDirectory(nthreads);
        ErofsWriter.Result result;
        try {
            if (printDigestOnly) {
                result = ErofsWriter.write(root, versions, OutputStream.nullOutputStream(), true, nthreads);
            } else if (image.equals("-")) {
                OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
                result = ErofsWriter.write(root, versions, out, printDigest, nthreads);
                out.flush();
            } else {
                result = ImageFiles.write(root, versions, Path.of(image), printDigest, nthreads);
            }
        } catch (UnrepresentableTreeException e) {
            throw Oci2cfsException.naming(sourceName(), e);
        }
        if (printDigest || printDigestOnly) {
            System.out.println(result.digestHex());
        }
        return 0;
    }

    /** Before any work: the image path can be replaced, the store is a directory and does not hold it. */
    private void checkPaths() throws IOException {
        Path storeRoot = digestStore == null ? null : OutputPaths.store("--digest-store", digestStore);
        if (image != null && !image.equals("-")) {
            Path file = OutputPaths.outputFile("image", Path.of(image));
            if (storeRoot != null) {
                OutputPaths.notInside("image", file, storeRoot);
            }
        }
    }

    private Node readDump() throws IOException {
        boolean strict = System.getenv("CFS_PARSE_STRICT") != null;
        try (InputStream in = source.equals("-") ? System.in : Files.newInputStream(Path.of(source))) {
            return DumpReader.read(new java.io.BufferedInputStream(in, 1 << 16), strict);
        } catch (DumpException e) {
            throw Oci2cfsException.naming(sourceName(), e);
        }
    }

    private String sourceName() {
        return source.equals("-") ? "<stdin>" : source;
    }

    private Node scanDirectory(int nthreads) throws IOException {
        // mkcomposefs applies the tree flags to a directory only: a dump is written as it is.
        DirectoryScanner.Scanned scanned = DirectoryScanner.scan(Path.of(source), common.tree(!hardlinks), nthreads);
        if (digestStore != null) {
            DirectoryScanner.fillStore(scanned, new ObjectStore(digestStore), nthreads);
        }
        return scanned.root();
    }
}
