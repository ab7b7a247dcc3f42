package dev.crossbar.backend.cpu.internal.ffi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.DType;
import dev.crossbar.backend.cpu.kernel.MatmulLibraries;
import dev.crossbar.backend.cpu.kernel.MatmulPath;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * FSDP's rank threads run the same oneDNN primitives at the same time. Each product computed concurrently must equal,
 * bit for bit, the same product computed alone: oneDNN is deterministic for one primitive, so any difference is one
 * call writing into another's scratchpad (what Debian's oneDNN does in its default scratchpad mode).
 */
class OnednnMatmulConcurrencyTest {
    private static final int THREADS = 4;
    private static final int ROUNDS = 30;

    /** Products of the demo's GPT (8 problems of 12 tokens per rank, width 64) and larger ones that split the depth. */
    private static final long[][] SHAPES = {{96, 64, 256}, {96, 256, 64}, {64, 96, 256}, {256, 96, 64}, {130, 600, 70}, {33, 2048, 40}, {8, 4096, 8}};

    @Test
    void concurrentProductsEqualTheSameProductsComputedAlone() throws Exception {
        assumeTrue(MatmulLibraries.unavailable(MatmulPath.ONEDNN).isEmpty(), () -> "UNAVAILABLE: " + MatmulLibraries.unavailable(MatmulPath.ONEDNN).orElseThrow());
        OnednnMatmul dnnl = OnednnMatmul.open();
        try (Arena arena = Arena.ofShared()) {
            List<MemorySegment[]> operands = new ArrayList<>();
            List<float[]> alone = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(7);
            for (long[] shape : SHAPES) {
                MemorySegment a = arena.allocate(shape[0] * shape[1] * Float.BYTES, 64);
                MemorySegment b = arena.allocate(shape[1] * shape[2] * Float.BYTES, 64);
                fill(a, random);
                fill(b, random);
                MemorySegment out = arena.allocate(shape[0] * shape[2] * Float.BYTES, 64);
                multiply(dnnl, shape, a, b, out);
                operands.add(new MemorySegment[] {a, b});
                alone.add(out.toArray(ValueLayout.JAVA_FLOAT));
            }
            CyclicBarrier start = new CyclicBarrier(THREADS);
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<String>> results = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    int thread = t;
                    results.add(pool.submit(() -> {
                        MemorySegment[] outs = new MemorySegment[SHAPES.length];
                        for (int s = 0; s < SHAPES.length; s++) {
                            outs[s] = arena.allocate(SHAPES[s][0] * SHAPES[s][2] * Float.BYTES, 64);
                        }
                        start.await();
                        for (int round = 0; round < ROUNDS; round++) {
                            // Threads walk the shapes from different starting points, so different primitives and
                            // the same primitive both run at once.
                            int s = (round + thread) % SHAPES.length;
                            outs[s].fill((byte) 0);
                            multiply(dnnl, SHAPES[s], operands.get(s)[0], operands.get(s)[1], outs[s]);
                            float[] got = outs[s].toArray(ValueLayout.JAVA_FLOAT);
                            float[] expected = alone.get(s);
                            for (int i = 0; i < got.length; i++) {
                                if (Float.floatToRawIntBits(got[i]) != Float.floatToRawIntBits(expected[i])) {
                                    return String.format(Locale.ROOT, "thread %d, round %d, product %dx%dx%d: element %d is %s, alone %s", thread, round,
                                            SHAPES[s][0], SHAPES[s][1], SHAPES[s][2], i, got[i], expected[i]);
                                }
                            }
                        }
                        return null;
                    }));
                }
                for (Future<String> result : results) {
                    String mismatch = result.get(120, TimeUnit.SECONDS);
                    assertEquals(null, mismatch, mismatch);
                }
            } finally {
                pool.shutdownNow();
                assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS), "the threads stop");
            }
        }
    }

    private static void multiply(OnednnMatmul dnnl, long[] shape, MemorySegment a, MemorySegment b, MemorySegment out) {
        long m = shape[0];
        long k = shape[1];
        long n = shape[2];
        dnnl.multiply(DType.F32, new long[] {m, k}, new long[] {k, 1}, a, new long[] {k, n}, new long[] {n, 1}, b, new long[] {m, n}, new long[] {n, 1}, out);
    }

    private static void fill(MemorySegment segment, SplittableRandom random) {
        for (long i = 0; i < segment.byteSize() / Float.BYTES; i++) {
            segment.setAtIndex(ValueLayout.JAVA_FLOAT, i, (float) (random.nextDouble() * 2 - 1));
        }
    }
}
