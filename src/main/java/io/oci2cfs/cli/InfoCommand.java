package io.oci2cfs.cli;

import io.oci2cfs.error.Oci2cfsException;
import io.oci2cfs.dump.DumpWriter;
import io.oci2cfs.dump.TreeListing;
import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.linux.FsVerity;
import io.oci2cfs.store.ObjectDigest;
import io.oci2cfs.tree.ByteString;
import io.oci2cfs.tree.Node;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code oci2cfs info}: the composefs-info commands over our own image reader. */
@Command(name = "info", description = "Inspect composefs images (like composefs-info).",
        subcommands = {InfoCommand.Ls.class, InfoCommand.Dump.class, InfoCommand.Objects.class,
            InfoCommand.MissingObjects.class, InfoCommand.MeasureFile.class})
final class InfoCommand {
    InfoCommand() {
    }

    static Node load(Path image) throws IOException {
        try {
            return ErofsReader.read(image);
        } catch (IOException e) {
            throw Oci2cfsException.naming(image.toString(), e);
        }
    }

    static void printObjects(List<Path> images, Path basedir) throws IOException {
        TreeSet<ByteString> objects = new TreeSet<>();
        for (Path p : images) {
            for (ByteString o : TreeListing.objects(load(p))) {
                String rel = ObjectDigest.storeRelative(o.toString());
                if (basedir == null || !Files.exists(basedir.resolve(rel))) {
                    objects.add(o);
                }
            }
        }
        PrintStream out = System.out;
        for (ByteString o : objects) {
            out.write(o.unsafeArray());
            out.write('\n');
        }
        out.flush();
    }

    /** Prints each image's tree to stdout with {@code printer}. */
    private interface TreePrinter {
        void print(Node root, OutputStream out) throws IOException;
    }

    static int printTrees(List<Path> images, TreePrinter printer) throws IOException {
        OutputStream out = new BufferedOutputStream(System.out, 1 << 16);
        for (Path p : images) {
            printer.print(load(p), out);
        }
        out.flush();
        return 0;
    }

    @Command(name = "ls", description = "List the files of images.")
    static final class Ls implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<Path> images;

        @Override
        public Integer call() throws IOException {
            return printTrees(images, TreeListing::ls);
        }
    }

    @Command(name = "dump", description = "Print images as composefs dumps (input for mkcomposefs --from-file).")
    static final class Dump implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<Path> images;

        @Override
        public Integer call() throws IOException {
            return printTrees(images, DumpWriter::write);
        }
    }

    @Command(name = "objects", description = "List the backing objects the images refer to.")
    static final class Objects implements Callable<Integer> {
        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<Path> images;

        @Override
        public Integer call() throws IOException {
            printObjects(images, null);
            return 0;
        }
    }

    @Command(name = "missing-objects", description = "List the backing objects absent from --basedir.")
    static final class MissingObjects implements Callable<Integer> {
        @Option(names = "--basedir", required = true, paramLabel = "DIR", description = "The object store.")
        Path basedir;

        @Parameters(arity = "1..*", paramLabel = "IMAGE")
        List<Path> images;

        @Override
        public Integer call() throws IOException {
            if (!Files.isDirectory(basedir)) {
                throw new IOException(basedir + ": not a directory");
            }
            printObjects(images, basedir);
            return 0;
        }
    }

    @Command(name = "measure-file", description = "Print the fs-verity digest of files (from the kernel when enabled).")
    static final class MeasureFile implements Callable<Integer> {
        @Option(names = "--hash", paramLabel = "ALG", defaultValue = "sha256", converter = HashOption.class,
                description = "sha256 (default) or sha512.")
        HashAlgorithm hash;

        @Parameters(arity = "1..*", paramLabel = "FILE")
        List<Path> files;

        @Override
        public Integer call() throws IOException {
            for (Path f : files) {
                byte[] d = FsVerity.measure(f, hash);
                System.out.println(FsVerityHasher.hex(d));
            }
            return 0;
        }
    }

}
