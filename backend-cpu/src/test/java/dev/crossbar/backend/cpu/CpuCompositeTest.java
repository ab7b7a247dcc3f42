package dev.crossbar.backend.cpu;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.conformance.CompositeSuite;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.AdamWKernel;
import dev.crossbar.spi.kernel.GeluKernel;
import dev.crossbar.spi.kernel.SoftmaxKernel;
import org.junit.jupiter.api.Test;

/** Runs the composite-op checks of the conformance kit on the cpu backend, whose F32 softmax, GELU and AdamW are fused. */
class CpuCompositeTest extends CompositeSuite {
    @Override
    protected BackendProvider provider() {
        return new CpuBackendProvider();
    }

    @Test
    void theFusedKernelsServeContiguousF32SoTheSuiteChecksThem() {
        try (var buffer = backend().allocate(backend().devices().getFirst(), 4 * 12)) {
            TensorView f32 = TensorView.contiguous(buffer, DType.F32, Shape.of(3, 4));
            assertTrue(backend().kernels().fused(SoftmaxKernel.class).orElseThrow().serves(f32));
            assertTrue(backend().kernels().fused(AdamWKernel.class).orElseThrow().serves(f32, f32, f32, f32));
            assertTrue(backend().kernels().fused(GeluKernel.class).orElseThrow().serves(f32));
        }
    }
}
