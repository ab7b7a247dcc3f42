package dev.crossbar.api.sharding;

import java.util.Locale;

/**
 * Splits one tensor dimension among the ranks of a mesh axis into equal chunks of {@code ceil(d / n)} rows, as FSDP2
 * does: rank {@code i} holds rows {@code [i * chunk, (i + 1) * chunk)}, and the rows past the end of the dimension are
 * zeros (padding), so every rank holds the same shape and collectives need no uneven splits.
 *
 * @param dim the tensor dimension that is split, at least 0
 */
public record Shard(int dim) implements Placement {
    /**
     * Checks the dimension.
     *
     * @param dim the tensor dimension that is split, at least 0
     */
    public Shard {
        if (dim < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Shard dim must be >= 0, got %d; count dimensions from 0", dim));
        }
    }

    /**
     * Returns the padded chunk length of a dimension split into {@code parts}.
     *
     * @param length the dimension's length
     * @param parts the number of ranks
     * @return {@code ceil(length / parts)}
     */
    public static int chunk(int length, int parts) {
        return (length + parts - 1) / parts;
    }
}
