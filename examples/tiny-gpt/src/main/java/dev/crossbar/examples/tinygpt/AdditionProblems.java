package dev.crossbar.examples.tinygpt;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Additions of two operands below 1000, written as text the model reads one character at a time. Operands are
 * zero-padded to three digits and the four-digit sum is written least significant digit first, so the model
 * produces each digit after the digits whose carry it needs: {@code 317+45=362} is the text {@code 317+045=2630.}.
 * A fixed set of held-out problems is drawn first; training problems are drawn from the rest, so the two never meet.
 */
public final class AdditionProblems {
    /** Operands are below this. */
    public static final int OPERAND_LIMIT = 1000;
    static final int OPERAND_DIGITS = 3;
    static final int SUM_DIGITS = 4;

    static final int PLUS = 10;
    static final int EQUALS = 11;
    static final int END = 12;
    /** Character ids: the ten digits, {@code +}, {@code =} and the end mark {@code .}. */
    public static final int VOCABULARY = 13;
    private static final String CHARACTERS = "0123456789+=.";

    /** {@code ddd+ddd=}: what the model is given. */
    public static final int PROMPT_LENGTH = 2 * OPERAND_DIGITS + 2;
    /** The reversed sum's digits and the end mark: what the model must write. */
    public static final int ANSWER_LENGTH = SUM_DIGITS + 1;
    /** The whole text, prompt and answer. */
    public static final int TEXT_LENGTH = PROMPT_LENGTH + ANSWER_LENGTH;
    /** The model reads every character but the last and predicts the next one at each position. */
    public static final int CONTEXT = TEXT_LENGTH - 1;
    /** Cross-entropy skips positions whose target is this (PyTorch's default ignore index). */
    public static final int IGNORED = -100;

    private final BitSet heldOut = new BitSet(OPERAND_LIMIT * OPERAND_LIMIT);
    private final int[] heldOutProblems;
    private final SplittableRandom random;

    /**
     * Draws the held-out problems; later training batches come from the same random stream.
     *
     * @param seed the random seed
     * @param heldOutCount how many distinct problems to hold out
     */
    public AdditionProblems(long seed, int heldOutCount) {
        if (heldOutCount < 1 || heldOutCount > OPERAND_LIMIT * OPERAND_LIMIT / 2) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "held-out problem count must be in [1, %d], got %d", OPERAND_LIMIT * OPERAND_LIMIT / 2, heldOutCount));
        }
        random = new SplittableRandom(seed);
        heldOutProblems = new int[heldOutCount];
        for (int i = 0; i < heldOutCount; ) {
            int problem = random.nextInt(OPERAND_LIMIT * OPERAND_LIMIT);
            if (!heldOut.get(problem)) {
                heldOut.set(problem);
                heldOutProblems[i++] = problem;
            }
        }
    }

    /**
     * Inputs {@code [batch, CONTEXT]} and next-character targets {@code [batch * CONTEXT]}, prompt positions ignored.
     *
     * @param inputs character ids, {@code size} rows of {@link #CONTEXT}
     * @param targets the next character at each input position, or {@link #IGNORED}
     * @param size the number of problems
     */
    public record Batch(int[] inputs, int[] targets, int size) {
        /**
         * Returns problems {@code [from, to)} of this batch, as a data-parallel rank takes its slice of the global batch.
         *
         * @param from the first problem
         * @param to the problem after the last one
         * @return the slice, copied
         */
        public Batch rows(int from, int to) {
            if (from < 0 || to > size || from > to) {
                throw new IndexOutOfBoundsException(String.format(Locale.ROOT, "rows [%d, %d) of a batch of %d problems", from, to, size));
            }
            return new Batch(Arrays.copyOfRange(inputs, from * CONTEXT, to * CONTEXT), Arrays.copyOfRange(targets, from * CONTEXT, to * CONTEXT), to - from);
        }
    }

    /**
     * Draws training problems, never a held-out one.
     *
     * @param size the number of problems
     * @return the batch
     */
    public Batch trainingBatch(int size) {
        int[] inputs = new int[size * CONTEXT];
        int[] targets = new int[size * CONTEXT];
        int[] text = new int[TEXT_LENGTH];
        for (int row = 0; row < size; row++) {
            int problem;
            do {
                problem = random.nextInt(OPERAND_LIMIT * OPERAND_LIMIT);
            } while (heldOut.get(problem));
            encode(left(problem), right(problem), text);
            System.arraycopy(text, 0, inputs, row * CONTEXT, CONTEXT);
            for (int position = 0; position < CONTEXT; position++) {
                // The character at position + 1 is learned only where it belongs to the answer.
                targets[row * CONTEXT + position] = position + 1 >= PROMPT_LENGTH ? text[position + 1] : IGNORED;
            }
        }
        return new Batch(inputs, targets, size);
    }

    /**
     * Returns the held-out problems as {@code left * 1000 + right}.
     *
     * @return the problems, in the order drawn
     */
    public int[] heldOutProblems() {
        return heldOutProblems.clone();
    }

    static int left(int problem) {
        return problem / OPERAND_LIMIT;
    }

    static int right(int problem) {
        return problem % OPERAND_LIMIT;
    }

    /** Writes the full text of {@code left + right} as character ids into {@code text[0, TEXT_LENGTH)}. */
    static void encode(int left, int right, int[] text) {
        writeDigits(left, OPERAND_DIGITS, text, 0, false);
        text[OPERAND_DIGITS] = PLUS;
        writeDigits(right, OPERAND_DIGITS, text, OPERAND_DIGITS + 1, false);
        text[PROMPT_LENGTH - 1] = EQUALS;
        writeDigits(left + right, SUM_DIGITS, text, PROMPT_LENGTH, true);
        text[TEXT_LENGTH - 1] = END;
    }

    private static void writeDigits(int value, int digits, int[] text, int start, boolean leastSignificantFirst) {
        int rest = value;
        for (int i = 0; i < digits; i++) {
            int position = leastSignificantFirst ? start + i : start + digits - 1 - i;
            text[position] = rest % 10;
            rest /= 10;
        }
    }

    /**
     * Reads the sum from a written answer: the reversed digits followed by the end mark.
     *
     * @param text character ids, the answer at {@code [PROMPT_LENGTH, TEXT_LENGTH)}
     * @return the sum, or -1 when the answer is not four digits and the end mark
     */
    static int readSum(int[] text) {
        if (text[TEXT_LENGTH - 1] != END) {
            return -1;
        }
        int sum = 0;
        for (int i = SUM_DIGITS - 1; i >= 0; i--) {
            int digit = text[PROMPT_LENGTH + i];
            if (digit > 9) {
                return -1;
            }
            sum = sum * 10 + digit;
        }
        return sum;
    }

    /**
     * Renders character ids as the text the model reads and writes.
     *
     * @param text character ids
     * @param from the first position rendered
     * @param to the position after the last one rendered
     * @return the text, such as {@code 317+045=2630.}
     */
    static String render(int[] text, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            out.append(CHARACTERS.charAt(text[i]));
        }
        return out.toString();
    }
}
