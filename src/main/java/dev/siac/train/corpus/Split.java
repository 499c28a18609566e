package dev.siac.train.corpus;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The fixed train/validation split. A piece goes to validation when a hash of its id falls in the
 * lowest {@link #VALID_PER_MILLE} of the hash range, so the split depends on nothing but the id: not on
 * the seed, the order of discovery or the other pieces. The only exception is the guarantee that every
 * source with at least two pieces has some validation material: if hashing put none of its pieces in
 * validation, the piece with the lowest hash goes there.
 */
public final class Split {

    public static final String TRAIN = "train";
    public static final String VALID = "valid";
    /** About 10% of pieces are held out. */
    public static final int VALID_PER_MILLE = 100;

    private Split() {
    }

    /** First 8 bytes of SHA-256: stable across JVMs and versions, unlike String.hashCode. */
    public static long hash64(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            long h = 0;
            for (int i = 0; i < 8; i++) h = (h << 8) | (d[i] & 0xFF);
            return h;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 missing from the JDK", e);
        }
    }

    /** Position of a piece in [0, 1000): the split looks only at this. */
    public static int perMille(String piece) {
        return (int) Long.remainderUnsigned(hash64("split:" + piece), 1000);
    }

    /** The split a piece gets by its hash alone. */
    public static String byHash(String piece) {
        return perMille(piece) < VALID_PER_MILLE ? VALID : TRAIN;
    }

    /**
     * Splits for all pieces, grouped by source: {@code piecesBySource} maps a source name to its piece ids.
     * Returns piece id to split. A piece id that appears under two sources gets one split (validation wins).
     */
    public static Map<String, String> assign(Map<String, ? extends Collection<String>> piecesBySource) {
        Map<String, String> out = new HashMap<>();
        for (Map.Entry<String, ? extends Collection<String>> e : new TreeMap<>(piecesBySource).entrySet()) {
            Set<String> pieces = new TreeSet<>(e.getValue());
            boolean anyValid = false;
            for (String p : pieces) {
                String s = byHash(p);
                anyValid |= s.equals(VALID);
                out.merge(p, s, (a, b) -> a.equals(VALID) || b.equals(VALID) ? VALID : TRAIN);
            }
            if (!anyValid && pieces.size() >= 2) {
                String forced = pieces.stream()
                        .min(Comparator.comparingInt(Split::perMille).thenComparing(Comparator.naturalOrder()))
                        .orElseThrow();
                out.put(forced, VALID);
            }
        }
        return out;
    }
}
