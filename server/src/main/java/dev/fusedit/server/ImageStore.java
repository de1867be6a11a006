package dev.fusedit.server;

import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * PNGs kept in memory for {@code url} results, the oldest dropped past a bound. Ids are made here
 * (128 random bits as hex) and looked up only when they have that form, so nothing a client sends
 * ever names a file.
 */
final class ImageStore {
    private static final Pattern ID = Pattern.compile("[0-9a-f]{32}");
    private final SecureRandom random = new SecureRandom();
    private final Map<String, byte[]> images;

    ImageStore(int kept) {
        this.images = new LinkedHashMap<>(16, 0.75f, false) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, byte[]> eldest) {
                return size() > kept;
            }
        };
    }

    synchronized String put(byte[] png) {
        byte[] bits = new byte[16];
        random.nextBytes(bits);
        String id = HexFormat.of().formatHex(bits);
        images.put(id, png);
        return id;
    }

    /** The PNG of an id, or null when the id is unknown, dropped or not of the form ids have. */
    synchronized byte[] get(String id) {
        return id != null && ID.matcher(id).matches() ? images.get(id) : null;
    }
}
