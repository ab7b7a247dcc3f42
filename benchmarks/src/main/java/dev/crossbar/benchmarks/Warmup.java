package dev.crossbar.benchmarks;

import java.util.Locale;

/**
 * When a workload is warm: it runs in windows (at least {@code windowSeconds} and at least two runs each) until two
 * consecutive windows agree, after at least {@code minimumSeconds}, or until {@code capSeconds} have passed. Two windows
 * agree when their median times per operation differ by at most {@link #TOLERANCE} of the earlier one and so do their
 * heap allocations per operation (or by at most {@link #ALLOCATION_SLACK_BYTES}, the driver's own bookkeeping): a
 * workload whose kernels still run interpreted or in C1 code is both slower and allocates more (boxed vectors) than
 * once C2 has compiled them. The later window must also be one in which the JIT compilers were nearly idle (at most
 * {@link #COMPILING_TOLERANCE} of its wall time): tiered compilation has plateaus, C1 code that runs steadily for a
 * second or more while C2 compiles the hot loops, and two windows on such a plateau agree with each other (measured:
 * a 16M-element max held 7 to 10 ms per operation for about 3 s, then ran in 2 ms). The peers
 * (benchmarks/peers/timing.h, torch_peer.py) apply the rule on times to theirs; they have no JIT.
 */
record Warmup(double minimumSeconds, double windowSeconds, double capSeconds) {
    /** The largest relative difference between two windows that still counts as agreement. */
    static final double TOLERANCE = 0.05;
    /** Allocations per operation this close agree whatever their ratio. */
    static final long ALLOCATION_SLACK_BYTES = 1024;
    /** The largest share of a window's wall time the JIT compilers may have spent compiling for it to count as warm. */
    static final double COMPILING_TOLERANCE = 0.02;

    /** compare.sh --quick's: at least 1 s, windows of 0.5 s, at most 30 s. */
    static final Warmup QUICK = new Warmup(1, 0.5, 30);
    /** compare.sh's: at least 5 s, windows of 1 s, at most 120 s. */
    static final Warmup FULL = new Warmup(5, 1, 120);

    /**
     * What one window measured: the median time of its runs and the heap bytes allocated, both per operation, and the
     * share of its wall time the JIT compilers spent compiling (summed over compiler threads, so it may exceed 1).
     */
    record Window(double secondsPerOperation, long bytesPerOperation, double compilingShare) {
        /** Tells whether this window agrees with the one before it, the JIT having been nearly idle during this one. */
        boolean agreesWith(Window previous) {
            return Math.abs(secondsPerOperation - previous.secondsPerOperation) <= TOLERANCE * previous.secondsPerOperation
                    && (Math.abs(bytesPerOperation - previous.bytesPerOperation) <= Math.max(ALLOCATION_SLACK_BYTES,
                    TOLERANCE * previous.bytesPerOperation))
                    && compilingShare <= COMPILING_TOLERANCE;
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%.4g s/op %d B/op, JIT compiling %.0f%% of the window", secondsPerOperation, bytesPerOperation,
                    100 * compilingShare);
        }
    }
}
