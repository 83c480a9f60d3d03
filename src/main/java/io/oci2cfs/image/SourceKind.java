package io.oci2cfs.image;

/** What a reference points at. */
public enum SourceKind {
    /** {@code oci:DIR[:REF]}: an OCI image layout directory. */
    OCI_LAYOUT("oci"),
    /** {@code oci-archive:FILE[:REF]}: an OCI image layout packed as a tar. */
    OCI_ARCHIVE("oci-archive"),
    /** {@code docker-archive:FILE[:REF]} or {@code -}: {@code docker save} output. */
    DOCKER_ARCHIVE("docker-archive"),
    /** {@code docker://[HOST[:PORT]/]NAME[:TAG|@DIGEST]}: an image in a registry (io.oci2cfs.registry). */
    DOCKER("docker"),
    /** A bare path that is none of the above: a single layer tar, left to the caller. */
    SINGLE_LAYER(null),
    /** {@code dump:FILE}: a composefs dump (composefs-dump(5)), a tree rather than an image. */
    DUMP("dump"),
    /** {@code dir:PATH}, or a bare directory without {@code oci-layout}: an unpacked root filesystem. */
    DIRECTORY("dir");

    private final String transport;

    SourceKind(String transport) {
        this.transport = transport;
    }

    /** skopeo's transport name ({@code dump} and {@code dir} are oci2cfs's own), or null for a single layer. */
    public String transport() {
        return transport;
    }

    /** Whether the reference names an image that {@link ImageSources#open} reads, rather than a layer or tree. */
    public boolean isImage() {
        return this != SINGLE_LAYER && this != DUMP && this != DIRECTORY;
    }
}
