package dev.crossbar.benchmarks;

import org.openjdk.jmh.annotations.Benchmark;

import org.openjdk.jmh.annotations.Param;

/** An in-process all-reduce (SUM) of 4 MiB of F32 over 4 virtual cpu devices. */
public class CollectiveBenchmark extends CatalogBenchmark {
    /** The {@link Catalog} workload. */
    @Param({"allreduce_4MB_4ranks"})
    public String name;

    @Override
    protected String workloadName() {
        return name;
    }

    /** One operation. */
    @Benchmark

    public void allReduce() {
        workload.run();
    }
}
