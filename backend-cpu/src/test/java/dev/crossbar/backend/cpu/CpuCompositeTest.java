package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Functional;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.conformance.CompositeSuite;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.AdamWKernel;
import dev.crossbar.spi.kernel.GeluKernel;
import dev.crossbar.spi.kernel.LayerNormKernel;
import dev.crossbar.spi.kernel.SoftmaxKernel;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * Runs the composite-op checks of the conformance kit on the cpu backend, whose F32 softmax, GELU, layer normalization
 * and AdamW are fused, and checks the fused BF16 GELU and layer normalization against the F32 ones.
 */
class CpuCompositeTest extends CompositeSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }

    @Test
    void theFusedKernelsServeContiguousF32SoTheSuiteChecksThem() {
        try (var buffer = backend().allocate(backend().devices().getFirst(), 4 * 12)) {
            TensorView f32 = TensorView.contiguous(buffer, DType.F32, Shape.of(3, 4));
            TensorView row = TensorView.contiguous(buffer, DType.F32, Shape.of(4));
            assertTrue(backend().kernels().fused(SoftmaxKernel.class).orElseThrow().serves(f32));
            assertTrue(backend().kernels().fused(AdamWKernel.class).orElseThrow().serves(f32, f32, f32, f32));
            assertTrue(backend().kernels().fused(GeluKernel.class).orElseThrow().serves(f32));
            assumeVectorLoops();
            assertTrue(backend().kernels().fused(LayerNormKernel.class).orElseThrow().serves(f32, row, row));
        }
    }

    /**
     * BF16 inputs are widened exactly and the result rounded once, so on BF16 values the fused BF16 softmax, GELU,
     * layer normalization and the last two's input gradients equal the F32 results rounded to BF16, bit for bit; the weight's and
     * bias's gradients, summed in double over row blocks, within one BF16 rounding of the F32 ones.
     */
    @Test
    void fusedBf16ResultsAreTheF32ResultsRoundedOnce() {
        assumeVectorLoops();
        int rows = 6;
        for (int d : new int[] {7, 128, 1500}) {
            try (TensorScope scope = root().child()) {
                Tensor x32 = bf16Values(scope, d, rows, d, -3, 3);
                Tensor u32 = bf16Values(scope, d + 1, rows, d, -1, 1);
                Tensor w32 = bf16Values(scope, d + 2, 1, d, 0.5, 1.5).reshape(d);
                Tensor b32 = bf16Values(scope, d + 3, 1, d, -1, 1).reshape(d);
                Tensor x16 = x32.cast(DType.BF16);
                Tensor w16 = w32.cast(DType.BF16);
                Tensor b16 = b32.cast(DType.BF16);
                assertTrue(backend().kernels().fused(LayerNormKernel.class).orElseThrow().serves(x16.view(), w16.view(), b16.view()));
                assertTrue(backend().kernels().fused(GeluKernel.class).orElseThrow().serves(x16.view()));
                assertTrue(backend().kernels().fused(SoftmaxKernel.class).orElseThrow().serves(x16.view()));
                for (Functional.GeluApproximation form : Functional.GeluApproximation.values()) {
                    String what = "gelu " + form + ", rows of " + d;
                    Tensor single = x32.detach().requiresGrad(true);
                    Tensor half = x16.detach().requiresGrad(true);
                    Tensor y32 = Functional.gelu(single, form);
                    Tensor y16 = Functional.gelu(half, form);
                    assertEquals(DType.BF16, y16.dtype());
                    assertArrayEquals(roundedToBf16(y32), y16.toFloatArray(), what);
                    y32.mul(u32).sum().backward();
                    y16.mul(u32.cast(DType.BF16)).sum().backward();
                    assertArrayEquals(roundedToBf16(single.grad().orElseThrow()), half.grad().orElseThrow().toFloatArray(), what + ", gradient");
                }
                for (boolean log : new boolean[] {false, true}) {
                    Tensor y32 = log ? Functional.logSoftmax(x32, -1) : Functional.softmax(x32, -1);
                    Tensor y16 = log ? Functional.logSoftmax(x16, -1) : Functional.softmax(x16, -1);
                    assertArrayEquals(roundedToBf16(y32), y16.toFloatArray(), (log ? "log_softmax" : "softmax") + ", rows of " + d);
                }
                Tensor[] single = {x32.detach().requiresGrad(true), w32.detach().requiresGrad(true), b32.detach().requiresGrad(true)};
                Tensor[] half = {x16.detach().requiresGrad(true), w16.detach().requiresGrad(true), b16.detach().requiresGrad(true)};
                Tensor y32 = Functional.layerNorm(single[0], single[1], single[2], 1e-5);
                Tensor y16 = Functional.layerNorm(half[0], half[1], half[2], 1e-5);
                String what = "layer_norm, rows of " + d;
                assertArrayEquals(roundedToBf16(y32), y16.toFloatArray(), what);
                y32.mul(u32).sum().backward();
                y16.mul(u32.cast(DType.BF16)).sum().backward();
                assertArrayEquals(roundedToBf16(single[0].grad().orElseThrow()), half[0].grad().orElseThrow().toFloatArray(), what + ", input gradient");
                for (int p = 1; p <= 2; p++) {
                    float[] expected = single[p].grad().orElseThrow().toFloatArray();
                    float[] actual = half[p].grad().orElseThrow().toFloatArray();
                    for (int i = 0; i < d; i++) {
                        double allowed = Math.abs(expected[i]) / 256 + 1e-30;
                        assertTrue(Math.abs(expected[i] - actual[i]) <= allowed, what + ", parameter " + p + " gradient [" + i + "]: F32 " + expected[i]
                                + ", BF16 " + actual[i] + " (tolerance one BF16 rounding, " + allowed + ")");
                    }
                }
            }
        }
    }

    private void assumeVectorLoops() {
        try (var buffer = backend().allocate(backend().devices().getFirst(), 2)) {
            Assumptions.assumeTrue(backend().kernels().fused(GeluKernel.class).orElseThrow().serves(TensorView.contiguous(buffer, DType.BF16, Shape.of(1))),
                    "the BF16 and layer-norm fused kernels need the vector loops: run with --add-modules jdk.incubator.vector");
        }
    }

    /** Random values exactly representable in BF16, as an F32 tensor {@code [rows, d]}. */
    private static Tensor bf16Values(TensorScope scope, long seed, int rows, int d, double low, double high) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[rows * d];
        for (int i = 0; i < v.length; i++) {
            v[i] = Float.intBitsToFloat(Float.floatToIntBits((float) random.nextDouble(low, high)) & 0xFFFF0000);
        }
        return scope.fromArray(v, rows, d);
    }

    private static float[] roundedToBf16(Tensor t) {
        return t.cast(DType.BF16).toFloatArray();
    }
}
