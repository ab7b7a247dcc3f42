package dev.crossbar.examples.fsdpdemo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.Generator;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.checkpoint.Checkpoint;
import dev.crossbar.api.checkpoint.CheckpointIndex;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.runtime.Crossbar;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FsdpDemoTest {
    /**
     * The README's main job with its defaults (4 ranks, 900 steps): the model must learn addition, not merely lower the
     * loss. Training is reproducible bit for bit (see VectorFloatLoops), so the held-out accuracy is a fixed number
     * (0.999 when written); the floor leaves room for another machine's thread count changing partial-sum order.
     */
    @Test
    void theDefaultDemoAnswersAtLeast95PercentOfHeldOutProblems(@TempDir Path dir) throws Exception {
        FsdpDemo demo = new FsdpDemo();
        FsdpTraining.Settings settings = demo.settings(dir);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<FsdpTraining.RankReport> reports;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            reports = FsdpDemo.run(Crossbar.builder().backend("cpu"), demo.devices, settings, dir, out, false);
        }
        String log = bytes.toString(StandardCharsets.UTF_8);
        assertEquals(4, reports.size(), log);
        assertEquals(900, reports.getFirst().losses().length, log);
        assertTrue(reports.getFirst().accuracy() >= 0.95, "held-out exact-match accuracy " + reports.getFirst().accuracy() + " below 0.95: " + log);
    }

    /** A one-block model on two ranks, a few steps: enough to see the loss fall and every output appear. */
    @Test
    void twoRanksTrainSaveACheckpointAndALossCurveAndEndWithTheAccuracy(@TempDir Path dir) throws Exception {
        System.setProperty("java.awt.headless", "true");
        int steps = 30;
        FsdpTraining.Settings settings = new FsdpTraining.Settings(steps, 1, 16, 32, 1, 2, 1e-2, 3, 50, false, dir.resolve("checkpoint"), 0);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        List<FsdpTraining.RankReport> reports;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            reports = FsdpDemo.run(Crossbar.builder().backend("cpu"), 2, settings, dir, out, false);
        }
        String log = bytes.toString(StandardCharsets.UTF_8);

        assertEquals(2, reports.size(), log);
        double[] losses = reports.getFirst().losses();
        assertArrayEquals(losses, reports.get(1).losses(), 0, "every rank sees the same global loss");
        assertTrue(losses[0] > 2.0, "an untrained model is near chance on 13 characters: " + log);
        assertTrue(losses[steps - 1] < 1.8, "the loss falls: " + log);
        assertTrue(reports.get(1).trainedBytes() > 0 && reports.get(1).trainedBytes() == 4 * reports.get(1).shardBytes(),
                "after a step a rank holds its shards, their gradients and two AdamW moments: " + log);
        // Two units (the block and the root) that keep their gathered parameters for backward: one all-gather each.
        assertEquals(2, reports.getFirst().collectivesPerStep().get("allGather").calls(), "one all-gather per unit: " + log);
        assertEquals(2, reports.getFirst().collectivesPerStep().get("reduceScatter").calls(), "one reduce-scatter per unit: " + log);

        BufferedImage chart = ImageIO.read(dir.resolve("loss.png").toFile());
        assertTrue(chart != null && chart.getWidth() > 100 && chart.getHeight() > 100, "loss.png is a PNG image");

        Gpt.Config config = settings.modelConfig();
        try (Crossbar crossbar = Crossbar.builder().backend("cpu").build(); TensorScope scope = crossbar.newScope()) {
            Gpt model = new Gpt(scope, new Generator(7), config);
            CheckpointIndex index = Checkpoint.load(settings.checkpointDir(), model, null);
            assertEquals(2, index.worldSize(), "saved sharded by both ranks");
            assertEquals(Integer.toString(steps), index.metadata().get("step"));
            Map<String, Tensor> whole = Checkpoint.load(settings.checkpointDir(), scope);
            assertTrue(whole.keySet().containsAll(model.stateDict().keySet()), whole.keySet().toString());
            assertTrue(whole.keySet().stream().anyMatch(name -> name.startsWith(Checkpoint.OPTIMIZER_PREFIX)), "AdamW's state is saved too: " + whole.keySet());
        }

        List<String> lines = log.lines().toList();
        assertTrue(lines.getFirst().startsWith("FSDP on 2 ranks: backend cpu, devices cpu:0 .. cpu:1"), log);
        assertTrue(lines.getLast().matches("accuracy [01]\\.\\d{3}"), log);
    }
}
