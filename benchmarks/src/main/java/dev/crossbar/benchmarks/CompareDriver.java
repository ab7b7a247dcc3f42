package dev.crossbar.benchmarks;

import dev.crossbar.runtime.Crossbar;
import java.io.PrintStream;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The Crossbar side of benchmarks/compare.sh: runs the workloads of {@link Catalog} one after the other in this JVM,
 * each warmed up and then timed repeatedly, and prints one machine-readable line per workload:
 *
 * <pre>
 * measure &lt;source&gt; &lt;name&gt; &lt;median seconds per operation&gt; runs=&lt;timed runs&gt; alloc_bytes_per_op=&lt;heap bytes&gt; [bytes_moved=&lt;bytes&gt;] warmup_seconds=&lt;s&gt; warmup_windows=&lt;n&gt; [unsettled]
 * </pre>
 *
 * <p>{@code bytes_moved} is what an elementwise op, reduction or all-reduce must read and write at least
 * ({@link Catalog#bytesMoved(String)}), for the comparison with copy bandwidth.
 *
 * <p>Warm-up runs the workload in windows until two consecutive windows agree in time and allocation per operation,
 * the JIT compilers idle during the later one ({@link Warmup}), so that the timed runs execute C2-compiled code; the line then ends with {@code warmup_seconds=<s>
 * warmup_windows=<n>}, and with {@code unsettled} after a line {@code note <source> <name> ...} when the warm-up
 * reached its cap first. A workload whose first run alone takes ten timing budgets or more is not run again: its line
 * reports that one run and ends with {@code cold}, since it includes the JIT's warm-up.
 *
 * <p>Allocation is the growth of {@code com.sun.management.ThreadMXBean#getTotalThreadAllocatedBytes} (every thread:
 * the caller, the kernel pool, the SPMD ranks) over the timed runs, per operation; it is the quantity JMH's
 * {@code -prof gc} reports as {@code gc.alloc.rate.norm}. A workload that fails prints {@code failed crossbar <name>
 * <reason>} and the others still run.
 *
 * <p>Options: {@code --quick} ({@link Warmup#QUICK} and 2 s of timing per workload instead of {@link Warmup#FULL} and 10 s), {@code --only
 * name,name} (a subset of {@link Catalog#names()}), {@code --source NAME} (the second word of each line, default
 * {@code crossbar}; compare.sh names a run with a forced matmul path this way), {@code --list} (print the names, one
 * a line, and run nothing).
 */
public final class CompareDriver {
    private static final com.sun.management.ThreadMXBean THREADS = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
    private static final CompilationMXBean JIT = ManagementFactory.getCompilationMXBean();

    private final Warmup warmup;
    private final double measureSeconds;
    private final String source;
    private final PrintStream out;

    CompareDriver(Warmup warmup, double measureSeconds, String source, PrintStream out) {
        this.warmup = warmup;
        this.measureSeconds = measureSeconds;
        this.source = source;
        this.out = out;
    }

    /**
     * Runs the workloads the options select.
     *
     * @param args {@code [--quick] [--only name,name] [--source NAME]} or {@code --list}
     */
    public static void main(String[] args) {
        run(args, System.out);
    }

    /** Runs the workloads the options select, printing to {@code out}. */
    static void run(String[] args, PrintStream out) {
        boolean quick = false;
        String source = "crossbar";
        List<String> names = Catalog.names();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--list" -> {
                    Catalog.names().forEach(out::println);
                    return;
                }
                case "--quick" -> quick = true;
                case "--only" -> {
                    if (i + 1 == args.length) {
                        throw new IllegalArgumentException("--only needs a comma-separated list of: " + Catalog.names());
                    }
                    names = Arrays.asList(args[++i].split(","));
                }
                case "--source" -> {
                    if (i + 1 == args.length || !args[i + 1].matches("[A-Za-z0-9_.-]+")) {
                        throw new IllegalArgumentException("--source needs a name of letters, digits, '_', '.' or '-'");
                    }
                    source = args[++i];
                }
                default -> throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "unknown option '%s'; use [--quick] [--only name,name] [--source NAME] | --list; names: %s", args[i], Catalog.names()));
            }
        }
        new CompareDriver(quick ? Warmup.QUICK : Warmup.FULL, quick ? 2 : 10, source, out).runAll(names);
    }

    private void runAll(List<String> names) {
        try (Crossbar crossbar = Crossbar.builder().backend("cpu").build()) {
            out.printf(Locale.ROOT, "info %s crossbar.cpu.matmul=%s%n", source, System.getProperty("crossbar.cpu.matmul", "(unset)"));
            crossbar.selected().availability().versions().forEach((key, value) -> out.printf(Locale.ROOT, "info %s %s=%s%n", source, key, value));
            for (String name : names) {
                measure(crossbar, name);
            }
        }
    }

    private void measure(Crossbar crossbar, String name) {
        try (Workload workload = Catalog.create(name, crossbar)) {
            measure(name, workload);
        } catch (RuntimeException e) {
            out.printf(Locale.ROOT, "failed %s %s %s%n", source, name, String.valueOf(e).replace('\n', ' '));
        } finally {
            out.flush();
        }
    }

    /** Warms {@code workload} up as {@link Warmup} says, then times it and prints its line. */
    void measure(String name, Workload workload) {
        long allocatedBeforeFirst = allocatedBytes();
        long warmupStart = System.nanoTime();
        workload.run();
        double first = seconds(System.nanoTime() - warmupStart);
        if (first >= 10 * measureSeconds) {
            long allocated = allocatedBytes() - allocatedBeforeFirst;
            out.printf(Locale.ROOT, "measure %s %s %.6e runs=1 alloc_bytes_per_op=%d%s cold%n", source, name, first / workload.operationsPerRun(),
                    allocated / workload.operationsPerRun(), bytesMoved(name));
            return;
        }
        Warmup.Window previous = null;
        Warmup.Window last = window(workload, warmup.windowSeconds(), 2);
        int windows = 1;
        double warmed;
        boolean settled;
        while (true) {
            warmed = seconds(System.nanoTime() - warmupStart);
            settled = previous != null && last.agreesWith(previous);
            if (settled && warmed >= warmup.minimumSeconds()) {
                break;
            }
            if (warmed >= warmup.capSeconds()) {
                out.printf(Locale.ROOT, "note %s %s warm-up stopped at its cap of %.1f s before two consecutive windows agreed within %.0f%%"
                        + " (last two: %s, then %s); the figure may include JIT warm-up%n", source, name, warmup.capSeconds(),
                        100 * Warmup.TOLERANCE, previous == null ? "-" : previous, last);
                break;
            }
            previous = last;
            last = window(workload, warmup.windowSeconds(), 2);
            windows++;
        }

        List<Double> perOperation = new ArrayList<>();
        long allocatedBefore = allocatedBytes();
        long measureStart = System.nanoTime();
        double elapsed;
        do {
            long start = System.nanoTime();
            workload.run();
            perOperation.add(seconds(System.nanoTime() - start) / workload.operationsPerRun());
            elapsed = seconds(System.nanoTime() - measureStart);
        } while (elapsed < measureSeconds || (perOperation.size() < 3 && elapsed < 3 * measureSeconds));
        long allocated = allocatedBytes() - allocatedBefore;
        long operations = (long) perOperation.size() * workload.operationsPerRun();
        out.printf(Locale.ROOT, "measure %s %s %.6e runs=%d alloc_bytes_per_op=%d%s warmup_seconds=%.1f warmup_windows=%d%s%n", source, name,
                median(perOperation), perOperation.size(), allocated / operations, bytesMoved(name), warmed, windows, settled ? "" : " unsettled");
    }

    /**
     * Runs the workload for at least {@code seconds} and {@code minimumRuns} runs; returns the median time and the
     * allocation per operation, and how busy the JIT compilers were meanwhile.
     */
    private static Warmup.Window window(Workload workload, double seconds, int minimumRuns) {
        List<Double> perOperation = new ArrayList<>();
        long allocatedBefore = allocatedBytes();
        long compilingBefore = compilingMillis();
        long start = System.nanoTime();
        do {
            long runStart = System.nanoTime();
            workload.run();
            perOperation.add(seconds(System.nanoTime() - runStart) / workload.operationsPerRun());
        } while (perOperation.size() < minimumRuns || seconds(System.nanoTime() - start) < seconds);
        double wall = seconds(System.nanoTime() - start);
        long operations = (long) perOperation.size() * workload.operationsPerRun();
        return new Warmup.Window(median(perOperation), (allocatedBytes() - allocatedBefore) / operations, (compilingMillis() - compilingBefore) / 1e3 / wall);
    }

    /** Milliseconds the JIT compilers have spent so far, or 0 where the JVM does not count them. */
    private static long compilingMillis() {
        return JIT != null && JIT.isCompilationTimeMonitoringSupported() ? JIT.getTotalCompilationTime() : 0;
    }

    /** Heap bytes allocated so far by every live thread (the caller, the kernel pool, the SPMD ranks). */
    private static long allocatedBytes() {
        return THREADS.getTotalThreadAllocatedBytes();
    }

    private static String bytesMoved(String name) {
        long bytes = Catalog.bytesMoved(name);
        return bytes == 0 ? "" : " bytes_moved=" + bytes;
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static double median(List<Double> values) {
        double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
        int middle = sorted.length / 2;
        return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
    }
}
