package dev.crossbar.conformance;

import static dev.crossbar.conformance.TinyGptWorkload.BATCH;
import static dev.crossbar.conformance.TinyGptWorkload.CONFIG;
import static dev.crossbar.conformance.TinyGptWorkload.LR;
import static dev.crossbar.conformance.TinyGptWorkload.SEED;
import static dev.crossbar.conformance.TinyGptWorkload.adam;
import static dev.crossbar.conformance.TinyGptWorkload.batch;
import static dev.crossbar.conformance.TinyGptWorkload.loss;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Generator;
import dev.crossbar.api.MemoryAccounting;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.distributed.CollectiveObserver;
import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.api.distributed.InProcessSpmd;
import dev.crossbar.api.distributed.RankContext;
import dev.crossbar.api.distributed.ReduceOp;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.api.nn.Parameter;
import dev.crossbar.api.optim.AdamW;
import dev.crossbar.api.optim.Optimizer;
import dev.crossbar.api.sharding.DTensor;
import dev.crossbar.api.sharding.Fsdp;
import dev.crossbar.api.sharding.FsdpModule;
import dev.crossbar.api.sharding.FsdpOptions;
import dev.crossbar.api.sharding.MixedPrecision;
import dev.crossbar.api.sharding.Placement;
import dev.crossbar.api.sharding.Shard;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The FSDP conformance suite: distributed tensors and {@link Fsdp} on the backend under test, run by
 * {@link InProcessSpmd} with one rank per device. A tiny GPT (two blocks, dimensions no world size divides, so
 * every shard layout has padding) trains for {@value #STEPS} AdamW steps on one device and, with the same seed and the
 * same global batch split across ranks, under FSDP; losses per step and the gathered parameters must agree within
 * {@value #F32_TOLERANCE} (F32) or {@value #BF16_TOLERANCE} (BF16 mixed precision), except the attention's key bias,
 * whose gradient is exactly zero (softmax is shift-invariant) so that AdamW turns rounding noise into steps of up to
 * the learning rate: it may drift by {@code 2 * steps * lr}. Also: memory per rank, collectives
 * per unit and step, prefetch, gradient accumulation without sync and HSDP.
 *
 * <p>A backend's test folder extends it and gives the backend at least four devices:
 *
 * <pre>{@code
 * class CpuFsdpTest extends FsdpSuite {
 *     protected BackendProvider provider() { return new CpuBackendProvider(); }
 *     protected BackendContext context() { return new BackendContext(Map.of("crossbar.cpu.devices", "4")); }
 * }
 * }</pre>
 */
public abstract class FsdpSuite extends SpmdFixture {
    /** Largest absolute difference allowed between F32 FSDP and single-device training, losses and parameters. */
    static final double F32_TOLERANCE = 1e-5;
    /** The same for BF16 compute with F32 reduction and master weights. */
    static final double BF16_TOLERANCE = 2.5e-2;
    static final int STEPS = 20;


    // ---------------------------------------------------------------- data and the reference run


    /** Losses per step and final parameters of single-device training on the whole batch. */
    private record Run(double[] losses, Map<String, float[]> parameters) {
    }

    private Run reference;

    private synchronized Run reference() {
        if (reference == null) {
            try (TensorScope scope = root().child()) {
                Gpt model = new Gpt(scope, new Generator(SEED), CONFIG);
                Optimizer optimizer = adam(model);
                double[] losses = new double[STEPS];
                for (int step = 0; step < STEPS; step++) {
                    try (TensorScope stepScope = scope.child()) {
                        Tensor loss = loss(stepScope, model, step, 0, BATCH);
                        loss.backward();
                        optimizer.step();
                        optimizer.zeroGrad();
                        losses[step] = loss.item();
                    }
                }
                Map<String, float[]> parameters = new LinkedHashMap<>();
                model.namedParameters().forEach((name, p) -> parameters.put(name, p.value().toFloatArray()));
                reference = new Run(losses, parameters);
            }
        }
        return reference;
    }

    /** Shards the blocks, then the root, as FSDP2 is applied bottom-up. */
    private static FsdpModule shard(Gpt model, RankContext rank, DeviceMesh mesh, FsdpOptions options) {
        model.children().forEach((name, child) -> {
            if (name.startsWith("block")) {
                Fsdp.fullyShard(child, rank, mesh, options);
            }
        });
        return Fsdp.fullyShard(model, rank, mesh, options);
    }

    /** Trains under FSDP on every rank of the mesh; each rank takes its rows of the global batch. */
    private Run fsdpRun(DeviceMesh mesh, FsdpOptions options, int microBatches) {
        int world = mesh.size();
        List<Run> runs = spmd(world, rank -> {
            Gpt model = new Gpt(rank.scope(), new Generator(SEED), CONFIG);
            FsdpModule root = shard(model, rank, mesh, options);
            Optimizer optimizer = adam(model);
            int rows = BATCH / world;
            int micro = rows / microBatches;
            double[] losses = new double[STEPS];
            for (int step = 0; step < STEPS; step++) {
                try (TensorScope stepScope = rank.scope().child()) {
                    double local = 0;
                    for (int m = 0; m < microBatches; m++) {
                        root.setRequiresGradientSync(m == microBatches - 1);
                        int from = rank.rank() * rows + m * micro;
                        Tensor loss = loss(stepScope, model, step, from, from + micro);
                        loss.div((double) microBatches).backward();
                        local += loss.item() / microBatches;
                    }
                    optimizer.step();
                    optimizer.zeroGrad();
                    losses[step] = rank.world().allReduce(stepScope.scalar(local, DType.F64), ReduceOp.AVG).item();
                }
            }
            Map<String, float[]> parameters = new LinkedHashMap<>();
            try (TensorScope gather = rank.scope().child()) {
                root.fullParameters().forEach((name, t) -> parameters.put(name, t.toFloatArray()));
            }
            return new Run(losses, parameters);
        });
        for (Run r : runs) {
            assertArrayEquals(runs.getFirst().losses(), r.losses(), 0, "every rank sees the same global loss");
        }
        return runs.getFirst();
    }

    private void assertMatchesReference(String what, Run run, double tolerance) {
        Run expected = reference();
        for (int step = 0; step < STEPS; step++) {
            double e = expected.losses()[step];
            double g = run.losses()[step];
            int s = step;
            assertTrue(Math.abs(e - g) <= tolerance, () -> String.format(Locale.ROOT, "%s: loss of step %d: single device %.7f, FSDP %.7f", what, s, e, g));
        }
        assertEquals(expected.parameters().keySet(), run.parameters().keySet(), what + ": parameter names");
        double worst = 0;
        String worstName = "";
        for (String name : expected.parameters().keySet()) {
            float[] e = expected.parameters().get(name);
            float[] g = run.parameters().get(name);
            assertEquals(e.length, g.length, what + ": size of " + name);
            boolean keyBias = name.endsWith("attn.qkv.bias");
            for (int i = 0; i < e.length; i++) {
                double d = Math.abs(e[i] - g[i]);
                if (keyBias && i >= CONFIG.width() && i < 2 * CONFIG.width()) {
                    // The key bias shifts every score of a query equally, so softmax makes its gradient exactly zero;
                    // AdamW divides the rounding noise by its own size and moves these elements by up to lr per step.
                    assertTrue(d <= 2 * STEPS * LR, what + ": key bias " + name + "[" + i + "] drifted by " + d);
                    continue;
                }
                if (d > worst) {
                    worst = d;
                    worstName = name + "[" + i + "]";
                }
            }
        }
        double w = worst;
        String where = worstName;
        assertTrue(worst <= tolerance, () -> String.format(Locale.ROOT, "%s: parameters differ by %.3g at %s, tolerance %.3g", what, w, where, tolerance));
    }

    private static DeviceMesh mesh1d(int n) {
        return DeviceMesh.of(new int[] {n}, "shard");
    }

    // ---------------------------------------------------------------- DTensor

    @Test
    public final void dtensorShardsWithPaddingGathersAndRedistributes() {
        spmd(4, rank -> {
            DeviceMesh mesh = mesh1d(4);
            float[] values = new float[5 * 3];
            for (int i = 0; i < values.length; i++) {
                values[i] = i + 1;
            }
            Tensor full = rank.scope().fromArray(values, 5, 3);
            try (DTensor sharded = DTensor.fromFull(full, mesh, List.of(Placement.shard(0)), rank)) {
                assertEquals(Shape.of(2, 3), sharded.local().shape(), "ceil(5 / 4) = 2 rows per rank");
                float[] local = sharded.local().toFloatArray();
                for (int i = 0; i < 6; i++) {
                    int global = rank.rank() * 6 + i;
                    assertEquals(global < 15 ? values[global] : 0f, local[i], "element " + i + " of rank " + rank.rank() + "'s shard (zeros past the end)");
                }
                assertArrayEquals(values, sharded.full().toFloatArray(), "full() all-gathers and unpads");
                try (DTensor replicated = sharded.redistribute(List.of(Placement.replicate()))) {
                    assertArrayEquals(values, replicated.local().toFloatArray());
                }
                try (DTensor columns = DTensor.fromFull(full, mesh, List.of(Placement.shard(1)), rank)) {
                    assertEquals(Shape.of(5, 1), columns.local().shape());
                    assertArrayEquals(values, columns.full().toFloatArray(), "sharding dim 1 (3 columns on 4 ranks)");
                }
            }
            // Partial(SUM): every rank holds rank + 1 times the tensor; the value is their sum, 10 times it.
            Tensor term = full.mul((double) (rank.rank() + 1));
            try (DTensor partial = DTensor.fromLocal(term, mesh, List.of(Placement.partial(ReduceOp.SUM)), full.shape(), rank);
                    DTensor scattered = partial.redistribute(List.of(Placement.shard(0)))) {
                assertEquals(Shape.of(2, 3), scattered.local().shape(), "Partial -> Shard(0) is one reduce-scatter into padded chunks");
                float[] expected = new float[values.length];
                for (int i = 0; i < values.length; i++) {
                    expected[i] = 10 * values[i];
                }
                assertArrayEquals(expected, scattered.full().toFloatArray());
                assertArrayEquals(expected, partial.full().toFloatArray(), "Partial -> Replicate is an all-reduce");
            }
            // A 2 x 2 mesh: replicate over axis 0, shard over axis 1.
            DeviceMesh grid = DeviceMesh.of(new int[] {2, 2}, "replicate", "shard");
            try (DTensor hybrid = DTensor.fromFull(full, grid, List.of(Placement.replicate(), Placement.shard(0)), rank)) {
                assertEquals(Shape.of(3, 3), hybrid.local().shape());
                assertArrayEquals(values, hybrid.full().toFloatArray());
                try (DTensor both = hybrid.redistribute(List.of(Placement.shard(0), Placement.shard(0)))) {
                    assertEquals(Shape.of(2, 3), both.local().shape(), "nested: ceil(ceil(5 / 2) / 2) rows");
                    assertArrayEquals(values, both.full().toFloatArray());
                }
            }
            return null;
        });
    }

    // ---------------------------------------------------------------- FSDP matches single-device training

    @Test
    public final void fsdpOnOneTwoAndFourRanksMatchesSingleDeviceTraining() {
        for (int world : new int[] {1, 2, 4}) {
            for (boolean reshard : new boolean[] {true, false}) {
                Run run = fsdpRun(mesh1d(world), FsdpOptions.defaults().withReshardAfterForward(reshard), 1);
                assertMatchesReference("world " + world + ", reshardAfterForward " + reshard, run, F32_TOLERANCE);
            }
        }
    }

    @Test
    public final void hsdpOnATwoByTwoMeshMatchesSingleDeviceTraining() {
        DeviceMesh mesh = DeviceMesh.of(new int[] {2, 2}, "replicate", "shard");
        assertMatchesReference("HSDP 2x2", fsdpRun(mesh, FsdpOptions.defaults(), 1), F32_TOLERANCE);
    }

    @Test
    public final void gradientAccumulationWithoutSyncMatchesOneLargeBatch() {
        assertMatchesReference("2 micro-batches, world 2", fsdpRun(mesh1d(2), FsdpOptions.defaults(), 2), F32_TOLERANCE);
    }

    @Test
    public final void bf16MixedPrecisionStaysCloseToF32Training() {
        MixedPrecision policy = new MixedPrecision(DType.BF16, DType.F32, DType.F32);
        assertMatchesReference("BF16 compute, F32 reduce, world 2", fsdpRun(mesh1d(2), FsdpOptions.defaults().withMixedPrecision(policy), 1), BF16_TOLERANCE);
    }

    // ---------------------------------------------------------------- memory

    @Test
    public final void eachRankHoldsItsShareOfParametersGradientsAndOptimizerState() {
        int world = 4;
        spmd(world, rank -> {
            Device device = rank.device();
            rank.world().barrier();
            long before = bytesOn(device);
            Gpt model = new Gpt(rank.scope(), new Generator(SEED), CONFIG);
            long fullBytes = bytesOn(device) - before;
            long shardBytes = 0;
            long paddingBytes = 0;
            for (Parameter p : model.parameters()) {
                Shape s = p.value().shape();
                int rows = s.rank() == 0 ? 1 : s.dim(0);
                long rowBytes = s.size() / Math.max(rows, 1) * p.value().dtype().byteSize();
                int chunk = Shard.chunk(rows, world);
                shardBytes += chunk * rowBytes;
                paddingBytes += (long) (chunk * world - rows) * rowBytes;
            }
            FsdpModule root = shard(model, rank, mesh1d(world), FsdpOptions.defaults());
            long sharded = bytesOn(device) - before;
            assertEquals(shardBytes, sharded, "after fullyShard a rank holds exactly its padded shards");
            assertTrue(sharded <= fullBytes / world + paddingBytes, "shards " + sharded + " <= " + fullBytes + " / " + world + " + padding " + paddingBytes);
            Optimizer optimizer = adam(model);
            try (TensorScope step = rank.scope().child()) {
                int rows = BATCH / world;
                loss(step, model, 0, rank.rank() * rows, (rank.rank() + 1) * rows).backward();
                optimizer.step();
            }
            rank.world().barrier();
            long trained = bytesOn(device) - before;
            // Parameters, gradients and AdamW's two moments: four tensors per shard, none whole.
            assertEquals(4 * shardBytes, trained, "shards, their gradients and two AdamW moments per shard");
            assertTrue(trained <= 4 * (fullBytes / world + paddingBytes));
            rank.world().barrier();
            optimizer.zeroGrad();
            assertEquals(root.module(), model);
            return null;
        });
    }

    private static long bytesOn(Device device) {
        return MemoryAccounting.snapshot().bytesByDevice().getOrDefault(device, 0L);
    }

    // ---------------------------------------------------------------- collectives per step and prefetch

    @Test
    public final void oneAllGatherPerUnitEachWayAndOneReduceScatterPerUnitWithPrefetch() {
        for (boolean prefetch : new boolean[] {true, false}) {
            List<Map<String, Integer>> counts = spmd(2, rank -> {
                CollectiveCounter counting = new CollectiveCounter();
                Gpt model = new Gpt(rank.scope(), new Generator(SEED), CONFIG);
                shard(model, RankContext.observed(rank, counting), mesh1d(2), FsdpOptions.defaults().withPrefetch(prefetch));
                Optimizer optimizer = adam(model);
                Map<String, Integer> last = Map.of();
                for (int step = 0; step < 3; step++) {
                    counting.reset();
                    try (TensorScope stepScope = rank.scope().child()) {
                        Tensor loss = loss(stepScope, model, step, rank.rank() * 2, rank.rank() * 2 + 2);
                        counting.mark("forward");
                        loss.backward();
                        optimizer.step();
                        optimizer.zeroGrad();
                    }
                    last = counting.counts();
                }
                return last;
            });
            Map<String, Integer> c = counts.getFirst();
            // Three units (two blocks and the root); the blocks reshard, the root keeps its parameters.
            assertEquals(3, c.get("forward allGather"), "one all-gather per unit in forward: " + c);
            assertEquals(2, c.get("backward allGather"), "one all-gather per resharding unit in backward: " + c);
            assertEquals(3, c.get("backward reduceScatter"), "one reduce-scatter per unit: " + c);
            assertEquals(0, c.getOrDefault("forward reduceScatter", 0), c.toString());
            assertEquals(prefetch ? 2 : 1, c.get("most allGathers in flight"), "prefetch overlaps the next unit's all-gather: " + c);
        }
    }

    /** Counts the collectives a rank starts, by phase, and the most all-gathers in flight at once. */
    private static final class CollectiveCounter implements CollectiveObserver {
        private final Map<String, Integer> counts = new LinkedHashMap<>();
        private int inFlight;
        private String phase = "forward";

        void reset() {
            counts.clear();
            phase = "forward";
        }

        void mark(String finished) {
            phase = finished.equals("forward") ? "backward" : "forward";
        }

        Map<String, Integer> counts() {
            return Map.copyOf(counts);
        }

        @Override
        public void started(String op, Tensor input) {
            counts.merge(phase + " " + op, 1, Integer::sum);
            if (op.equals("allGather")) {
                inFlight++;
                counts.merge("most allGathers in flight", inFlight, Math::max);
            }
        }

        @Override
        public void finished(String op) {
            if (op.equals("allGather")) {
                inFlight--;
            }
        }
    }
}
