package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Philox;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The rng kernels against {@link Philox} called directly, element by element, as its javadoc maps words to numbers. */
class RandomKernelTest extends CpuScopeFixture {
    private static final long SEED = 0x1234_5678_9ABC_DEF0L;

    @Test
    void uniformNumbersEqualPhiloxWords() {
        long offset = 5;
        double[] drawn = scope.randUniform(Shape.of(3, 7), DType.F64, SEED, offset, -2, 3).toDoubleArray();
        int[] words = new int[4];
        for (int i = 0; i < drawn.length; i++) {
            Philox.block(SEED, offset + i / 4, words);
            assertEquals(-2 + 5 * Philox.uniform(words[i % 4]), drawn[i], 0, "element " + i);
        }
    }

    @Test
    void normalNumbersEqualPhiloxBoxMuller() {
        double[] drawn = scope.randNormal(Shape.of(10), DType.F64, SEED, 0, 1, 2).toDoubleArray();
        int[] words = new int[4];
        double[] normals = new double[4];
        for (int i = 0; i < drawn.length; i++) {
            Philox.block(SEED, i / 4, words);
            Philox.normals(words, normals);
            assertEquals(1 + 2 * normals[i % 4], drawn[i], 0, "element " + i);
        }
    }

    @Test
    void narrowTypesRoundTheSameNumbers() {
        double[] wide = scope.randNormal(Shape.of(9), DType.F64, SEED, 3, 0, 1).toDoubleArray();
        float[] single = scope.randNormal(Shape.of(9), DType.F32, SEED, 3, 0, 1).toFloatArray();
        float[] half = scope.randNormal(Shape.of(9), DType.F16, SEED, 3, 0, 1).toFloatArray();
        for (int i = 0; i < wide.length; i++) {
            assertEquals((float) wide[i], single[i]);
            assertEquals(Float.float16ToFloat(Float.floatToFloat16((float) wide[i])), half[i]);
        }
    }

    @Test
    void consecutiveDrawsContinueOneStream() {
        double[] whole = scope.randUniform(Shape.of(20), DType.F64, SEED, 0, 0, 1).toDoubleArray();
        double[] first = scope.randUniform(Shape.of(10), DType.F64, SEED, 0, 0, 1).toDoubleArray();
        double[] next = scope.randUniform(Shape.of(8), DType.F64, SEED, Philox.blocksFor(10), 0, 1).toDoubleArray();
        assertArrayEquals(Arrays.copyOfRange(whole, 0, 10), first);
        assertArrayEquals(Arrays.copyOfRange(whole, 12, 20), next);
    }

    @Test
    void largeDrawsAreTheSameInParallel() {
        int n = 100_003;
        double[] drawn = scope.randUniform(Shape.of(n), DType.F64, SEED, 0, 0, 1).toDoubleArray();
        int[] words = new int[4];
        for (int i = 0; i < n; i++) {
            Philox.block(SEED, i / 4, words);
            assertEquals(Philox.uniform(words[i % 4]), drawn[i], 0);
        }
    }
}
