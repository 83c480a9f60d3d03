package io.oci2cfs.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.oci2cfs.dump.TreeListing;
import io.oci2cfs.erofs.ErofsReader;
import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.fsverity.HashAlgorithm;
import io.oci2cfs.linux.FsVerity;
import io.oci2cfs.linux.VerityUnsupportedException;
import io.oci2cfs.signing.FormattedDigest;
import io.oci2cfs.testutil.Cli;
import io.oci2cfs.testutil.OpenSsl;
import io.oci2cfs.testutil.Proc;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code oci2cfs sign} and {@code verify} on the converted {@code basic} fixture (two objects): the signature is fsverity-utils' and passes
 * {@code openssl cms -verify}; a tampered image, a missing or altered object, a foreign certificate and a
 * signature of another image each make verify exit non-zero with one line per problem.
 */
class SigningCommandsTest {
    @TempDir
    static Path keys;
    static OpenSsl.Pair rsa;
    static OpenSsl.Pair foreign;

    @TempDir
    Path tmp;
    Path image;
    Path objects;

    @BeforeAll
    static void makeKeys() {
        OpenSsl.require();
        rsa = OpenSsl.rsaPair(keys, "cli-signer");
        foreign = OpenSsl.ecPair(keys, "cli-foreign");
    }

    @BeforeEach
    void convert() {
        image = tmp.resolve("basic.cfs");
        objects = tmp.resolve("objects");
        ok(Cli.run("convert", "oci:oci-fixtures/basic", image.toString(), "--objects", objects.toString()));
    }

    private static Proc.Result ok(Proc.Result r) {
        assertThat(r.code()).as("%s", r).isZero();
        return r;
    }

    private Path sign(Path file, String... extra) {
        Path sig = tmp.resolve(file.getFileName() + ".sig");
        List<String> args = new ArrayList<>(List.of("sign", file.toString(), "--key", rsa.key().toString(),
                "--cert", rsa.cert().toString(), "--out", sig.toString()));
        args.addAll(List.of(extra));
        ok(Cli.run(args.toArray(new String[0])));
        return sig;
    }

    private Proc.Result verify(Path file, Path sig, Path cert, boolean withObjects) {
        List<String> args = new ArrayList<>(List.of("verify", file.toString(), "--sig", sig.toString(),
                "--cert", cert.toString()));
        if (withObjects) {
            args.addAll(List.of("--objects", objects.toString()));
        }
        return Cli.run(args.toArray(new String[0]));
    }

    @Test
    void signedImageVerifiesWithItsObjectsAndMatchesTheTools() throws Exception {
        Path sig = sign(image);
        int objectCount = TreeListing.objects(ErofsReader.read(image)).size();
        assertThat(objectCount).isPositive();
        Proc.Result r = ok(verify(image, sig, rsa.cert(), true));
        assertThat(r.out()).isEqualTo(image + ": signature good (sha256:"
                + FsVerityHasher.hex(FsVerityHasher.digestOf(Files.readAllBytes(image))) + ", signed by CN=cli-signer); "
                + objectCount + " objects present in " + objects + " with their digests\n");

        Path content = Files.write(tmp.resolve("formatted"), FormattedDigest.of(image, HashAlgorithm.SHA256).encoded());
        OpenSsl.run("cms", "-verify", "-binary", "-inform", "DER", "-in", sig.toString(), "-content",
                content.toString(), "-certfile", rsa.cert().toString(), "-CAfile", rsa.cert().toString(),
                "-purpose", "any", "-out", "/dev/null");
        if (Proc.has("fsverity")) {
            Path theirs = tmp.resolve("theirs.sig");
            ok(Proc.run("fsverity", "sign", image.toString(), theirs.toString(), "--key=" + rsa.key(),
                    "--cert=" + rsa.cert()));
            assertThat(Files.readAllBytes(sig)).isEqualTo(Files.readAllBytes(theirs));
        }
    }

    @Test
    void sha512AndEncryptedKeyWithPasswordFile() throws Exception {
        Path encrypted = OpenSsl.encryptPkcs8(rsa.key(), tmp.resolve("enc.pem"), "pw");
        Path pw = Files.writeString(tmp.resolve("pw"), "pw\n");
        Path sig = tmp.resolve("512.sig");
        ok(Cli.run("sign", image.toString(), "--key", encrypted.toString(), "--cert", rsa.cert().toString(),
                "--out", sig.toString(), "--hash", "sha512", "--key-password-file", pw.toString()));
        assertThat(ok(verify(image, sig, rsa.cert(), false)).out()).contains("(sha512:"
                + FsVerityHasher.hex(FsVerityHasher.digestOf(image, HashAlgorithm.SHA512)) + ", ");
        Files.writeString(pw, "wrong\n");
        Path none = tmp.resolve("none.sig");
        Proc.Result bad = Cli.run("sign", image.toString(), "--key", encrypted.toString(), "--cert",
                rsa.cert().toString(), "--out", none.toString(), "--key-password-file", pw.toString());
        assertThat(bad.code()).isNotZero();
        assertThat(bad.stderr()).isEqualTo("sign: " + encrypted + ": cannot decrypt the private key (wrong password?)\n");
        assertThat(none).doesNotExist();
    }

    @Test
    void tamperedImageIsRefused() throws Exception {
        Path sig = sign(image);
        byte[] b = Files.readAllBytes(image);
        b[b.length - 100] ^= 1;
        Files.write(image, b);
        Proc.Result r = verify(image, sig, rsa.cert(), false);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).startsWith(sig + ": the signature does not match the fs-verity digest sha256:")
                .hasLineCount(1);
    }

    @Test
    void missingAndAlteredObjectsAreOneLineEach() throws Exception {
        Path sig = sign(image);
        List<String> refs = TreeListing.objects(ErofsReader.read(image)).stream().map(Object::toString).toList();
        assertThat(refs).hasSizeGreaterThanOrEqualTo(2);
        Path gone = objects.resolve(refs.get(0));
        Path altered = objects.resolve(refs.get(1));
        Files.delete(gone);
        Files.writeString(altered, "not what the image expects");
        Proc.Result r = verify(image, sig, rsa.cert(), true);
        assertThat(r.code()).isEqualTo(1);
        List<String> lines = r.stderr().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(gone + ": missing (for /"));
        assertThat(lines).anySatisfy(l -> assertThat(l).startsWith(altered + ": fs-verity digest is "
                + FsVerityHasher.hex(FsVerityHasher.digestOf(Files.readAllBytes(altered)))
                + ", the image expects " + refs.get(1).replace("/", "")));
    }

    @Test
    void foreignCertificateAndSignatureOfAnotherImageAreRefused() throws Exception {
        Path sig = sign(image);
        Proc.Result r = verify(image, sig, foreign.cert(), true);
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.stderr()).startsWith(sig + ": signed by the certificate of issuer CN=cli-signer serial ")
                .hasLineCount(1);

        Path otherImage = tmp.resolve("whiteouts.cfs");
        ok(Cli.run("convert", "oci:oci-fixtures/whiteouts", otherImage.toString(), "--objects", objects.toString()));
        Proc.Result swapped = verify(otherImage, sig, rsa.cert(), true);
        assertThat(swapped.code()).isEqualTo(1);
        assertThat(swapped.stderr()).startsWith(sig + ": the signature does not match the fs-verity digest ")
                .hasLineCount(1);
    }

    @Test
    void convertSignsBesideTheImageAsFsveritySignDoes() throws Exception {
        Path signed = tmp.resolve("signed.cfs");
        ok(Cli.run("convert", "oci:oci-fixtures/basic", signed.toString(), "--objects", objects.toString(),
                "--sign-key", rsa.key().toString(), "--sign-cert", rsa.cert().toString()));
        Path sig = tmp.resolve("signed.cfs.sig");
        assertThat(ok(verify(signed, sig, rsa.cert(), true)).out()).contains("signature good");
        if (Proc.has("fsverity")) {
            Path theirs = tmp.resolve("theirs.sig");
            ok(Proc.run("fsverity", "sign", signed.toString(), theirs.toString(), "--key=" + rsa.key(),
                    "--cert=" + rsa.cert()));
            assertThat(Files.readAllBytes(sig)).isEqualTo(Files.readAllBytes(theirs));
        }
        try (var listing = Files.list(tmp)) {
            assertThat(listing.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".tmp"));
        }
    }

    @Test
    void convertWithABadKeyWritesNothing() throws Exception {
        Path encrypted = OpenSsl.encryptPkcs8(rsa.key(), tmp.resolve("enc.pem"), "right");
        Path pw = Files.writeString(tmp.resolve("pw"), "wrong\n");
        Path out = tmp.resolve("never.cfs");
        Proc.Result r = Cli.run("convert", "oci:oci-fixtures/basic", out.toString(), "--objects",
                tmp.resolve("fresh-objects").toString(), "--sign-key", encrypted.toString(), "--sign-cert",
                rsa.cert().toString(), "--key-password-file", pw.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.stderr()).isEqualTo("convert: " + encrypted + ": cannot decrypt the private key (wrong password?)\n");
        assertThat(out).doesNotExist();
        assertThat(tmp.resolve("never.cfs.sig")).doesNotExist();
        assertThat(tmp.resolve("fresh-objects")).doesNotExist();

        Proc.Result half = Cli.run("convert", "oci:oci-fixtures/basic", out.toString(), "--objects",
                objects.toString(), "--sign-key", rsa.key().toString());
        assertThat(half.stderr()).isEqualTo("convert: --sign-key and --sign-cert go together\n");
        assertThat(out).doesNotExist();
    }

    @Test
    void enableVeritySaysWhenTheFilesystemHasNone() throws Exception {
        Path probe = Files.writeString(tmp.resolve("probe"), "probe");
        boolean supported;
        try {
            FsVerity.enable(probe, HashAlgorithm.SHA256, null);
            supported = true;
        } catch (VerityUnsupportedException e) {
            supported = false;
        }
        Path out = tmp.resolve("verity.cfs");
        Path store = tmp.resolve("verity-objects");
        Proc.Result r = ok(Cli.run("convert", "oci:oci-fixtures/basic", out.toString(), "--objects", store.toString(),
                "--sign-key", rsa.key().toString(), "--sign-cert", rsa.cert().toString(), "--enable-verity"));
        ok(verify(out, tmp.resolve("verity.cfs.sig"), rsa.cert(), true));
        List<Path> refs = TreeListing.objects(ErofsReader.read(out)).stream()
                .map(o -> store.resolve(o.toString())).toList();
        if (supported) {
            assertThat(r.stderr()).doesNotContain("--enable-verity");
            assertThat(FsVerity.measureEnabled(out)).isEqualTo(FsVerityHasher.digestOf(Files.readAllBytes(out)));
            for (Path o : refs) {
                assertThat(FsVerity.measureEnabled(o)).as("%s", o).isNotNull();
            }
        } else {
            assertThat(r.stderr().lines().filter(l -> l.startsWith("--enable-verity: ")).toList()).containsExactly(
                    "--enable-verity: " + store + ": " + VerityUnsupportedException.REASON
                            + "; objects left without fs-verity",
                    "--enable-verity: " + out + ": " + VerityUnsupportedException.REASON
                            + "; image left without fs-verity");
            assertThat(FsVerity.measureEnabled(out)).isNull();
        }
    }

    @Test
    void mountRefusesAnImageWithAnotherDigestOrSignature() throws Exception {
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        String wrong = "ab".repeat(32);
        Proc.Result r = Cli.run("mount", image.toString(), "--objects", objects.toString(), mnt.toString(),
                "--digest", wrong);
        assertThat(r.code()).isNotZero();
        assertThat(r.stderr()).isEqualTo("mount: " + image + ": fs-verity sha256 digest is "
                + FsVerityHasher.hex(FsVerityHasher.digestOf(Files.readAllBytes(image))) + ", not the expected "
                + wrong + "\n");
        Path sig = sign(image);
        Proc.Result foreignSig = Cli.run("mount", image.toString(), "--objects", objects.toString(), mnt.toString(),
                "--sig", sig.toString(), "--cert", foreign.cert().toString());
        assertThat(foreignSig.code()).isNotZero();
        assertThat(foreignSig.stderr()).startsWith("mount: " + sig + ": signed by the certificate of issuer "
                + "CN=cli-signer").hasLineCount(1);
        Proc.Result badHex = Cli.run("mount", image.toString(), "--objects", objects.toString(), mnt.toString(),
                "--digest", "xyz");
        assertThat(badHex.stderr()).isEqualTo("mount: digest 'xyz': not 64 (sha256) or 128 (sha512) hex digits\n");
        assertThat(Files.readString(Path.of("/proc/self/mounts"))).doesNotContain(mnt.toString());
    }

    @Test
    void mountAcceptsTheRightDigestAndSignature() throws Exception {
        assumeTrue(Proc.isRoot(), "mounting needs root; skipped");
        String fs = Files.readString(Path.of("/proc/filesystems"));
        assumeTrue(fs.contains("\terofs\n") && fs.contains("\toverlay\n"), "the kernel lacks EROFS or overlayfs; skipped");
        Path mnt = Files.createDirectories(tmp.resolve("mnt"));
        Path sig = sign(image);
        String digest = FsVerityHasher.hex(FsVerityHasher.digestOf(Files.readAllBytes(image)));
        ok(Cli.run("mount", image.toString(), "--objects", objects.toString(), mnt.toString(), "--digest",
                digest.toUpperCase(java.util.Locale.ROOT), "--sig", sig.toString(), "--cert", rsa.cert().toString()));
        try {
            assertThat(Files.size(mnt.resolve("files/b65"))).isEqualTo(65);
        } finally {
            ok(Cli.run("umount", mnt.toString()));
        }
    }
}
