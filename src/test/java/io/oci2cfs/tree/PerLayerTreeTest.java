package io.oci2cfs.tree;

import static io.oci2cfs.tree.Layers.at;
import static io.oci2cfs.tree.Layers.dump;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class PerLayerTreeTest {
    private static final Map.Entry<ByteString, ByteString> OPAQUE =
            Map.entry(ByteString.of("trusted.overlay.opaque"), ByteString.of("y"));

    @Test
    void whiteoutsBecomeOverlayWhiteoutDevices() throws Exception {
        Node root = PerLayerTree.build(new Layers("1").dir("etc").file("etc/.wh.passwd", "").file(".wh.tmp", "")
                .done());
        assertThat(dump(root)).isEqualTo("""
                /etc d
                /etc/passwd m20000 rdev=0
                /tmp m20000 rdev=0""");
    }

    @Test
    void opaqueMarkerBecomesXattrEvenOnUnlistedDirectory() throws Exception {
        Node root = PerLayerTree.build(new Layers("1").dir("d").file("d/.wh..wh..opq", "").file("d/f", "f")
                .file("e/.wh..wh..opq", "").done());
        assertThat(at(root, "d").xattrs()).containsExactly(OPAQUE);
        assertThat(at(root, "e").xattrs()).containsExactly(OPAQUE);
        assertThat(dump(root)).isEqualTo("""
                /d d
                /d/f r=f
                /e d""");
    }

    @Test
    void entryOfTheLayerWinsOverItsWhiteoutAndADirectoryBecomesOpaque() throws Exception {
        Node root = PerLayerTree.build(new Layers("1").file(".wh.f", "").file("f", "new").dir("d").file(".wh.d", "")
                .done());
        assertThat(dump(root)).isEqualTo("""
                /d d
                /f r=new""");
        assertThat(at(root, "d").xattrs()).containsExactly(OPAQUE);
        assertThat(at(root, "f").xattrs()).isEmpty();
    }

    @Test
    void hardlinksWithinTheLayer() throws Exception {
        Node root = PerLayerTree.build(new Layers("1").file("x", "x").hardlink("y", "x").done());
        assertThat(at(root, "x").nlink()).isEqualTo(2);
        assertThat(at(root, "y").linkTarget()).isSameAs(at(root, "x"));
    }
}
