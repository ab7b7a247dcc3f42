package dev.crossbar.backend.cpu;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.backend.cpu.kernel.MatmulPath;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A quick side-by-side of the matmul paths, not a test: GFLOP/s of each forced path on the same products in one
 * process, rounds interleaved so that load from other processes hits every path alike, best round reported, with
 * each path's ratio to OpenBLAS F32. The benchmarks module measures properly; this checks a change in a minute.
 * Arguments: {@code m x k x n} shapes or square sizes (default 1024 2048), and {@code bf16} to add BF16.
 */
public final class MatmulThroughput {
    private static final int ROUNDS = 7;

    private MatmulThroughput() {
    }

    /**
     * Runs the comparison.
     *
     * @param args shapes such as {@code 4096x768x3072} or sizes such as {@code 1024}, and {@code bf16} to include BF16
     */
    public static void main(String[] args) {
        List<int[]> shapes = new ArrayList<>();
        boolean bf16 = false;
        for (String arg : args) {
            if (arg.equals("bf16")) {
                bf16 = true;
            } else if (arg.contains("x")) {
                String[] parts = arg.split("x");
                shapes.add(new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1]), Integer.parseInt(parts[2])});
            } else {
                int n = Integer.parseInt(arg);
                shapes.add(new int[] {n, n, n});
            }
        }
        if (shapes.isEmpty()) {
            shapes = List.of(new int[] {1024, 1024, 1024}, new int[] {2048, 2048, 2048});
        }
        Map<String, Backend> backends = new LinkedHashMap<>();
        for (MatmulPath path : List.of(MatmulPath.JAVA, MatmulPath.OPENBLAS, MatmulPath.ONEDNN)) {
            backends.put(path.propertyValue(), new CpuBackendProvider().create(new BackendContext(Map.of(CpuBackendProvider.MATMUL_PROPERTY, path.propertyValue()))));
        }
        try {
            for (int[] shape : shapes) {
                measure(backends, shape, bf16);
            }
        } finally {
            backends.values().forEach(Backend::close);
        }
    }

    private static void measure(Map<String, Backend> backends, int[] shape, boolean bf16) {
        int m = shape[0];
        int k = shape[1];
        int n = shape[2];
        double flops = 2.0 * m * n * k;
        int repetitions = (int) Math.max(2, Math.min(30, 1e10 / flops));
        Map<String, Runnable> runs = new LinkedHashMap<>();
        List<TensorScope> scopes = new ArrayList<>();
        for (Map.Entry<String, Backend> entry : backends.entrySet()) {
            TensorScope scope = TensorScope.root(entry.getValue(), entry.getValue().devices().getFirst());
            scopes.add(scope);
            for (DType type : bf16 ? List.of(DType.F32, DType.BF16) : List.of(DType.F32)) {
                if (type == DType.BF16 && entry.getKey().equals("openblas")) {
                    continue;
                }
                Tensor a = scope.randUniform(Shape.of(m, k), type, 1, 0, -1, 1);
                Tensor b = scope.randUniform(Shape.of(k, n), type, 2, 0, -1, 1);
                runs.put(entry.getKey() + " " + type, () -> {
                    try (TensorScope step = scope.child()) {
                        a.matmul(b);
                    }
                });
            }
        }
        Map<String, Double> best = new LinkedHashMap<>();
        for (int round = 0; round < ROUNDS; round++) {
            for (Map.Entry<String, Runnable> run : runs.entrySet()) {
                long start = System.nanoTime();
                for (int i = 0; i < repetitions; i++) {
                    run.getValue().run();
                }
                double seconds = (System.nanoTime() - start) / 1e9 / repetitions;
                best.merge(run.getKey(), seconds, Math::min);
            }
        }
        scopes.forEach(TensorScope::close);
        double openBlas = best.get("openblas F32");
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "%dx%dx%d threads=%d:", m, k, n, Runtime.getRuntime().availableProcessors()));
        best.forEach((name, seconds) -> line.append(String.format(Locale.ROOT, "  %s %.1f GFLOP/s (%.2fx openblas)", name, flops / seconds / 1e9, openBlas / seconds)));
        System.out.println(line);
    }
}
