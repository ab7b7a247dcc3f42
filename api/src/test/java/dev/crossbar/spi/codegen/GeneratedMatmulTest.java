package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.TensorView;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared dot_general kernel maps row-major batched products onto the column-major vendor GEMM
 * ({@code C^T = B^T A^T}, leading dimensions and batch strides), checked on a host device whose GEMM is a plain
 * column-major loop, against the product computed directly in double.
 */
class GeneratedMatmulTest {
    @TempDir
    static Path modules;

    private final StreamBackend backend = HostGpuRuntime.backend(1, new HostNccl(), modules);
    private final GeneratedKernels.Matmul matmul = new GeneratedKernels.Matmul(new GeneratedOps(Dialect.CUDA, HostGpuRuntime.NAME));
    private final Device device = new Device(HostGpuRuntime.NAME, 0);

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    private TensorView upload(Shape shape, float[] values) {
        DeviceBuffer buffer = backend.allocate(device, (long) values.length * Float.BYTES);
        backend.copyFromHost(MemorySegment.ofArray(values), buffer, 0);
        return TensorView.contiguous(buffer, DType.F32, shape);
    }

    private float[] download(TensorView view) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(view.size() * Float.BYTES);
            backend.copyToHost(view.buffer(), 0, host);
            return host.toArray(ValueLayout.JAVA_FLOAT);
        }
    }

    private static float[] values(int count, int seed) {
        float[] values = new float[count];
        for (int i = 0; i < count; i++) {
            values[i] = ((i * 7 + seed * 13) % 17 - 8) / 4f;
        }
        return values;
    }

    @Test
    void batchedProductsAndABroadcastRightOperandMatchTheDirectProduct() {
        int batch = 2;
        int m = 3;
        int k = 4;
        int n = 5;
        float[] a = values(batch * m * k, 1);
        float[] b = values(k * n, 2);
        TensorView left = upload(Shape.of(batch, m, k), a);
        TensorView right = upload(Shape.of(k, n), b);
        TensorView out = TensorView.contiguous(backend.allocate(device, (long) batch * m * n * Float.BYTES), DType.F32, Shape.of(batch, m, n));

        matmul.matmul(out, left, right);

        float[] got = download(out);
        for (int s = 0; s < batch; s++) {
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < n; j++) {
                    double expected = 0;
                    for (int p = 0; p < k; p++) {
                        expected += (double) a[(s * m + i) * k + p] * b[p * n + j];
                    }
                    assertEquals(expected, got[(s * m + i) * n + j], 1e-5, "C[" + s + "][" + i + "][" + j + "]");
                }
            }
        }
    }

    @Test
    void anEmptyInnerDimensionWritesZeros() {
        TensorView left = upload(Shape.of(2, 0), new float[0]);
        TensorView right = upload(Shape.of(0, 3), new float[0]);
        TensorView out = upload(Shape.of(2, 3), new float[] {1, 2, 3, 4, 5, 6});

        matmul.matmul(out, left, right);

        assertArrayEquals(new float[6], download(out));
    }
}
