package io.oci2cfs.cli;

import io.oci2cfs.error.UsageException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import io.oci2cfs.convert.ConvertOptions;
import io.oci2cfs.convert.ConvertResult;
import io.oci2cfs.convert.Converter;
import io.oci2cfs.image.Platform;
import io.oci2cfs.seal.SealedSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code oci2cfs convert SOURCE IMAGE --objects DIR}. */
@Command(name = "convert", description = "Convert a container image into a composefs image and object store.")
final class ConvertCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "docker://[HOST/]NAME[:TAG|@DIGEST], oci:DIR[:REF], "
            + "oci-archive:FILE[:REF], docker-archive:FILE[:REF], - (docker save on stdin), a layer tarball, dump:FILE "
            + "or a directory.")
    String source;

    @Parameters(index = "1", paramLabel = "IMAGE", description = "The composefs image to write.")
    Path image;

    @Option(names = "--objects", required = true, paramLabel = "DIR", description = "The object store.")
    Path objects;

    @Option(names = "--platform", paramLabel = "OS/ARCH[/VARIANT]", description = "Manifest to take from an index.")
    String platform;

    @Mixin
    ImageOptions common;

    @Mixin
    RegistryFlags registry;

    @Option(names = "--hardlinks", paramLabel = "keep|break", defaultValue = "keep",
            description = "keep: hardlinks stay one inode; break: one inode per name, as mkcomposefs on an unpacked tree.")
    String hardlinks;

    @Option(names = "--per-layer", paramLabel = "DIR", description = "Also write one composefs image per layer.")
    Path perLayer;

    @Option(names = "--dump", paramLabel = "FILE", description = "Also write the composefs dump of the result.")
    Path dump;

    @Option(names = "--json", description = "Print a JSON report.")
    boolean json;

    @Option(names = {"-q", "--quiet"}, description = "No progress display (drawn on stderr when it is a terminal).")
    boolean quiet;

    @Mixin
    SigningOptions signing;

    @Override
    public Integer call() throws Exception {
        if (!hardlinks.equals("keep") && !hardlinks.equals("break")) {
            throw new UsageException("--hardlinks must be keep or break, not " + hardlinks);
        }
        ConvertOptions options;
        try {
            options = ConvertOptions.builder().versions(common.versions())
                    .platform(platform == null ? Platform.host() : Platform.parse(platform)).threads(common.threads())
                    .tree(common.tree(hardlinks.equals("break"))).perLayerDir(perLayer).dumpFile(dump)
                    .progress(System.console() != null && !json && !quiet).build();
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage(), e);
        }
        if (image.toString().equals("-")) {
            // Only mkcomposefs writes an image to stdout; here "-" would silently become a file of that name.
            throw new UsageException("IMAGE -: convert writes a file, not stdout (mkcomposefs can)");
        }
        signing.load();
        boolean registrySource = source.startsWith("docker:");
        ConvertResult r = Converter.convert(source, image, objects, options,
                registrySource ? registry.options() : null, System.in).block();
        if (!source.equals("-") && !registrySource) {
            SealedSource.requireSealedDigest(source, options.platform(), r.image());
        }
        signing.apply(r.image(), objects);
        if (json) {
            Map<String, Object> report = new LinkedHashMap<>();
            report.put("source", r.source());
            report.put("image", r.image().toString());
            report.put("digest", r.imageDigest());
            report.put("formatVersion", r.formatVersion());
            report.put("layers", r.layers());
            report.put("files", r.files());
            report.put("directories", r.directories());
            report.put("symlinks", r.symlinks());
            report.put("otherInodes", r.otherInodes());
            report.put("objectsNew", r.objectsNew());
            report.put("objectsReused", r.objectsReused());
            report.put("bytesRead", r.bytesRead());
            report.put("bytesUnpacked", r.bytesUnpacked());
            report.put("bytesStored", r.bytesStored());
            report.put("layerImages", r.layerImages().stream().map(Path::toString).toList());
            report.put("stageMillis", r.stageMillis());
            if (r.pull() != null) {
                Map<String, Object> pull = new LinkedHashMap<>();
                pull.put("manifestDigest", String.valueOf(r.pull().manifestDigest()));
                pull.put("bytesDownloaded", r.pull().bytesDownloaded());
                pull.put("retries", r.pull().retries());
                pull.put("resumes", r.pull().resumes());
                report.put("pull", pull);
            }
            System.out.println(new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(report));
        } else if (common.printDigest) {
            System.out.println(r.imageDigest());
        } else {
            System.err.printf("%s: %d files, %d directories, %d objects new, %d reused -> %s%n", r.source(),
                    r.files(), r.directories(), r.objectsNew(), r.objectsReused(), r.image());
        }
        return 0;
    }
}
