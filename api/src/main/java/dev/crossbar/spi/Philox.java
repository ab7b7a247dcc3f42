package dev.crossbar.spi;

/**
 * Philox4x32-10, the counter-based generator of Salmon et al. (Random123, SC'11), and the mapping from its words to
 * the numbers every backend's rng kernels must produce.
 *
 * <p>Element {@code i} (row-major) of a tensor drawn with {@code (seed, offset)} uses counter block
 * {@code offset + i / 4} (the 128-bit counter {@code {lo32, hi32, 0, 0}} of that 64-bit value, key
 * {@code {lo32(seed), hi32(seed)}}) and word {@code i % 4}. A uniform number is {@code (word >>> 8) * 2^-24} in
 * [0, 1). Normal numbers pair words (0, 1) and (2, 3) with the Box-Muller transform, using
 * {@code ((word >>> 8) + 0.5) * 2^-24} in (0, 1) so the logarithm is finite. A draw of n elements advances the
 * offset by {@code ceil(n / 4)} blocks.
 */
public final class Philox {
    private static final int M0 = 0xD2511F53;
    private static final int M1 = 0xCD9E8D57;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    private static final double TWO_POW_MINUS_24 = 0x1.0p-24;

    private Philox() {
    }

    /**
     * Computes one Philox4x32-10 block.
     *
     * @param counter the four counter words
     * @param key the two key words
     * @param out receives the four output words
     */
    public static void block(int[] counter, int[] key, int[] out) {
        int c0 = counter[0], c1 = counter[1], c2 = counter[2], c3 = counter[3];
        int k0 = key[0], k1 = key[1];
        for (int round = 0; round < 10; round++) {
            long p0 = (M0 & 0xFFFFFFFFL) * (c0 & 0xFFFFFFFFL);
            long p1 = (M1 & 0xFFFFFFFFL) * (c2 & 0xFFFFFFFFL);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n1 = (int) p1;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            int n3 = (int) p0;
            c0 = n0;
            c1 = n1;
            c2 = n2;
            c3 = n3;
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /**
     * Computes the block Crossbar uses for a seed and a 64-bit counter value.
     *
     * @param seed the seed (the key)
     * @param blockIndex the counter value, {@code offset + i / 4}
     * @param out receives the four words
     */
    public static void block(long seed, long blockIndex, int[] out) {
        block(new int[] {(int) blockIndex, (int) (blockIndex >>> 32), 0, 0}, new int[] {(int) seed, (int) (seed >>> 32)}, out);
    }

    /**
     * Maps a word to a uniform number in [0, 1).
     *
     * @param word a Philox output word
     * @return the number
     */
    public static double uniform(int word) {
        return (word >>> 8) * TWO_POW_MINUS_24;
    }

    /**
     * Computes the normal numbers of one block with the Box-Muller transform.
     *
     * @param words the four words of a block
     * @param out receives four standard normal numbers
     */
    public static void normals(int[] words, double[] out) {
        for (int pair = 0; pair < 2; pair++) {
            double u1 = ((words[2 * pair] >>> 8) + 0.5) * TWO_POW_MINUS_24;
            double u2 = ((words[2 * pair + 1] >>> 8) + 0.5) * TWO_POW_MINUS_24;
            double r = Math.sqrt(-2.0 * Math.log(u1));
            double theta = 2.0 * Math.PI * u2;
            out[2 * pair] = r * Math.cos(theta);
            out[2 * pair + 1] = r * Math.sin(theta);
        }
    }

    /**
     * Returns how many counter blocks a draw of {@code n} elements uses, the amount to advance the offset by.
     *
     * @param n elements drawn
     * @return blocks used
     */
    public static long blocksFor(long n) {
        return (n + 3) / 4;
    }
}
