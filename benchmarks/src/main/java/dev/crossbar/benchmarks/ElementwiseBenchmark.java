package dev.crossbar.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;

import org.openjdk.jmh.annotations.Param;

/** Elementwise add, mul, exact GELU and the full sum and max reductions of 16M F32 elements. */
public class ElementwiseBenchmark extends CatalogBenchmark {
    /** The {@link Catalog} workload. */
    @Param({"add_16M", "mul_16M", "gelu_16M", "sum_16M", "max_16M"})
    public String name;

    @Override
    protected String workloadName() {
        return name;
    }

    /** One operation. */
    @Benchmark

    public void op() {
        workload.run();
    }
}
