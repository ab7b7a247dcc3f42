package dev.crossbar.benchmarks;

/** One measured operation and the state it needs; built once, run many times, closed at the end. */
interface Workload extends AutoCloseable {
    /** Runs the measured work once: {@link #operationsPerRun()} operations. */
    void run();

    /** How many operations one {@link #run()} performs; times and allocations are reported per operation. */
    default int operationsPerRun() {
        return 1;
    }

    @Override
    void close();
}
