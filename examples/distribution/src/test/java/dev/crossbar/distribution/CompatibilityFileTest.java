package dev.crossbar.distribution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.crossbar.runtime.CompatibilityMatrix;
import dev.crossbar.runtime.Crossbar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The committed COMPATIBILITY.md is what the generator makes from the backends the distribution ships. */
class CompatibilityFileTest {
    private static final Path FILE = Path.of(System.getProperty("distribution.repository", "../.."), "COMPATIBILITY.md");

    @Test
    void committedMatrixMatchesTheDeclarations() throws IOException {
        CompatibilityMatrix matrix = new CompatibilityMatrix(Crossbar.builder().diagnose().backends());
        assertEquals(List.of("cpu", "cuda", "rocm", "xla", "neuron", "opencl"), matrix.backendNames());
        assertTrue(Files.exists(FILE), FILE.toAbsolutePath().normalize() + " is missing; create it with " + CompatibilityMatrix.REGENERATE_COMMAND);
        String committed = Files.readString(FILE, StandardCharsets.UTF_8);
        CompatibilityMatrix.firstDifference(committed, matrix.toMarkdown()).ifPresent(difference -> fail(
                "COMPATIBILITY.md differs from the backends' declarations at " + difference
                        + "; regenerate it from the repository root with " + CompatibilityMatrix.REGENERATE_COMMAND + " and commit it"));
    }
}
