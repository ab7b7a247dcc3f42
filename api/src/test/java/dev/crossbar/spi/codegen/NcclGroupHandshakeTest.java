package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.CollectiveException;
import dev.crossbar.api.distributed.CollectiveMismatchException;
import dev.crossbar.api.distributed.CollectiveTimeoutException;
import dev.crossbar.api.distributed.InProcessSpmd;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.SpmdOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link NcclGroup} driven through the runtime's in-process SPMD path ({@link InProcessSpmd} bootstraps it over its
 * in-process groups) with {@link HostNccl}, a host-memory stand-in for the NCCL library, on {@link HostGpuRuntime}
 * devices: collectives give the values computed here in plain Java, and the failure cases of the collective
 * conformance suite (a missing rank, mismatched calls) fail as it requires, before NCCL is called; a collective that
 * hangs in NCCL after the handshake aborts the communicator.
 */
class NcclGroupHandshakeTest {
    private static final SpmdOptions OPTIONS = new SpmdOptions(Duration.ofSeconds(30), Duration.ofMinutes(1));

    private final HostNccl nccl = new HostNccl();
    @TempDir
    static Path modules;

    private final StreamBackend backend = HostGpuRuntime.backend(3, nccl, modules);

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    private static Tensor input(TensorScope scope, int rank, int length) {
        float[] values = new float[length];
        for (int i = 0; i < length; i++) {
            values[i] = rank * 10 + i;
        }
        return scope.fromArray(values, length);
    }

    @Test
    void collectivesRunInNcclAfterEveryRankAgreedOnTheCall() {
        List<float[][]> got = InProcessSpmd.call(backend, 3, OPTIONS, rank -> {
            try (TensorScope scope = rank.scope().child()) {
                ProcessGroup world = rank.world();
                assertInstanceOf(NcclGroup.class, world, "the backend's own group");
                Tensor x = input(scope, rank.rank(), 6);
                float[] sum = world.allReduce(x, ReduceOp.SUM).toFloatArray();
                float[] max = world.allReduceAsync(x, ReduceOp.MAX).await().toFloatArray();
                float[] gathered = world.allGather(x).toFloatArray();
                float[] broadcast = world.broadcast(x, 1).toFloatArray();
                float[] scattered = world.reduceScatter(x, ReduceOp.SUM).toFloatArray();
                world.barrier();
                return new float[][] {sum, max, gathered, broadcast, scattered};
            }
        });
        for (int r = 0; r < 3; r++) {
            float[][] results = got.get(r);
            float[] gathered = new float[18];
            for (int i = 0; i < 6; i++) {
                assertEquals(30 + 3 * i, results[0][i], "sum of element " + i + " on rank " + r);
                assertEquals(20 + i, results[1][i], "max of element " + i + " on rank " + r);
                assertEquals(10 + i, results[3][i], "rank 1's element " + i + " broadcast to rank " + r);
                for (int from = 0; from < 3; from++) {
                    gathered[6 * from + i] = from * 10 + i;
                }
            }
            assertArrayEquals(gathered, results[2], "all-gather on rank " + r);
            assertArrayEquals(new float[] {30 + 3 * 2 * r, 30 + 3 * (2 * r + 1)}, results[4], "rank " + r + "'s rows of the reduce-scatter");
        }
        assertEquals(15, nccl.calls().stream().filter(c -> !c.startsWith("ncclCommDestroy")).count(), "five NCCL collectives on each of 3 ranks; the barrier is the handshake");
    }

    @Test
    void aMissingRankIsNamedBeforeNcclIsCalled() {
        Duration timeout = Duration.ofMillis(300);
        long start = System.nanoTime();
        List<Throwable> failures = InProcessSpmd.call(backend, 3, OPTIONS.withCollectiveTimeout(timeout), rank -> {
            try (TensorScope scope = rank.scope().child()) {
                Tensor x = input(scope, rank.rank(), 4);
                ProcessGroup world = rank.world();
                if (rank.rank() == 2) {
                    Thread.sleep(3_000);
                }
                return assertThrows(CollectiveTimeoutException.class, () -> world.allReduce(x, ReduceOp.SUM));
            }
        });
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis < 10_000, "the timeout must fire within seconds, took " + elapsedMillis + " ms");
        for (int r = 0; r < 3; r++) {
            CollectiveTimeoutException e = (CollectiveTimeoutException) failures.get(r);
            assertEquals(List.of(2), e.missingRanks(), "missing ranks seen by rank " + r);
            assertEquals("allReduce", e.op());
            assertEquals(0, e.sequence());
            assertEquals(timeout, e.timeout());
            String message = e.getMessage();
            assertTrue(message.contains("allReduce #0") && message.contains("world [0, 1, 2]") && message.contains("rank 2 never called it")
                    && message.contains("f32[4]"), "the message names the op, sequence, group, shapes and missing rank: " + message);
        }
        assertEquals(List.of(), nccl.calls().stream().filter(c -> c.startsWith("allReduce")).toList(), "NCCL is never called");
    }

    @Test
    void mismatchedCallsFailEveryRankBeforeNcclAndTheGroupGoesOn() {
        List<String> messages = InProcessSpmd.call(backend, 2, OPTIONS, rank -> {
            try (TensorScope scope = rank.scope().child()) {
                ProcessGroup world = rank.world();
                Tensor x = input(scope, rank.rank(), 4);
                CollectiveMismatchException calls = assertThrows(CollectiveMismatchException.class, () -> {
                    if (rank.rank() == 0) {
                        world.allReduce(x, ReduceOp.SUM);
                    } else {
                        world.allGather(x);
                    }
                });
                assertEquals(0, calls.sequence());
                Tensor y = input(scope, rank.rank(), rank.rank() == 0 ? 4 : 5);
                CollectiveMismatchException shapes = assertThrows(CollectiveMismatchException.class, () -> world.allReduce(y, ReduceOp.SUM));
                assertEquals(1, shapes.sequence());
                assertArrayEquals(new float[] {10, 12, 14, 16}, world.allReduce(x, ReduceOp.SUM).toFloatArray(), "the group works after a mismatch");
                return calls.getMessage() + "\n" + shapes.getMessage();
            }
        });
        for (String message : messages) {
            assertTrue(message.contains("allReduce(SUM, f32[4]) from rank 0") && message.contains("allGather(f32[4]) from rank 1"),
                    "the message names both calls: " + message);
            assertTrue(message.contains("allReduce(SUM, f32[5]) from rank 1"), "shapes are part of the call: " + message);
        }
        assertEquals(List.of("allReduce by rank 0", "allReduce by rank 1"), nccl.calls().stream().filter(c -> !c.startsWith("ncclCommDestroy")).sorted().toList(),
                "only the matching collective reaches NCCL");
    }

    @Test
    void aCollectiveThatHangsInNcclAbortsTheCommunicatorAndNamesItsSequence() {
        Duration timeout = Duration.ofMillis(300);
        List<CollectiveException[]> failures = InProcessSpmd.call(backend, 2, OPTIONS.withCollectiveTimeout(timeout), rank -> {
            try (TensorScope scope = rank.scope().child()) {
                ProcessGroup world = rank.world();
                Tensor x = input(scope, rank.rank(), 4);
                world.allReduce(x, ReduceOp.SUM);
                world.barrier();
                nccl.hang();
                CollectiveTimeoutException hung = assertThrows(CollectiveTimeoutException.class, () -> world.allReduce(x, ReduceOp.SUM));
                CollectiveException refused = assertThrows(CollectiveException.class, () -> world.allGather(x));
                return new CollectiveException[] {hung, refused};
            }
        });
        for (CollectiveException[] f : failures) {
            CollectiveTimeoutException hung = (CollectiveTimeoutException) f[0];
            assertEquals("allReduce", hung.op());
            assertEquals(2, hung.sequence(), "after allReduce #0 and barrier #1");
            assertEquals(List.of(), hung.missingRanks(), "every rank called it");
            assertTrue(hung.getMessage().contains("allReduce #2 on world [0, 1]") && hung.getMessage().contains("the handshake passed")
                    && hung.getMessage().contains("ncclCommAbort"), hung.getMessage());
            assertTrue(f[1].getMessage().contains("ncclCommAbort") && f[1].getMessage().contains("allGather #3"), f[1].getMessage());
        }
        assertEquals(List.of("ncclCommAbort by rank 0", "ncclCommAbort by rank 1"), nccl.calls().stream().filter(c -> c.startsWith("ncclComm")).sorted().toList(),
                "each rank aborted its communicator, and destroyed nothing twice");
    }
}
