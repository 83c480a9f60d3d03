package io.oci2cfs.image;

import java.util.Locale;

/** An image platform {@code os/architecture[/variant]} with GOOS/GOARCH names, as in image-index.md. */
public record Platform(String os, String architecture, String variant) {
    public Platform {
        if (os == null || os.isEmpty() || architecture == null || architecture.isEmpty()) {
            throw new IllegalArgumentException("platform needs os and architecture");
        }
        if (variant != null && variant.isEmpty()) {
            variant = null;
        }
    }

    /** Parses {@code os/arch[/variant]}, e.g. {@code linux/arm64/v8}. */
    public static Platform parse(String text) {
        String[] parts = text.split("/", -1);
        if (parts.length < 2 || parts.length > 3) {
            throw new IllegalArgumentException("platform '" + text + "' is not os/arch[/variant]");
        }
        return new Platform(parts[0], parts[1], parts.length == 3 ? parts[2] : null);
    }

    /** linux and this JVM's architecture under its GOARCH name. */
    public static Platform host() {
        return new Platform("linux", goArch(System.getProperty("os.arch")), null);
    }

    static String goArch(String javaArch) {
        return switch (javaArch.toLowerCase(Locale.ROOT)) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "386";
            case "arm", "arm32" -> "arm";
            case "ppc64le" -> "ppc64le";
            case "s390x" -> "s390x";
            case "riscv64" -> "riscv64";
            default -> javaArch;
        };
    }

    /** Whether an image for {@code offered} fits this wanted platform; a wanted variant of null takes any. */
    boolean accepts(Platform offered) {
        return os.equals(offered.os) && architecture.equals(offered.architecture)
                && (variant == null || variant.equals(offered.variant)
                        // arm64 images usually omit the default variant v8
                        || (architecture.equals("arm64") && variant.equals("v8") && offered.variant == null));
    }

    @Override
    public String toString() {
        return os + "/" + architecture + (variant == null ? "" : "/" + variant);
    }
}
