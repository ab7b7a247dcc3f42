package dev.crossbar.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;

import org.openjdk.jmh.annotations.Param;

/** Training steps: the char transformer in F32 and in BF16 mixed precision (F32 master weights), the MLP 784-256-10 in F32. */
public class TrainingStepBenchmark extends CatalogBenchmark {
    /** The {@link Catalog} workload. */
    @Param({"train_transformer_f32", "train_transformer_bf16", "train_mlp_f32"})
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
