package dev.crossbar.backend.neuron;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The sequence lengths programs are compiled for. Neuron compiles static shapes only, and each shape costs a compilation
 * of minutes, so a variable sequence length is padded up to the smallest bucket that holds it: one compiled program
 * per bucket instead of one per length.
 */
final class SequenceBuckets {
    private final List<Integer> lengths;

    private SequenceBuckets(List<Integer> lengths) {
        this.lengths = List.copyOf(lengths);
    }

    /**
     * Buckets of the given lengths.
     *
     * @throws NeuronConfigurationException if the lengths are empty, not positive or not strictly increasing
     */
    static SequenceBuckets of(int... lengths) {
        List<Integer> list = new ArrayList<>();
        for (int i = 0; i < lengths.length; i++) {
            if (lengths[i] < 1 || (i > 0 && lengths[i] <= lengths[i - 1])) {
                throw new NeuronConfigurationException(String.format(Locale.ROOT,
                        "sequence buckets must be positive and strictly increasing, not %s", Arrays.toString(lengths)));
            }
            list.add(lengths[i]);
        }
        if (list.isEmpty()) {
            throw new NeuronConfigurationException("at least one sequence bucket is needed");
        }
        return new SequenceBuckets(list);
    }

    /** Powers of two from {@code smallest} to {@code largest}, both powers of two: 128, 256, ..., 4096. */
    static SequenceBuckets powersOfTwo(int smallest, int largest) {
        if (Integer.bitCount(smallest) != 1 || Integer.bitCount(largest) != 1 || smallest > largest) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT,
                    "power-of-two buckets need powers of two with smallest <= largest, not %d and %d", smallest, largest));
        }
        List<Integer> list = new ArrayList<>();
        for (int length = smallest; length <= largest && length > 0; length <<= 1) {
            list.add(length);
        }
        return new SequenceBuckets(list);
    }

    List<Integer> lengths() {
        return lengths;
    }

    /**
     * Returns the bucket a sequence is padded to.
     *
     * @throws NeuronConfigurationException naming the length and the buckets if it is longer than the largest bucket
     */
    int bucketFor(int length) {
        if (length < 1) {
            throw new NeuronConfigurationException("a sequence length is at least 1, not " + length);
        }
        for (int bucket : lengths) {
            if (bucket >= length) {
                return bucket;
            }
        }
        throw new NeuronConfigurationException(String.format(Locale.ROOT,
                "sequence length %d is longer than the largest bucket of %s; add a bucket of at least %d or truncate the sequence",
                length, lengths, length));
    }

    @Override
    public String toString() {
        return "sequence buckets " + lengths;
    }
}
