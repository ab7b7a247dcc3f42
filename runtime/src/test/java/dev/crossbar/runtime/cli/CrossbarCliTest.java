package dev.crossbar.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.runtime.CompatibilityMatrix;
import dev.crossbar.runtime.Crossbar;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CrossbarCliTest {
    private String run(int expectedStatus, String... args) {
        StringWriter out = new StringWriter();
        assertEquals(expectedStatus, CrossbarCli.run(new PrintWriter(out), args), out.toString());
        return out.toString();
    }

    @Test
    void doctorPrintsEveryBackendAndTheSelectedOne() {
        String out = run(0, "doctor");
        assertTrue(out.contains("BACKEND"), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("fake +yes +50 +fake:0,fake:1 +1 +fake-driver=9\\.9")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("missinglib +no +100 +- +0 +fixture-runtime=1\\.2\\.3 +UNAVAILABLE: libfixture\\.so\\.1 not found.*")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("future +no +- +- +- +- +INCOMPATIBLE_SPI: .*SPI version 2.*")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("badprobe +no .*BROKEN: .*UnsatisfiedLinkError.*")), out);
        assertTrue(out.lines().anyMatch(l -> l.startsWith("cpu ")), out);
        assertTrue(out.contains("Selected backend: fake (devices [fake:0, fake:1])"), out);
    }

    @Test
    void doctorPrintsTheAllocatorStatisticsOfEachAvailableBackend() {
        String out = run(0, "doctor");
        assertTrue(out.contains("Allocators (each available backend, created for this report):"), out);
        assertTrue(out.lines().anyMatch(l -> l.equals("  fake: allocated 1024 B, cached 2048 B, peak 4096 B, requests 3, cache hits 1, device allocations 2, "
                + "device frees 0")), out);
        assertTrue(out.lines().anyMatch(l -> l.matches("  cpu: allocated \\d+ B, cached \\d+ B, .*")), "the cpu backend's host pool reports: " + out);
        assertTrue(out.lines().noneMatch(l -> l.startsWith("  missinglib") || l.startsWith("  future") || l.startsWith("  badprobe")),
                "unavailable backends are not created: " + out);
    }

    @Test
    void matrixPrintsTheGeneratedFile() {
        assertEquals(new CompatibilityMatrix(Crossbar.builder().diagnose().backends()).toMarkdown(), run(0, "matrix"));
    }

    @Test
    void matrixWritesTheFile(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("COMPATIBILITY.md");
        String out = run(0, "matrix", "--write", file.toString());
        assertEquals("Wrote " + file + " with backends [cpu, fake, missinglib]\n", out.replace(System.lineSeparator(), "\n"));
        assertEquals(run(0, "matrix"), Files.readString(file));
    }

    @Test
    void unknownCommandFails() {
        StringWriter err = new StringWriter();
        int status = new picocli.CommandLine(new CrossbarCli()).setErr(new PrintWriter(err)).execute("frobnicate");
        assertEquals(2, status, err.toString());
    }
}
