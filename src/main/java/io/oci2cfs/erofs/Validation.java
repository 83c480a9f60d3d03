package io.oci2cfs.erofs;

import io.oci2cfs.tree.FileMode;
import io.oci2cfs.tree.Node;
import io.oci2cfs.tree.OverlayXattrs;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;

/**
 * §2 step 4: refuses the trees mkcomposefs 1.0.8 refuses, with the error it reports first. Each xattr budget
 * sees the same changes in the same order as in the reference's depth-first walk (a directory before its
 * children, children in name order), so the tree passes or fails alike; on a failure that walk is replayed to
 * report the error mkcomposefs reports first.
 */
final class Validation {
    private final Inodes inodes;
    private final int version;
    private final IdentityHashMap<Node, XattrBudget> dirBudgets = new IdentityHashMap<>();

    private Validation(Inodes inodes, int version) {
        this.inodes = inodes;
        this.version = version;
    }

    static void check(Inodes inodes, int version) throws UnrepresentableTreeException {
        try {
            new Validation(inodes, version).inInodeOrder();
        } catch (UnrepresentableTreeException e) {
            new Validation(inodes, version).inReferenceOrder();
            throw e;
        }
    }

    private void inInodeOrder() throws UnrepresentableTreeException {
        for (int i = 0; i < inodes.count(); i++) {
            if (!inodes.isRootWhiteout(inodes.node(i))) {
                check(inodes.node(i));
            }
        }
        checkRootBudget();
    }

    private void inReferenceOrder() throws UnrepresentableTreeException {
        ArrayList<Node> stack = new ArrayList<>();
        stack.add(inodes.root);
        while (!stack.isEmpty()) {
            Node n = stack.remove(stack.size() - 1);
            check(n);
            List<Node> kids = new ArrayList<>(n.children());
            for (int i = kids.size() - 1; i >= 0; i--) {
                if (!kids.get(i).isHardlink()) {
                    stack.add(kids.get(i));
                }
            }
        }
        checkRootBudget();
    }

    private void check(Node n) throws UnrepresentableTreeException {
        if (!FileMode.isValidType(n.mode())) {
            throw new UnrepresentableTreeException(n.path() + ": invalid mode " + Integer.toOctalString(n.mode()));
        }
        if (OverlayRewrite.isExternal(n) && Format.Chunks.count(n.size()) > Format.Chunks.MAX) {
            throw new UnrepresentableTreeException(n.path() + ": file too large (" + n.size() + " bytes)");
        }
        replayXattrBudget(n);
    }

    private void checkRootBudget() throws UnrepresentableTreeException {
        if (!budgetOf(inodes.root).set(OverlayXattrs.OPAQUE, 1)) {
            throw rangeError(inodes.root);
        }
    }

    /** The xattrs §7 adds to a node and to its parent, in the reference's order, against its size budget. */
    private void replayXattrBudget(Node n) throws UnrepresentableTreeException {
        boolean whiteout = Inodes.isSourceWhiteout(n);
        if (n.xattrs().isEmpty() && !whiteout) {
            // Nothing to replace, and metacopy plus a redirect of under 4 KiB cannot reach the limit.
            return;
        }
        boolean ok = true;
        if (OverlayRewrite.isExternal(n)) {
            XattrBudget b = budgetOf(n);
            ok = b.set(OverlayXattrs.METACOPY, n.digest() == null ? 0 : Format.Metacopy.SIZE);
            if (ok && n.payload() != null && n.payload().length() > 0) {
                ok = b.set(OverlayXattrs.REDIRECT, 1 + n.payload().length());
            }
        }
        if (ok && whiteout) {
            XattrBudget b = budgetOf(n);
            ok = b.set(OverlayXattrs.ESCAPED_WHITEOUT, 0) && b.set(OverlayXattrs.USER_WHITEOUT, 0);
            if (!ok) {
                throw rangeError(n);
            }
            XattrBudget p = budgetOf(n.parent());
            ok = p.set(OverlayXattrs.ESCAPED_WHITEOUTS, 0) && p.set(OverlayXattrs.USER_WHITEOUTS, 0)
                    && (version < 1 || p.set(OverlayXattrs.ESCAPED_OPAQUE, 1) && p.set(OverlayXattrs.USER_OPAQUE, 1));
            if (!ok) {
                throw rangeError(n.parent());
            }
        }
        if (!ok) {
            throw rangeError(n);
        }
    }

    private XattrBudget budgetOf(Node n) {
        if (!n.isDirectory()) {
            return new XattrBudget(n);
        }
        return dirBudgets.computeIfAbsent(n, XattrBudget::new);
    }

    private static UnrepresentableTreeException rangeError(Node n) {
        return new UnrepresentableTreeException(n.path() + ": xattrs exceed the size limit once rewritten for overlayfs"
                + " (mkcomposefs 1.0.8: Numerical result out of range)");
    }
}
