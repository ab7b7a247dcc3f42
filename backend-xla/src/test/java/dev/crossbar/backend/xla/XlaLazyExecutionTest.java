package dev.crossbar.backend.xla;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.spi.Philox;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Lazy recording, materialization and the compilation cache of the xla backend, run on XLA:CPU. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class XlaLazyExecutionTest {
    private XlaBackend backend;
    private TensorScope root;

    @BeforeAll
    void createBackend() {
        backend = VerificationBackend.create();
        root = TensorScope.root(backend, backend.devices().getFirst());
    }

    @AfterAll
    void closeBackend() {
        if (root != null) {
            root.close();
            backend.close();
        }
    }

    @Test
    void opsAreRecordedUntilValuesAreReadThenRunAsOneProgram() {
        try (TensorScope scope = root.child()) {
            float[] xs = {1, 2, 3, 4, 5, 6};
            float[] ws = {0.5f, -1, 0.25f, 2, 0.1f, 0.3f, -0.7f, 0.05f, 1.5f, -0.2f, 0.6f, -0.4f};
            long before = backend.engine().executions();
            Tensor y = scope.fromArray(xs, 2, 3).matmul(scope.fromArray(ws, 3, 4)).tanh().sum(1);
            assertEquals(before, backend.engine().executions(), "nothing runs before a value is read");

            float[] actual = y.toFloatArray();

            assertEquals(before + 1, backend.engine().executions(), "reading runs the recorded ops as one program");
            float[] expected = new float[2];
            for (int i = 0; i < 2; i++) {
                double row = 0;
                for (int j = 0; j < 4; j++) {
                    double dot = 0;
                    for (int k = 0; k < 3; k++) {
                        dot += xs[i * 3 + k] * (double) ws[k * 4 + j];
                    }
                    row += Math.tanh(dot);
                }
                expected[i] = (float) row;
            }
            assertArrayEquals(expected, actual, 1e-5f);
        }
    }

    @Test
    void aGraphOfTheSameStructureCompilesOnceWhateverItsScalarsAndData() {
        try (TensorScope scope = root.child()) {
            long[] compilations = new long[4];
            for (int step = 0; step < 4; step++) {
                Tensor x = scope.fromArray(new float[] {step, step + 1, step + 2}, 3);
                float[] out = x.mul(step + 0.5).add(scope.full(Shape.of(3), step, DType.F32)).toFloatArray();
                assertArrayEquals(new float[] {step * (step + 0.5f) + step, (step + 1) * (step + 0.5f) + step, (step + 2) * (step + 0.5f) + step}, out, 1e-6f);
                compilations[step] = backend.engine().compilations();
            }
            assertEquals(compilations[0], compilations[3], "scalars and data are arguments, so later steps reuse the first compilation");
            assertTrue(compilations[0] >= 1);
        }
    }

    @Test
    void philoxInStableHloDrawsTheReferenceNumbersBitForBit() {
        long seed = 0x1234_5678_9ABCL;
        long offset = (1L << 32) - 3; // the counter's low word wraps inside the draw
        int n = 4 * 7 + 3;
        try (TensorScope scope = root.child()) {
            double[] uniform = scope.randUniform(Shape.of(n), DType.F64, seed, offset, -2, 5).toDoubleArray();
            float[] uniform32 = scope.randUniform(Shape.of(n), DType.F32, seed, offset, -2, 5).toFloatArray();
            double[] normal = scope.randNormal(Shape.of(n), DType.F64, seed, offset, 1, 3).toDoubleArray();
            int[] words = new int[4];
            double[] normals = new double[4];
            for (int i = 0; i < n; i++) {
                Philox.block(seed, offset + i / 4, words);
                Philox.normals(words, normals);
                double u = -2 + 7 * Philox.uniform(words[i % 4]);
                assertEquals(Double.doubleToRawLongBits(u), Double.doubleToRawLongBits(uniform[i]), "uniform F64 element " + i);
                assertEquals(Float.floatToRawIntBits((float) u), Float.floatToRawIntBits(uniform32[i]), "uniform F32 element " + i);
                // log, sin and cos come from XLA's math library instead of Java's: equal within a few ulps.
                assertEquals(1 + 3 * normals[i % 4], normal[i], 1e-13, "normal F64 element " + i);
            }
        }
    }

    @Test
    void stridedViewsAreReadAndWrittenThroughLayoutOpsOrComputedIndices() {
        try (TensorScope scope = root.child()) {
            float[] values = new float[24];
            for (int i = 0; i < values.length; i++) {
                values[i] = i;
            }
            Tensor x = scope.fromArray(values, 4, 6);
            // Strides [6, 4] do not nest (6 is no multiple of 4): read with a gather of computed flat indices.
            assertArrayEquals(new float[] {0, 4, 6, 10, 12, 16, 18, 22}, x.slice(1, 0, 6, 4).contiguous().toFloatArray());
            // Strides [1, 12] nest: read with reshape, slice and transpose.
            assertArrayEquals(new float[] {0, 12, 1, 13, 2, 14}, x.slice(0, 0, 4, 2).transpose(0, 1).slice(0, 0, 3).contiguous().toFloatArray());

            Tensor y = scope.fromArray(values, 4, 6);
            y.slice(1, 1, 6, 2).assign(scope.full(Shape.of(4, 3), -1, DType.F32));
            y.slice(0, 3, 4).assign(scope.full(Shape.of(1, 6), 7, DType.F32));
            float[] expected = values.clone();
            for (int r = 0; r < 4; r++) {
                for (int c = 0; c < 6; c++) {
                    expected[r * 6 + c] = r == 3 ? 7 : c % 2 == 1 ? -1 : values[r * 6 + c];
                }
            }
            assertArrayEquals(expected, y.toFloatArray(), "a strided write (masked scatter) and a contiguous one (concatenation)");
        }
    }
}
