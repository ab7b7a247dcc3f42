package dev.crossbar.backend.neuron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Backend-xla's fake PJRT plugin (../backend-xla/src/test/c), compiled once per JVM, standing in for libneuronpjrt.so. */
final class FakeNeuronPlugin {
    private static final Path OUTPUT = Path.of("target/fake-pjrt/fake_neuron_pjrt_plugin.so").toAbsolutePath();
    private static boolean compiled;

    private FakeNeuronPlugin() {
    }

    static synchronized Path compile() {
        assumeTrue(Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, "gcc"))), "gcc is not on PATH; it compiles the fake PJRT plugin");
        if (compiled) {
            return OUTPUT;
        }
        List<String> command = List.of("gcc", "-shared", "-fPIC", "-pthread", "-o", OUTPUT.toString(), "../backend-xla/src/test/c/fake_pjrt_plugin.c");
        try {
            Files.createDirectories(OUTPUT.getParent());
            Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
            String log = new String(gcc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, gcc.waitFor(), () -> String.join(" ", command) + " failed:\n" + log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        compiled = true;
        return OUTPUT;
    }
}
