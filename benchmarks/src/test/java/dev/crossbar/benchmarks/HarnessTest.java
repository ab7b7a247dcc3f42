package dev.crossbar.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.TensorScope;
import dev.crossbar.runtime.Crossbar;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.openjdk.jmh.annotations.Param;

/** Checks the wiring of the benchmark harness; it measures nothing worth reporting. */
class HarnessTest {
    @Test
    void driverPrintsOneMeasureLineInTheFormatCompareShReads() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompareDriver.run(new String[] {"--quick", "--only", "add_4"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String output = bytes.toString(StandardCharsets.UTF_8);
        Matcher line = Pattern.compile("(?m)^measure crossbar add_4 (\\S+) runs=(\\d+) alloc_bytes_per_op=(\\d+) warmup_seconds=\\S+ warmup_windows=\\d+( unsettled)?$").matcher(output);
        assertTrue(line.find(), "no measure line for add_4 in:\n" + output);
        double seconds = Double.parseDouble(line.group(1));
        assertTrue(seconds > 0 && seconds < 0.01, "a 4-element add took " + seconds + " s");
        assertTrue(Integer.parseInt(line.group(2)) >= 3, "fewer than 3 timed runs: " + line.group(2));
        assertTrue(output.contains("info crossbar crossbar.cpu.matmul="), output);
    }

    @Test
    void warmupLastsUntilAllocationPerRunSettles() {
        // Allocates 10% less in each run, from 4 MiB down to 64 KiB, then nothing: as code does while the JIT compiles
        // more of it and C2 removes its boxing. Any two windows before the stop differ by 10% or more in allocation.
        Workload settlingLate = new Workload() {
            private double bytes = 4 << 20;

            @Override
            public void run() {
                if (bytes >= 64 << 10) {
                    sink = new byte[(int) bytes];
                    bytes *= 0.9;
                }
                long end = System.nanoTime() + 50_000;
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }

            @Override
            public void close() {
            }
        };
        String output = measure(new Warmup(0, 0.005, 60), settlingLate);
        Matcher line = Pattern.compile("(?m)^measure test settling (\\S+) runs=\\d+ alloc_bytes_per_op=(\\d+) warmup_seconds=\\S+ warmup_windows=(\\d+)$")
                .matcher(output);
        assertTrue(line.find(), "no settled measure line in:\n" + output);
        assertTrue(Long.parseLong(line.group(2)) < Warmup.ALLOCATION_SLACK_BYTES, "the timed runs still allocated " + line.group(2) + " B per run");
        assertTrue(Integer.parseInt(line.group(3)) >= 2, "fewer than two windows: " + line.group(3));
    }

    @Test
    void warmupThatNeverSettlesStopsAtItsCapAndSaysSo() {
        // Each run takes 10% longer than the one before (a spin, from 0.1 ms), so a window's time per run always exceeds
        // the previous window's by more than 5%. (Growing allocation did not do it: its relative growth fell below 5%.)
        Workload growing = new Workload() {
            private int runs;

            @Override
            public void run() {
                long end = System.nanoTime() + (long) (100_000 * Math.pow(1.1, ++runs));
                while (System.nanoTime() < end) {
                    Thread.onSpinWait();
                }
            }

            @Override
            public void close() {
            }
        };
        String output = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> measure(new Warmup(0, 0.01, 0.3), growing));
        assertTrue(output.matches("(?sm).*^note test settling warm-up stopped at its cap of 0.3 s before two consecutive windows agreed within 5% .*"),
                output);
        assertTrue(output.matches("(?sm).*^measure test settling \\S+ runs=\\d+ alloc_bytes_per_op=\\d+ warmup_seconds=\\S+ warmup_windows=\\d+ unsettled$.*"),
                output);
    }

    private static volatile Object sink;

    private static String measure(Warmup warmup, Workload workload) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        new CompareDriver(warmup, 0.01, "test", new PrintStream(bytes, true, StandardCharsets.UTF_8)).measure("settling", workload);
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void windowsThatAgreeWhileTheJitCompilesAreNotWarm() {
        Warmup.Window before = new Warmup.Window(7e-3, 0, 0.4);
        Warmup.Window compiling = new Warmup.Window(7.1e-3, 0, 0.3);
        Warmup.Window quiet = new Warmup.Window(7.1e-3, 0, Warmup.COMPILING_TOLERANCE);

        assertFalse(compiling.agreesWith(before), "a C1 plateau while C2 compiles: equal times, but the JIT was busy for 30% of the window");
        assertTrue(quiet.agreesWith(before), "the same times with the JIT idle agree");
        assertFalse(new Warmup.Window(2e-3, 0, 0).agreesWith(quiet), "C2 code 3.5x faster than the plateau does not agree with it");
    }

    @Test
    void driverRejectsAnUnknownWorkloadByListingTheKnownOnes() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompareDriver.run(new String[] {"--only", "mm_f32_3"}, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String output = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(output.contains("failed crossbar mm_f32_3 ") && output.contains("mm_f32_1024"), output);
    }

    @Test
    void everyCatalogWorkloadHasAJmhBenchmark() throws NoSuchFieldException {
        Set<String> covered = new TreeSet<>();
        for (Class<?> benchmark : List.of(MatmulBenchmark.class, ElementwiseBenchmark.class, DispatchBenchmark.class, CollectiveBenchmark.class,
                TrainingStepBenchmark.class, FsdpBenchmark.class)) {
            Field name = benchmark.getField("name");
            covered.addAll(Arrays.asList(name.getAnnotation(Param.class).value()));
        }
        assertEquals(new TreeSet<>(Catalog.names()), covered);
    }

    @Test
    void theCharTransformerHasTheParameterCountOfThePyTorchPeer() {
        // torch_peer.py's model: 2 blocks x (2 layer norms 512 + qkv 49,536 + proj 16,512 + MLP 131,712)
        // + token 65x128 + position 64x128 embeddings + final norm 256 + head 128x65 = 421,632.
        try (Crossbar crossbar = Crossbar.builder().backend("cpu").build(); TensorScope scope = crossbar.newScope()) {
            assertEquals(421_632, Catalog.newTransformer(scope).parameterCount());
        }
    }

    @Test
    void aFailingRankFailsTheStepInsteadOfHanging() {
        IllegalStateException failure = assertTimeoutPreemptively(Duration.ofSeconds(60), () -> assertThrows(IllegalStateException.class, () -> {
            try (SpmdSteps steps = new SpmdSteps(2, rank -> {
                throw new IllegalArgumentException("rank " + rank.rank() + " cannot build its workload");
            })) {
                steps.run();
            }
        }));
        Throwable cause = failure;
        boolean named = false;
        while (cause != null) {
            named |= String.valueOf(cause.getMessage()).contains("cannot build its workload");
            cause = cause.getCause();
        }
        assertTrue(named, "the rank's own exception is not in the cause chain of " + failure);
    }
}
