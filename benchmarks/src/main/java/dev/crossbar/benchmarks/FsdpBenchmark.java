package dev.crossbar.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;

import org.openjdk.jmh.annotations.Param;

/** A char-transformer step with FSDP on 4 virtual cpu devices against the same global batch on one device. */
public class FsdpBenchmark extends CatalogBenchmark {
    /** The {@link Catalog} workload. */
    @Param({"fsdp_transformer_4dev", "train_transformer_f32"})
    public String name;

    @Override
    protected String workloadName() {
        return name;
    }

    /** One operation. */
    @Benchmark

    public void step() {
        workload.run();
    }
}
