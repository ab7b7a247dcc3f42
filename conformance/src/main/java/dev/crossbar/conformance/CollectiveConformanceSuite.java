package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.CollectiveMismatchException;
import dev.crossbar.api.distributed.CollectiveTimeoutException;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.InProcessSpmd;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.RankFunction;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.distributed.SpmdException;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.api.distributed.Work;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The collective conformance suite: every collective of {@link ProcessGroup} on the backend under test, run by
 * {@link InProcessSpmd} with one rank per device, for element types F32, F64, F16, BF16, I32 and I64, world sizes 1,
 * 2, 3, 4 and 8, and lengths that world sizes do not divide; each result is compared with values computed in plain
 * Java in double precision and rounded once to the element type, within {@link Tolerance#of(DType)} widened for the
 * number of ranks combined (integers exactly). Every rank must receive the same bits. Plus the failure contract:
 * timeouts name the missing rank, mismatched calls fail every rank naming both calls, a failing rank stops the run.
 *
 * <p>A backend's test folder extends it, names its provider and gives the backend enough devices:
 *
 * <pre>{@code
 * class CpuCollectiveTest extends CollectiveConformanceSuite {
 *     protected BackendProvider provider() { return new CpuBackendProvider(); }
 *     protected BackendContext context() { return new BackendContext(Map.of("crossbar.cpu.devices", "8")); }
 * }
 * }</pre>
 *
 * <p>Each case is one dynamic test named like {@code "allReduce/sum/f32/world 4"}; a world size larger than the
 * backend's device count is aborted as unavailable.
 */
public abstract class CollectiveConformanceSuite extends BackendFixture {
    private static final int[] WORLD_SIZES = {1, 2, 3, 4, 8};
    private static final List<DType> DTYPES = List.of(DType.F32, DType.F64, DType.F16, DType.BF16, DType.I32, DType.I64);
    /** Prime, so no world size above 1 divides it. */
    private static final int LENGTH = 13;

    /**
     * Returns the timeouts of the suite's runs; the timeout tests use their own short collective timeout.
     *
     * @return 30 s per collective, 2 min per run
     */
    protected SpmdOptions options() {
        return new SpmdOptions(Duration.ofSeconds(30), Duration.ofMinutes(2));
    }

    // ---------------------------------------------------------------- values

    /** Rank {@code r}'s element {@code i}: small integers (halves for floating types), exact in every type, never 0. */
    private static double value(DType dtype, int rank, int i) {
        int raw = (rank * 7 + i * 3) % 11 - 5;
        raw = raw >= 0 ? raw + 1 : raw;
        return dtype.isFloating() ? raw * 0.5 : raw;
    }

    private static Tensor input(TensorScope scope, DType dtype, int rank, int... dims) {
        int n = Math.toIntExact(Shape.of(dims).size());
        double[] data = new double[n];
        for (int i = 0; i < n; i++) {
            data[i] = value(dtype, rank, i);
        }
        try (Tensor f64 = scope.fromArray(data, dims)) {
            return f64.cast(dtype);
        }
    }

    private static double combine(ReduceOp op, double[] terms) {
        double acc = terms[0];
        for (int r = 1; r < terms.length; r++) {
            acc = switch (op) {
                case SUM, AVG -> acc + terms[r];
                case PROD -> acc * terms[r];
                case MAX -> Math.max(acc, terms[r]);
                case MIN -> Math.min(acc, terms[r]);
            };
        }
        return op == ReduceOp.AVG ? acc / terms.length : acc;
    }

    /** The reduction of element {@code i} over the ranks, in double, with the magnitude its tolerance applies to. */
    private static double[] expectedReduction(DType dtype, ReduceOp op, int worldSize, int i) {
        double[] terms = new double[worldSize];
        double magnitude = 0;
        for (int r = 0; r < worldSize; r++) {
            terms[r] = value(dtype, r, i);
            magnitude += Math.abs(terms[r]);
        }
        double exact = combine(op, terms);
        return new double[] {exact, op == ReduceOp.SUM ? magnitude : op == ReduceOp.AVG ? magnitude / worldSize : Math.abs(exact)};
    }

    private static void assertClose(String what, DType dtype, int terms, double exact, double magnitude, double got) {
        double expected = DTypeValues.round(dtype, exact);
        Tolerance tolerance = Tolerance.of(dtype).forReductionOf(terms);
        assertTrue(tolerance.accepts(expected, got, magnitude),
                () -> String.format(Locale.ROOT, "%s: expected %s (exactly %s) within %s, got %s", what, expected, exact, tolerance, got));
    }

    // ---------------------------------------------------------------- running ranks

    private <T> List<T> spmd(int worldSize, RankFunction<T> function) {
        return spmd(worldSize, options(), function);
    }

    /**
     * Runs a function on the ranks of a world and returns each rank's result; a rank's failure is thrown as the cause of
     * an {@link SpmdException} naming it, and a world larger than {@link #availableRanks()} aborts the test as
     * unavailable. The kit's version runs the ranks in this JVM with {@link InProcessSpmd}, one per device; a
     * multi-process communicator overrides it to run each rank in its own process and exchange the results, so that
     * every process evaluates the same assertions.
     *
     * @param worldSize the number of ranks
     * @param options the timeouts
     * @param function what each rank computes; it may share nothing with the other ranks but what it communicates
     * @param <T> the result type, plain serializable data
     * @return the results, by rank
     */
    protected <T> List<T> runRanks(int worldSize, SpmdOptions options, RankFunction<T> function) {
        assumeTrue(availableRanks() >= worldSize, () -> String.format(Locale.ROOT,
                "UNAVAILABLE: world size %d needs %d devices; backend '%s' has %d", worldSize, worldSize, backend().name(), availableRanks()));
        return InProcessSpmd.call(backend(), worldSize, options, function);
    }

    /**
     * Returns the largest world this suite can run: the backend's devices, or the processes of a multi-process job.
     *
     * @return the number of ranks available
     */
    protected int availableRanks() {
        return backend().devices().size();
    }

    private <T> List<T> spmd(int worldSize, SpmdOptions options, RankFunction<T> function) {
        try {
            return runRanks(worldSize, options, function);
        } catch (SpmdException e) {
            if (e.getCause() instanceof AssertionError a) {
                a.addSuppressed(e);
                throw a;
            }
            throw e;
        }
    }

    /** Checks a result's type, shape, device and owner, and returns its elements. */
    private static double[] read(RankContext rank, Tensor result, DType dtype, Shape shape, TensorScope owner) {
        assertEquals(dtype, result.dtype(), "dtype of rank " + rank.rank() + "'s result");
        assertEquals(shape, result.shape(), "shape of rank " + rank.rank() + "'s result");
        assertEquals(rank.device(), result.device(), "device of rank " + rank.rank() + "'s result");
        assertSame(owner, result.scope(), "the scope current at the call owns the result");
        return result.toDoubleArray();
    }

    /** Every rank received the same bits. */
    private static void assertIdentical(List<double[]> perRank) {
        for (int r = 1; r < perRank.size(); r++) {
            assertArrayEquals(perRank.getFirst(), perRank.get(r), "rank " + r + " and rank 0 must receive the same result");
        }
    }

    private static Stream<DynamicTest> cases(String collective, boolean reducing, CaseBody body) {
        return cases(collective, reducing, 1, body);
    }

    private static Stream<DynamicTest> cases(String collective, boolean reducing, int minWorldSize, CaseBody body) {
        List<DynamicTest> tests = new ArrayList<>();
        List<ReduceOp> ops = reducing ? List.of(ReduceOp.values()) : Arrays.asList((ReduceOp) null);
        for (ReduceOp op : ops) {
            for (DType dtype : DTYPES) {
                if (op != null && !dtype.isFloating() && !op.admitsIntegers()) {
                    continue;
                }
                for (int worldSize : WORLD_SIZES) {
                    if (worldSize < minWorldSize) {
                        continue;
                    }
                    String name = collective + (op == null ? "" : "/" + op.name().toLowerCase(Locale.ROOT)) + "/" + dtype.shortName() + "/world " + worldSize;
                    tests.add(DynamicTest.dynamicTest(name, () -> body.run(op, dtype, worldSize)));
                }
            }
        }
        return tests.stream();
    }

    @FunctionalInterface
    private interface CaseBody {
        void run(ReduceOp op, DType dtype, int worldSize) throws Exception;
    }

    // ---------------------------------------------------------------- collectives x dtypes x world sizes

    /**
     * All-reduce of {@value #LENGTH} elements with every reduce operation.
     *
     * @return one test per (op, dtype, world size)
     */
    @TestFactory
    public final Stream<DynamicTest> allReduce() {
        return cases("allReduce", true, (op, dtype, worldSize) -> {
            List<double[]> got = spmd(worldSize, rank -> {
                try (TensorScope scope = rank.scope().child()) {
                    Tensor x = input(scope, dtype, rank.rank(), LENGTH);
                    return read(rank, rank.world().allReduce(x, op), dtype, Shape.of(LENGTH), scope);
                }
            });
            assertIdentical(got);
            for (int i = 0; i < LENGTH; i++) {
                double[] e = expectedReduction(dtype, op, worldSize, i);
                assertClose("allReduce(" + op + ") element " + i, dtype, worldSize, e[0], e[1], got.getFirst()[i]);
            }
        });
    }

    /**
     * Reduce-scatter of {@code 2 * worldSize + 1} rows of 3, split unevenly as {@link ProcessGroup#chunkSizes}.
     *
     * @return one test per (op, dtype, world size)
     */
    @TestFactory
    public final Stream<DynamicTest> reduceScatter() {
        return cases("reduceScatter", true, (op, dtype, worldSize) -> {
            int rows = 2 * worldSize + 1;
            int[] sizes = ProcessGroup.chunkSizes(rows, worldSize);
            List<double[]> got = spmd(worldSize, rank -> {
                try (TensorScope scope = rank.scope().child()) {
                    Tensor x = input(scope, dtype, rank.rank(), rows, 3);
                    return read(rank, rank.world().reduceScatter(x, op), dtype, Shape.of(sizes[rank.rank()], 3), scope);
                }
            });
            int start = 0;
            for (int r = 0; r < worldSize; r++) {
                for (int k = 0; k < sizes[r] * 3; k++) {
                    double[] e = expectedReduction(dtype, op, worldSize, start * 3 + k);
                    assertClose("reduceScatter(" + op + ") rank " + r + " element " + k, dtype, worldSize, e[0], e[1], got.get(r)[k]);
                }
                start += sizes[r];
            }
        });
    }

    /**
     * All-gather of a [3, 5] tensor, in the concatenated and in the list form (even ranks ask for one, odd ranks for
     * the other, in the same collective).
     *
     * @return one test per (dtype, world size)
     */
    @TestFactory
    public final Stream<DynamicTest> allGather() {
        return cases("allGather", false, (op, dtype, worldSize) -> {
            List<double[]> got = spmd(worldSize, rank -> {
                try (TensorScope scope = rank.scope().child()) {
                    Tensor x = input(scope, dtype, rank.rank(), 3, 5);
                    if (rank.rank() % 2 == 0) {
                        return read(rank, rank.world().allGather(x), dtype, Shape.of(3 * worldSize, 5), scope);
                    }
                    List<Tensor> parts = rank.world().allGatherList(x);
                    assertEquals(worldSize, parts.size(), "allGatherList gives one tensor per rank");
                    double[] all = new double[15 * worldSize];
                    for (int r = 0; r < worldSize; r++) {
                        System.arraycopy(read(rank, parts.get(r), dtype, Shape.of(3, 5), scope), 0, all, 15 * r, 15);
                    }
                    return all;
                }
            });
            assertIdentical(got);
            for (int r = 0; r < worldSize; r++) {
                for (int i = 0; i < 15; i++) {
                    assertEquals(value(dtype, r, i), got.getFirst()[15 * r + i], "allGather: element " + i + " of rank " + r);
                }
            }
        });
    }

    /**
     * Broadcast of {@value #LENGTH} elements from the last rank; the other ranks pass zeros of the same shape.
     *
     * @return one test per (dtype, world size)
     */
    @TestFactory
    public final Stream<DynamicTest> broadcast() {
        return cases("broadcast", false, (op, dtype, worldSize) -> {
            int root = worldSize - 1;
            List<double[]> got = spmd(worldSize, rank -> {
                try (TensorScope scope = rank.scope().child()) {
                    Tensor x = rank.rank() == root ? input(scope, dtype, root, LENGTH) : scope.zeros(dtype, LENGTH);
                    return read(rank, rank.world().broadcast(x, root), dtype, Shape.of(LENGTH), scope);
                }
            });
            assertIdentical(got);
            for (int i = 0; i < LENGTH; i++) {
                assertEquals(value(dtype, root, i), got.getFirst()[i], "broadcast: element " + i);
            }
        });
    }

    /**
     * All-to-all of {@code 2 * worldSize + 1} rows of 2, split unevenly as {@link ProcessGroup#chunkSizes}.
     *
     * @return one test per (dtype, world size)
     */
    @TestFactory
    public final Stream<DynamicTest> allToAll() {
        return cases("allToAll", false, (op, dtype, worldSize) -> {
            int rows = 2 * worldSize + 1;
            int[] sizes = ProcessGroup.chunkSizes(rows, worldSize);
            List<double[]> got = spmd(worldSize, rank -> {
                try (TensorScope scope = rank.scope().child()) {
                    Tensor x = input(scope, dtype, rank.rank(), rows, 2);
                    return read(rank, rank.world().allToAll(x), dtype, Shape.of(worldSize * sizes[rank.rank()], 2), scope);
                }
            });
            for (int to = 0; to < worldSize; to++) {
                int start = Arrays.stream(sizes, 0, to).sum();
                int k = 0;
                for (int from = 0; from < worldSize; from++) {
                    for (int row = start; row < start + sizes[to]; row++) {
                        for (int col = 0; col < 2; col++) {
                            assertEquals(value(dtype, from, row * 2 + col), got.get(to)[k++],
                                    String.format(Locale.ROOT, "allToAll: rank %d, row %d of rank %d, column %d", to, row, from, col));
                        }
                    }
                }
            }
        });
    }

    /**
     * Send and receive around a ring: every rank sends to the next and receives from the previous.
     *
     * @return one test per (dtype, world size of at least 2)
     */
    @TestFactory
    public final Stream<DynamicTest> sendRecv() {
        return cases("send/recv", false, 2, (op, dtype, worldSize) -> {
            List<double[]> got = spmd(worldSize, rank -> {
                try (TensorScope scope = rank.scope().child()) {
                    ProcessGroup world = rank.world();
                    Tensor x = input(scope, dtype, rank.rank(), LENGTH);
                    Work<Void> sent = world.sendAsync(x, (rank.rank() + 1) % worldSize);
                    Tensor received = world.recv((rank.rank() + worldSize - 1) % worldSize);
                    sent.await();
                    return read(rank, received, dtype, Shape.of(LENGTH), scope);
                }
            });
            for (int r = 0; r < worldSize; r++) {
                int from = (r + worldSize - 1) % worldSize;
                for (int i = 0; i < LENGTH; i++) {
                    assertEquals(value(dtype, from, i), got.get(r)[i], "rank " + r + " receives element " + i + " of rank " + from);
                }
            }
        });
    }

    /**
     * A barrier holds every rank until the last arrives: no rank leaves before every rank has entered. The last rank
     * enters 50 ms late; entry and exit times are wall-clock times, comparable between the processes of one host.
     *
     * @return one test per world size
     */
    @TestFactory
    public final Stream<DynamicTest> barrier() {
        return IntStream.of(WORLD_SIZES).mapToObj(worldSize -> DynamicTest.dynamicTest("barrier/world " + worldSize, () -> {
            List<long[]> times = spmd(worldSize, rank -> {
                if (rank.rank() == worldSize - 1) {
                    Thread.sleep(50);
                }
                long entered = wallClockMicros();
                rank.world().barrier();
                return new long[] {entered, wallClockMicros()};
            });
            long lastEntry = times.stream().mapToLong(t -> t[0]).max().orElseThrow();
            for (int r = 0; r < worldSize; r++) {
                assertTrue(times.get(r)[1] >= lastEntry, "rank " + r + " left the barrier at " + times.get(r)[1] + " us, before rank "
                        + (worldSize - 1) + " entered it at " + lastEntry + " us");
            }
        }));
    }

    private static long wallClockMicros() {
        Instant now = Instant.now();
        return now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000;
    }

    // ---------------------------------------------------------------- numerics and determinism

    /**
     * F16 and BF16 sums are computed in F32 and rounded once: rank 0 holds a value whose ulp is twice the others',
     * so summing in the narrow type would lose every other term.
     */
    @Test
    public final void halfPrecisionSumsAreComputedInF32AndRoundedOnce() {
        int worldSize = Math.min(8, availableRanks());
        assumeTrue(worldSize >= 3, "needs 3 devices");
        for (DType dtype : List.of(DType.F16, DType.BF16)) {
            double big = dtype == DType.F16 ? 1024 : 256;
            double small = dtype == DType.F16 ? 0.5 : 1;
            List<Double> got = spmd(worldSize, rank -> {
                try (TensorScope scope = rank.scope().child()) {
                    Tensor x = scope.full(Shape.of(1), rank.rank() == 0 ? big : small, dtype);
                    return rank.world().allReduce(x, ReduceOp.SUM).item();
                }
            });
            double exact = big + small * (worldSize - 1);
            double narrow = big;
            for (int r = 1; r < worldSize; r++) {
                narrow = DTypeValues.round(dtype, narrow + small);
            }
            double expected = DTypeValues.round(dtype, exact);
            assertNotEquals(narrow, expected, "the case must tell the two summations apart");
            for (double g : got) {
                assertEquals(expected, g, dtype + ": sum of " + big + " and " + (worldSize - 1) + " x " + small + " rounded once from " + exact);
            }
        }
    }

    /** Floating sums do not depend on which rank arrives last: two runs give the same bits on every rank. */
    @Test
    public final void floatingReductionsAreTheSameInEveryRun() {
        int worldSize = Math.min(4, availableRanks());
        RankFunction<double[]> body = rank -> {
            try (TensorScope scope = rank.scope().child()) {
                Thread.sleep((worldSize - rank.rank()) * 3L);
                Tensor x = scope.randUniform(Shape.of(64), DType.F32, 7, rank.rank() * 16L, -1, 1);
                return rank.world().allReduce(x, ReduceOp.SUM).toDoubleArray();
            }
        };
        List<double[]> first = spmd(worldSize, body);
        List<double[]> second = spmd(worldSize, (RankFunction<double[]>) rank -> {
            Thread.sleep(rank.rank() * 3L);
            return body.apply(rank);
        });
        assertIdentical(first);
        assertArrayEquals(first.getFirst(), second.getFirst(), "two runs must give the same bits");
    }

    // ---------------------------------------------------------------- scopes, async, groups

    /** The asynchronous forms copy the input at the call, so it may be closed at once, and complete in any await order. */
    @Test
    public final void asynchronousCollectivesCopyTheirInputAndCompleteInAnyAwaitOrder() {
        int worldSize = Math.min(3, availableRanks());
        List<double[]> got = spmd(worldSize, rank -> {
            try (TensorScope scope = rank.scope().child()) {
                Tensor x = scope.full(Shape.of(2), rank.rank() + 1, DType.F32);
                Work<Tensor> sum = rank.world().allReduceAsync(x, ReduceOp.SUM);
                Work<Tensor> gathered = rank.world().allGatherAsync(x);
                x.close();
                Tensor g = gathered.await(Duration.ofSeconds(10));
                Tensor s = sum.await();
                assertTrue(sum.isDone() && gathered.isDone(), "awaited work is done");
                double[] out = new double[2 + 2 * worldSize];
                System.arraycopy(s.toDoubleArray(), 0, out, 0, 2);
                System.arraycopy(g.toDoubleArray(), 0, out, 2, 2 * worldSize);
                return out;
            }
        });
        double total = worldSize * (worldSize + 1) / 2.0;
        for (double[] g : got) {
            assertEquals(total, g[0]);
            for (int r = 0; r < worldSize; r++) {
                assertEquals(r + 1, g[2 + 2 * r]);
            }
        }
    }

    /** One group exists per set of ranks; mesh axes give the groups of rows and columns. */
    @Test
    public final void groupsAreCachedByRankSetAndMeshAxesGiveRowAndColumnGroups() {
        assumeTrue(availableRanks() >= 4, "needs 4 devices");
        DeviceMesh mesh = DeviceMesh.of(new int[] {2, 2}, "replicate", "shard");
        List<double[]> got = spmd(4, rank -> {
            assertSame(rank.world(), rank.group(List.of(3, 2, 1, 0)), "the world group is the group of every rank");
            List<Integer> row = mesh.groupAlong("shard", rank.rank());
            ProcessGroup shard = rank.group(mesh, "shard");
            assertSame(shard, rank.group(row.reversed()), "two requests for the same ranks return the same group");
            assertEquals(row, shard.ranks());
            assertEquals(row.indexOf(rank.rank()), shard.rank());
            try (TensorScope scope = rank.scope().child()) {
                Tensor x = scope.full(Shape.of(1), 1 << rank.rank(), DType.I64);
                double rowSum = shard.allReduce(x, ReduceOp.SUM).item();
                double columnSum = rank.group(mesh, "replicate").allReduce(x, ReduceOp.SUM).item();
                return new double[] {rowSum, columnSum};
            }
        });
        for (int r = 0; r < 4; r++) {
            double row = mesh.groupAlong("shard", r).stream().mapToInt(i -> 1 << i).sum();
            double column = mesh.groupAlong("replicate", r).stream().mapToInt(i -> 1 << i).sum();
            assertArrayEquals(new double[] {row, column}, got.get(r), "rank " + r + ": sums over its row and column");
        }
    }

    // ---------------------------------------------------------------- failures

    /**
     * A rank that never calls makes the others fail within the short timeout, naming it; it fails too when it comes
     * late (it arrives 3 s after them, ten times their timeout, when they have long given up).
     */
    @Test
    public final void aMissingRankTimesOutNamingItInsteadOfHanging() {
        assumeTrue(availableRanks() >= 3, "needs 3 devices");
        Duration timeout = Duration.ofMillis(300);
        long start = System.nanoTime();
        List<Throwable> failures = spmd(3, options().withCollectiveTimeout(timeout), rank -> {
            try (TensorScope scope = rank.scope().child()) {
                Tensor x = scope.ones(DType.F32, 4);
                if (rank.rank() == 2) {
                    Thread.sleep(3_000);
                }
                return assertThrows(CollectiveTimeoutException.class, () -> rank.world().allReduce(x, ReduceOp.SUM));
            }
        });
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(elapsedMillis < 10_000, "the timeout must fire within seconds, took " + elapsedMillis + " ms");
        for (int r = 0; r < 2; r++) {
            CollectiveTimeoutException e = (CollectiveTimeoutException) failures.get(r);
            assertEquals(List.of(2), e.missingRanks(), "missing ranks");
            assertEquals("allReduce", e.op());
            assertEquals(0, e.sequence());
            assertEquals(timeout, e.timeout());
            String message = e.getMessage();
            assertTrue(message.contains("allReduce #0") && message.contains("world [0, 1, 2]") && message.contains("rank 2 never called it")
                    && message.contains("f32[4]"), "the message names the op, sequence, group, shapes and missing rank: " + message);
        }
        assertInstanceOf(CollectiveTimeoutException.class, failures.get(2), "the late rank fails too");
    }

    /** Two ranks calling different collectives at the same sequence number both fail, naming both calls; the group goes on. */
    @Test
    public final void mismatchedCollectivesFailOnEveryRankNamingBothCalls() {
        assumeTrue(availableRanks() >= 2, "needs 2 devices");
        List<String> messages = spmd(2, rank -> {
            try (TensorScope scope = rank.scope().child()) {
                Tensor x = scope.ones(DType.F32, 4);
                ProcessGroup world = rank.world();
                CollectiveMismatchException e = assertThrows(CollectiveMismatchException.class,
                        () -> {
                            if (rank.rank() == 0) {
                                world.allReduce(x, ReduceOp.SUM);
                            } else {
                                world.allGather(x);
                            }
                        });
                assertEquals(0, e.sequence());
                Tensor y = rank.rank() == 0 ? scope.ones(DType.F32, 4) : scope.ones(DType.F32, 5);
                CollectiveMismatchException shapes = assertThrows(CollectiveMismatchException.class, () -> world.allReduce(y, ReduceOp.SUM));
                assertEquals(1, shapes.sequence());
                assertEquals(8.0, world.allReduce(x, ReduceOp.SUM).sum().item(), "the group works after a mismatch");
                return e.getMessage() + "\n" + shapes.getMessage();
            }
        });
        for (String message : messages) {
            assertTrue(message.contains("allReduce(SUM, f32[4]) from rank 0") && message.contains("allGather(f32[4]) from rank 1"),
                    "the message names both calls: " + message);
            assertTrue(message.contains("allReduce(SUM, f32[5]) from rank 1"), "shapes are part of the call: " + message);
        }
    }

    /** A rank that throws stops the run at once: the others' waiting collectives fail and the first failure is reported. */
    @Test
    public final void aFailingRankStopsTheRunInsteadOfLeavingTheOthersWaiting() {
        assumeTrue(availableRanks() >= 2, "needs 2 devices");
        long start = System.nanoTime();
        SpmdException e = assertThrows(SpmdException.class, () -> runRanks(2, options(), rank -> {
            if (rank.rank() == 1) {
                throw new IllegalStateException("rank 1 gives up");
            }
            return rank.world().allReduce(rank.scope().ones(DType.F32, 2), ReduceOp.SUM).item();
        }));
        long elapsedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertEquals(1, e.rank());
        assertInstanceOf(IllegalStateException.class, e.getCause());
        assertTrue(elapsedMillis < 10_000, "the run must stop well before the collective timeout, took " + elapsedMillis + " ms");
    }
}
