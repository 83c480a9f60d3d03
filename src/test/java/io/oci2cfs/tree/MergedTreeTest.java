package io.oci2cfs.tree;

import static io.oci2cfs.tree.Layers.at;
import static io.oci2cfs.tree.Layers.dump;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.oci2cfs.fsverity.FsVerityHasher;
import io.oci2cfs.store.ObjectDigest;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MergedTreeTest {

    private static Node merge(LayerChanges... layers) throws Exception {
        MergedTree tree = new MergedTree();
        for (LayerChanges l : layers) {
            tree.apply(l);
        }
        return tree.toNode();
    }

    private static Layers layer(String name) {
        return new Layers(name);
    }

    @Test
    void whiteoutRemovesLowerEntryAndSubtreeWhereverItSitsInTheTar() throws Exception {
        Node root = merge(
                layer("1").dir("a").file("a/x", "x").dir("a/sub").file("a/sub/y", "y").file("keep", "k").done(),
                layer("2").file("a/new", "n").file("a/.wh.sub", "").file("a/.wh.x", "").done());
        assertThat(dump(root)).isEqualTo("""
                /a d
                /a/new r=n
                /keep r=k""");
    }

    @Test
    void whiteoutNeverRemovesAnEntryOfItsOwnLayer() throws Exception {
        Node root = merge(layer("1").file("f", "lower").dir("d").file("d/old", "o").done(),
                layer("2").file("f", "upper").file(".wh.f", "").dir("d").file("d/mine", "m").file(".wh.d", "").done());
        assertThat(dump(root)).isEqualTo("""
                /d d
                /d/mine r=m
                /f r=upper""");
    }

    @Test
    void opaqueHidesLowerChildrenOnlyAndWhiteoutsDoNotAppear() throws Exception {
        Node root = merge(
                layer("1").dir("d").file("d/a", "1").dir("d/sub").file("d/sub/b", "1").done(),
                layer("2").file("d/c", "2").done(),
                layer("3").dir("d").file("d/mine", "3").file("d/.wh..wh..opq", "").done());
        assertThat(dump(root)).isEqualTo("""
                /d d
                /d/mine r=3""");
    }

    @Test
    void whiteoutsDoNotFollowSymlinksOrCrossFiles() throws Exception {
        Node root = merge(
                layer("1").dir("real").file("real/x", "x").symlink("link", "real").file("f", "f").done(),
                layer("2").file("link/.wh.x", "").file("link/.wh..wh..opq", "").file("f/.wh.y", "").done());
        assertThat(dump(root)).isEqualTo("""
                /f r=f
                /link l->real
                /real d
                /real/x r=x""");
    }

    @Test
    void whiteoutOfSomethingAbsentOnlyCreatesItsParents() throws Exception {
        Node root = merge(layer("1").file("f", "f").done(), layer("2").file("a/b/.wh.c", "").done());
        assertThat(dump(root)).isEqualTo("""
                /a d
                /a/b d
                /f r=f""");
        assertThat(at(root, "a/b").mode()).isEqualTo(FileMode.S_IFDIR | 0755);
    }

    @Test
    void badWhiteoutNamesAreErrors() {
        assertThatThrownBy(() -> layer("L1").file("d/.wh.", "")).isInstanceOf(LayerChangeException.class)
                .hasMessage("layer L1: whiteout d/.wh. names no file");
        assertThatThrownBy(() -> layer("L1").file(".wh..", "")).isInstanceOf(LayerChangeException.class);
        assertThatThrownBy(() -> layer("L2").file("f", "").hardlink("d/.wh.f", "f"))
                .isInstanceOf(LayerChangeException.class).hasMessage("layer L2: hardlink d/.wh.f -> f has a whiteout name");
    }

    @Test
    void entryReplacesLowerEntryWhateverTheTypes() throws Exception {
        Node root = merge(
                layer("1").dir("d").file("d/child", "c").file("f", "f").symlink("s", "x").file("g", "g").done(),
                layer("2").file("d", "now a file").dir("f").symlink("g", "target").dir("s").file("s/in", "i").done());
        assertThat(dump(root)).isEqualTo("""
                /d r=now a file
                /f d
                /g l->target
                /s d
                /s/in r=i""");
    }

    @Test
    void directoryOverDirectoryKeepsChildrenTakesMetadata() throws Exception {
        Node root = merge(layer("1").dir("d", 0700, 0).file("d/a", "a").done(),
                layer("2").dir("d", 01777, 42).done());
        assertThat(dump(root)).isEqualTo("""
                /d d
                /d/a r=a""");
        Node d = at(root, "d");
        assertThat(d.mode()).isEqualTo(FileMode.S_IFDIR | 01777);
        assertThat(d.uid()).isEqualTo(42);
        assertThat(d.mtimeSec()).isEqualTo(1000);
    }

    @Test
    void laterEntryForTheSamePathInOneLayerWins() throws Exception {
        Node root = merge(layer("1").file("f", "first").file("f", "second").dir("d", 0700, 1).dir("d", 0750, 2)
                .done());
        assertThat(at(root, "f").content()).asString().isEqualTo("second");
        assertThat(at(root, "d").mode()).isEqualTo(FileMode.S_IFDIR | 0750);
    }

    @Test
    void unlistedParentsAreRootOwned0755AtTimeZero() throws Exception {
        Node root = merge(layer("1").file("a/b/c", "c").done());
        for (String p : new String[] {"a", "a/b"}) {
            Node n = at(root, p);
            assertThat(n.mode()).isEqualTo(FileMode.S_IFDIR | 0755);
            assertThat(n.uid()).isZero();
            assertThat(n.gid()).isZero();
            assertThat(n.mtimeSec()).isZero();
        }
        assertThat(root.mode()).isEqualTo(FileMode.S_IFDIR | 0755);
    }

    @Test
    void rootEntrySetsRootMetadata() throws Exception {
        Node root = merge(layer("1").dir("", 0700, 3).done());
        assertThat(root.mode()).isEqualTo(FileMode.S_IFDIR | 0700);
        assertThat(root.uid()).isEqualTo(3);
    }

    @Test
    void lowerNonDirectoryOnTheWayIsReplacedButOwnLayersIsAnError() throws Exception {
        Node root = merge(layer("1").symlink("lib", "usr/lib").done(), layer("2").file("lib/x", "x").done());
        assertThat(dump(root)).isEqualTo("""
                /lib d
                /lib/x r=x""");
        assertThatThrownBy(() -> merge(layer("L").file("f", "f").file("f/x", "x").done()))
                .isInstanceOf(LayerChangeException.class).hasMessage("layer L: f/x: parent f is not a directory");
    }

    @Test
    void hardlinksShareOneInodeAndTheFirstNameBreadthFirstHoldsIt() throws Exception {
        Node root = merge(layer("1").file("z/deep/f", "data").hardlink("b", "z/deep/f").hardlink("a", "z/deep/f")
                .done());
        Node primary = at(root, "a");
        assertThat(primary.isHardlink()).isFalse();
        assertThat(primary.nlink()).isEqualTo(3);
        assertThat(primary.content()).asString().isEqualTo("data");
        assertThat(at(root, "b").linkTarget()).isSameAs(primary);
        assertThat(at(root, "z/deep/f").linkTarget()).isSameAs(primary);
        assertThat(at(root, "b").mode()).isEqualTo(primary.mode());
    }

    @Test
    void hardlinkToALowerLayerFile() throws Exception {
        Node root = merge(layer("1").file("bin/tool", "t").done(), layer("2").hardlink("bin/alias", "bin/tool").done());
        assertThat(at(root, "bin/alias").nlink()).isEqualTo(2);
        assertThat(at(root, "bin/tool").linkTarget()).isSameAs(at(root, "bin/alias"));
    }

    @Test
    void replacingOrRemovingOneNameLeavesTheOthers() throws Exception {
        LayerChanges base = layer("1").file("a", "old").hardlink("b", "a").hardlink("c", "a").done();
        Node replaced = merge(base, layer("2").file("a", "new").done());
        assertThat(dump(replaced)).isEqualTo("""
                /a r=new
                /b r=old
                /c h->/b""");
        assertThat(at(replaced, "a").nlink()).isEqualTo(1);
        assertThat(at(replaced, "b").nlink()).isEqualTo(2);

        Node removed = merge(base, layer("2").file(".wh.a", "").file(".wh.c", "").done());
        assertThat(dump(removed)).isEqualTo("/b r=old");
        assertThat(at(removed, "b").nlink()).isEqualTo(1);
    }

    @Test
    void hardlinkToMissingTargetIsAnErrorNamingBoth() {
        assertThatThrownBy(() -> merge(layer("L").hardlink("x/link", "nowhere/file").done()))
                .isInstanceOf(LayerChangeException.class)
                .hasMessage("layer L: hardlink x/link -> nowhere/file: target does not exist");
        // a whiteout earlier in the same layer already removed the lower target
        assertThatThrownBy(() -> merge(layer("1").file("f", "f").done(),
                layer("2").hardlink("g", "f").file(".wh.f", "").done()))
                .hasMessageContaining("hardlink g -> f: target does not exist");
        assertThatThrownBy(() -> merge(layer("L").dir("d").hardlink("h", "d").done()))
                .hasMessage("layer L: hardlink h -> d: target is a directory");
    }

    @Test
    void nodesCarryContentDigestsDevicesAndXattrs() throws Exception {
        String big = "b".repeat(65);
        Node root = merge(layer("1").file("small", "s".repeat(64)).file("big", big).file("empty", "")
                .symlink("sym", "../t").fileWithXattr("x", "security.capability", "cap")
                .add(new Change.Entry(ByteString.of("sda"), FileMode.S_IFBLK | 0660, 0, 6, 0, 0, null, null, null,
                        Change.encodeDevice(8, 300)))
                .dir("d").dir("d/e").dir("d/f").done());
        assertThat(at(root, "small").content()).hasSize(64);
        assertThat(at(root, "small").digest()).isNull();
        Node b = at(root, "big");
        byte[] digest = FsVerityHasher.digestOf(big.getBytes());
        assertThat(b.content()).isNull();
        assertThat(b.digest()).isEqualTo(digest);
        assertThat(b.payload()).isEqualTo(ByteString.of(new ObjectDigest(digest).path()));
        assertThat(b.size()).isEqualTo(65);
        assertThat(at(root, "empty").size()).isZero();
        assertThat(at(root, "empty").content()).isNull();
        assertThat(at(root, "sym").payload()).isEqualTo(ByteString.of("../t"));
        assertThat(at(root, "sym").size()).isEqualTo(4);
        assertThat(at(root, "sda").rdev()).isEqualTo(44 | (8 << 8) | (256 << 12));
        assertThat(at(root, "x").xattrs()).containsExactly(
                Map.entry(ByteString.of("security.capability"), ByteString.of("cap")));
        assertThat(at(root, "d").nlink()).isEqualTo(4);
        assertThat(at(root, "d/e").nlink()).isEqualTo(2);
    }
}
