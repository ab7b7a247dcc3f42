package dev.crossbar.examples.tinygpt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.runtime.Crossbar;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class TinyGptTest {
    private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

    /** A one-block model small enough to train for a few dozen steps in seconds. */
    private static AdditionTrainer.Settings small(int steps, long seed) {
        return new AdditionTrainer.Settings(steps, seed, 32, 32, 1, 2, 1e-2, steps / 10, 1, steps);
    }

    private static AdditionTrainer.Result train(AdditionTrainer.Settings settings, PrintStream out) {
        try (Crossbar crossbar = Crossbar.builder().backend("cpu").build()) {
            return TinyGpt.run(crossbar, settings, out);
        }
    }

    @Test
    void theTextFormatPadsTheOperandsAndReversesTheSum() {
        int[] text = new int[AdditionProblems.TEXT_LENGTH];
        AdditionProblems.encode(317, 45, text);
        assertEquals("317+045=2630.", AdditionProblems.render(text, 0, text.length));
        assertEquals(362, AdditionProblems.readSum(text));
        text[AdditionProblems.TEXT_LENGTH - 1] = 0;
        assertEquals(-1, AdditionProblems.readSum(text), "an answer without the end mark is wrong");
    }

    @Test
    void trainingBatchesNeverContainAHeldOutProblemAndLearnOnlyTheAnswer() {
        AdditionProblems problems = new AdditionProblems(3, 200_000);
        Set<Integer> heldOut = Arrays.stream(problems.heldOutProblems()).boxed().collect(Collectors.toSet());
        AdditionProblems.Batch batch = problems.trainingBatch(500);
        for (int row = 0; row < batch.size(); row++) {
            int[] input = Arrays.copyOfRange(batch.inputs(), row * AdditionProblems.CONTEXT, (row + 1) * AdditionProblems.CONTEXT);
            int left = input[0] * 100 + input[1] * 10 + input[2];
            int right = input[4] * 100 + input[5] * 10 + input[6];
            assertFalse(heldOut.contains(left * AdditionProblems.OPERAND_LIMIT + right), left + "+" + right + " is held out");
            int[] targets = Arrays.copyOfRange(batch.targets(), row * AdditionProblems.CONTEXT, (row + 1) * AdditionProblems.CONTEXT);
            int[] text = new int[AdditionProblems.TEXT_LENGTH];
            AdditionProblems.encode(left, right, text);
            for (int position = 0; position < AdditionProblems.CONTEXT; position++) {
                int expected = position < AdditionProblems.PROMPT_LENGTH - 1 ? AdditionProblems.IGNORED : text[position + 1];
                assertEquals(expected, targets[position], "target at position " + position + " of " + AdditionProblems.render(text, 0, text.length));
            }
        }
    }

    @Test
    void theLossFallsBelow1point7Within40Steps() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AdditionTrainer.Result result = train(small(40, 1), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        double[] losses = result.losses();
        String log = bytes.toString(StandardCharsets.UTF_8) + Arrays.toString(losses);
        assertTrue(losses[0] > 2.0, "an untrained model is near chance on 13 characters: " + log);
        assertTrue(losses[losses.length - 1] < 1.7, log);
        List<String> lines = log.lines().toList();
        assertEquals("Backend cpu, device cpu:0", lines.getFirst(), log);
    }

    @Test
    void theSameSeedGivesBitIdenticalLosses() {
        double[] first = train(small(6, 5), DISCARD).losses();
        double[] second = train(small(6, 5), DISCARD).losses();
        double[] otherSeed = train(small(6, 6), DISCARD).losses();
        assertArrayEquals(bits(first), bits(second), Arrays.toString(first) + " vs " + Arrays.toString(second));
        assertFalse(Arrays.equals(bits(first), bits(otherSeed)), "another seed must give other losses: " + Arrays.toString(first));
    }

    private static long[] bits(double[] values) {
        return Arrays.stream(values).mapToLong(Double::doubleToLongBits).toArray();
    }
}
