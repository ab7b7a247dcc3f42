package dev.crossbar.backend.cpu;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.backend.cpu.kernel.MatmulPath;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A quick side-by-side of the matmul paths, not a test: GFLOP/s of each forced path on the same square products in one
 * process, best of several repetitions. The benchmarks module measures properly; this checks a change in seconds.
 * Arguments: sizes (default 1024 2048), then optionally {@code bf16} to time BF16 as well.
 */
public final class MatmulThroughput {
    private MatmulThroughput() {
    }

    /**
     * Runs the comparison.
     *
     * @param args sizes, and {@code bf16} to include BF16
     */
    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        boolean bf16 = false;
        for (String arg : args) {
            if (arg.equals("bf16")) {
                bf16 = true;
            } else {
                sizes.add(Integer.parseInt(arg));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(1024, 2048);
        }
        for (int n : sizes) {
            for (DType type : bf16 ? List.of(DType.F32, DType.BF16) : List.of(DType.F32)) {
                StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "n=%d %s:", n, type));
                for (MatmulPath path : List.of(MatmulPath.JAVA, MatmulPath.OPENBLAS, MatmulPath.ONEDNN)) {
                    if (type == DType.BF16 && path == MatmulPath.OPENBLAS) {
                        continue;
                    }
                    line.append(String.format(Locale.ROOT, " %s %.1f GFLOP/s", path.propertyValue(), gflops(path, type, n)));
                }
                System.out.println(line);
            }
        }
    }

    private static double gflops(MatmulPath path, DType type, int n) {
        int m = n;
        int k = n;
        Backend backend = new CpuBackendProvider().create(new BackendContext(Map.of(CpuBackendProvider.MATMUL_PROPERTY, path.propertyValue())));
        try (TensorScope scope = TensorScope.root(backend, backend.devices().getFirst())) {
            Tensor a = scope.randUniform(Shape.of(m, k), type, 1, 0, -1, 1);
            Tensor b = scope.randUniform(Shape.of(k, n), type, 2, 0, -1, 1);
            double flops = 2.0 * m * n * k;
            int repetitions = (int) Math.max(3, Math.min(50, 2e10 / flops));
            double best = Double.MAX_VALUE;
            for (int round = 0; round < 5; round++) {
                long start = System.nanoTime();
                for (int i = 0; i < repetitions; i++) {
                    try (TensorScope step = scope.child()) {
                        a.matmul(b);
                    }
                }
                best = Math.min(best, (System.nanoTime() - start) / (double) repetitions);
            }
            return flops / best;
        } finally {
            backend.close();
        }
    }
}
