package dev.crossbar.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.runtime.Crossbar;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class QuickstartTest {
    private static final int STEPS = 200;
    private static final long SEED = 7;

    @Test
    void anotherBackendsJarOnTheClasspathChangesTheSelectionWithoutCodeChanges() {
        // TestAcceleratorProvider is on the test classpath only; the quickstart's code names no backend.
        try (Crossbar crossbar = Crossbar.open()) {
            assertEquals(TestAcceleratorProvider.NAME, crossbar.backendName());
        }
    }

    @Test
    void theMlpLearnsTheSpiralsOnTheCpuBackendNamedByTheSystemProperty() {
        System.setProperty("crossbar.backend", "cpu");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        double accuracy;
        try (Crossbar crossbar = Crossbar.open()) {
            accuracy = Quickstart.run(crossbar, STEPS, SEED, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        } finally {
            System.clearProperty("crossbar.backend");
        }
        String out = bytes.toString(StandardCharsets.UTF_8);
        List<String> lines = out.lines().toList();
        assertEquals("Backend cpu, device cpu:0", lines.getFirst(), out);
        assertEquals(String.format(Locale.ROOT, "accuracy %.3f", accuracy), lines.getLast(), out);
        assertTrue(accuracy >= 0.95, "held-out accuracy after " + STEPS + " steps with seed " + SEED + " is " + accuracy + "\n" + out);
    }
}
