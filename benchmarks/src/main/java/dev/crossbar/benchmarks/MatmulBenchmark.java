package dev.crossbar.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;

import org.openjdk.jmh.annotations.Param;

/** Matrix products: F32 at n = 1024, 2048, 4096 and 4096x768 times 768x3072; BF16 at n = 2048. */
public class MatmulBenchmark extends CatalogBenchmark {
    /** The {@link Catalog} workload. */
    @Param({"mm_f32_1024", "mm_f32_2048", "mm_f32_4096", "mm_f32_4096x768x3072", "mm_bf16_2048"})
    public String name;

    @Override
    protected String workloadName() {
        return name;
    }

    /** One operation. */
    @Benchmark

    public void matmul() {
        workload.run();
    }
}
