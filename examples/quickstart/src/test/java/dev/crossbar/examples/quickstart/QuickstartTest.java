package dev.crossbar.examples.quickstart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.runtime.Crossbar;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class QuickstartTest {
    @Test
    void anotherBackendsJarOnTheClasspathChangesTheSelectionWithoutCodeChanges() {
        // TestAcceleratorProvider is on the test classpath only; the quickstart's code names no backend.
        try (Crossbar crossbar = Crossbar.open()) {
            assertEquals(TestAcceleratorProvider.NAME, crossbar.backendName());
        }
    }

    @Test
    void theSystemPropertyStillSelectsCpuAndTheOpsGiveTheirValues() {
        System.setProperty("crossbar.backend", "cpu");
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (Crossbar crossbar = Crossbar.open()) {
            assertEquals("cpu", crossbar.backendName());
            Quickstart.run(crossbar, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        } finally {
            System.clearProperty("crossbar.backend");
        }
        String out = bytes.toString(StandardCharsets.UTF_8).replace(System.lineSeparator(), "\n");
        assertTrue(out.startsWith("Backend cpu, device cpu:0\n"), out);
        assertTrue(out.contains("a @ b =\n[4.0000 5.0000]\n[10.0000 11.0000]\n"), out);
        assertTrue(out.contains("softmax(a) over each row =\n[0.0900 0.2447 0.6652]\n[0.0900 0.2447 0.6652]\n"), out);
        assertTrue(out.contains("column sums of a = [5.0000 7.0000 9.0000]\n"), out);
        assertTrue(out.contains("row maxima of a = [3.0000 6.0000]\n"), out);
        assertTrue(out.contains("argmax of each row of a = [2.0000 2.0000]\n"), out);
    }
}
