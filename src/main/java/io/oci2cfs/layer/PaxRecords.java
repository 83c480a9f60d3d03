package io.oci2cfs.layer;

import io.oci2cfs.tree.ByteString;
import java.io.ByteArrayOutputStream;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;

/**
 * The records of a PAX extended header, as raw bytes.
 *
 * <p>commons-compress decodes every PAX value as UTF-8, which corrupts binary xattr values (such as
 * {@code security.capability}) and names written with {@code hdrcharset=BINARY}, so the header data is
 * also parsed here. Format (POSIX pax, "extended header"): {@code "<length> <keyword>=<value>\n"} where
 * length counts the whole record in bytes.
 */
final class PaxRecords {
    static final ByteString PATH = ByteString.of("path");
    static final ByteString LINKPATH = ByteString.of("linkpath");
    /** GNU sparse formats 0.1 and 1.0 keep the real name here, the ustar name being a placeholder. */
    static final ByteString GNU_SPARSE_NAME = ByteString.of("GNU.sparse.name");
    private static final ByteString SCHILY_XATTR = ByteString.of("SCHILY.xattr.");
    /** libarchive: name URL-encoded, value base64 (libarchive archive_write_set_format_pax.c). */
    private static final ByteString LIBARCHIVE_XATTR = ByteString.of("LIBARCHIVE.xattr.");

    private PaxRecords() {
    }

    static Map<ByteString, ByteString> parse(byte[] data, String layer, String member) throws LayerFormatException {
        Map<ByteString, ByteString> records = new LinkedHashMap<>();
        int pos = 0;
        while (pos < data.length && data[pos] != 0) {
            int i = pos;
            long len = 0;
            while (i < data.length && data[i] >= '0' && data[i] <= '9' && len < Integer.MAX_VALUE) {
                len = len * 10 + (data[i++] - '0');
            }
            int eq = i;
            while (eq < pos + len && eq < data.length && data[eq] != '=') {
                eq++;
            }
            long end = pos + len;
            if (i == pos || i >= data.length || data[i] != ' ' || end > data.length || eq >= end - 1
                    || data[(int) end - 1] != '\n') {
                throw new LayerFormatException("layer " + layer + ": malformed PAX header before " + member);
            }
            records.put(ByteString.of(data, i + 1, eq - i - 1), ByteString.of(data, eq + 1, (int) end - eq - 2));
            pos = (int) end;
        }
        return records;
    }

    static NavigableMap<ByteString, ByteString> xattrs(Map<ByteString, ByteString> records, String layer,
            ByteString member) throws LayerFormatException {
        NavigableMap<ByteString, ByteString> xattrs = new TreeMap<>();
        for (Map.Entry<ByteString, ByteString> r : records.entrySet()) {
            ByteString key = r.getKey();
            if (key.startsWith(SCHILY_XATTR)) {
                xattrs.put(key.substring(SCHILY_XATTR.length()), r.getValue());
            } else if (key.startsWith(LIBARCHIVE_XATTR)) {
                ByteString value;
                try {
                    value = ByteString.wrap(Base64.getDecoder().decode(r.getValue().unsafeArray()));
                } catch (IllegalArgumentException e) {
                    throw new LayerFormatException("layer " + layer + ": tar member " + member + ": PAX record " + key
                            + " is not base64: " + e.getMessage(), e);
                }
                xattrs.put(urlDecode(key.substring(LIBARCHIVE_XATTR.length())), value);
            }
        }
        return xattrs;
    }

    private static ByteString urlDecode(ByteString s) {
        byte[] b = s.unsafeArray();
        ByteArrayOutputStream out = new ByteArrayOutputStream(b.length);
        for (int i = 0; i < b.length; i++) {
            if (b[i] == '%' && i + 2 < b.length && Character.digit(b[i + 1], 16) >= 0
                    && Character.digit(b[i + 2], 16) >= 0) {
                out.write(Character.digit(b[i + 1], 16) * 16 + Character.digit(b[i + 2], 16));
                i += 2;
            } else {
                out.write(b[i]);
            }
        }
        return ByteString.wrap(out.toByteArray());
    }
}
