package dev.crossbar.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.Param;

/** The per-op overhead: one add of two 4-element F32 tensors, from the Java call to its return (score per add). */
public class DispatchBenchmark extends CatalogBenchmark {
    /** The {@link Catalog} workload. */
    @Param({"add_4"})
    public String name;

    @Override
    protected String workloadName() {
        return name;
    }

    /** One operation. */
    @Benchmark
    @OperationsPerInvocation(DispatchWorkload.ADDS_PER_RUN)
    public void add() {
        workload.run();
    }
}
