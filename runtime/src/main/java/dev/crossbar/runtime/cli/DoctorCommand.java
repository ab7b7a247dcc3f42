package dev.crossbar.runtime.cli;

import dev.crossbar.api.Device;
import dev.crossbar.runtime.Crossbar;
import dev.crossbar.runtime.Diagnosis;
import dev.crossbar.runtime.DiscoveredBackend;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.memory.MemoryStats;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code crossbar doctor}: every discovered backend, available or not, with its reason; the allocator statistics of
 * each available backend that keeps them; and the selected one.
 */
@Command(name = "doctor", description = "Lists every discovered backend, why it can or cannot run here, and the one selected.")
final class DoctorCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Diagnosis diagnosis = Crossbar.builder().diagnose();
        PrintWriter out = spec.commandLine().getOut();
        out.printf("Crossbar backends (SPI version %d, Java %s)%n%n", BackendProvider.SPI_VERSION, Runtime.version());
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of("BACKEND", "AVAILABLE", "PRIORITY", "DEVICES", "CELLS", "VERSIONS", "REASON"));
        for (DiscoveredBackend b : diagnosis.backends()) {
            rows.add(List.of(
                    b.name(),
                    b.isAvailable() ? "yes" : "no",
                    b.provider().isPresent() ? Integer.toString(b.priority()) : "-",
                    orDash(b.availability().devices().stream().map(Device::toString).collect(Collectors.joining(","))),
                    b.capabilities().isPresent() ? Integer.toString(b.declaredCells()) : "-",
                    orDash(versions(b.availability().versions())),
                    b.isAvailable() ? "" : b.status() + ": " + b.reason()));
        }
        printTable(out, rows);
        out.println();
        printAllocators(out, diagnosis);
        if (diagnosis.selected().isPresent()) {
            DiscoveredBackend selected = diagnosis.selected().get();
            out.printf("Selected backend: %s (devices %s)%n", selected.name(), selected.availability().devices());
            return 0;
        }
        out.printf("Selected backend: none: %s%n", diagnosis.selectionFailure().orElseThrow());
        return 1;
    }

    /**
     * Creates each available backend and prints its allocator's statistics ({@code Backend.memoryStats()}) where it
     * keeps them, or why it could not be created: the probe alone does not load a device context.
     */
    private static void printAllocators(PrintWriter out, Diagnosis diagnosis) {
        List<String> lines = new ArrayList<>();
        for (DiscoveredBackend b : diagnosis.backends()) {
            if (!b.isAvailable()) {
                continue;
            }
            try (Crossbar crossbar = Crossbar.builder().backend(b.name()).build()) {
                crossbar.memory().allocator().ifPresent(stats -> lines.add(b.name() + ": " + describe(stats)));
            } catch (RuntimeException e) {
                lines.add(String.format(Locale.ROOT, "%s: not created: %s", b.name(), e.getMessage()));
            }
        }
        if (!lines.isEmpty()) {
            out.println("Allocators (each available backend, created for this report):");
            lines.forEach(line -> out.println("  " + line));
            out.println();
        }
    }

    private static String describe(MemoryStats stats) {
        return String.format(Locale.ROOT, "allocated %d B, cached %d B, peak %d B, requests %d, cache hits %d, device allocations %d, device frees %d",
                stats.allocatedBytes(), stats.cachedBytes(), stats.peakAllocatedBytes(), stats.requests(), stats.cacheHits(), stats.deviceAllocations(),
                stats.deviceFrees());
    }

    private static String versions(Map<String, String> versions) {
        return versions.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(","));
    }

    private static String orDash(String text) {
        return text.isEmpty() ? "-" : text;
    }

    private static void printTable(PrintWriter out, List<List<String>> rows) {
        int columns = rows.getFirst().size();
        int[] widths = new int[columns];
        for (List<String> row : rows) {
            for (int i = 0; i < columns; i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        for (List<String> row : rows) {
            StringBuilder line = new StringBuilder();
            for (int i = 0; i < columns; i++) {
                // The last column (the reason) is not padded: it is long and free text.
                line.append(i == columns - 1 ? row.get(i) : String.format("%-" + widths[i] + "s  ", row.get(i)));
            }
            out.println(line.toString().stripTrailing());
        }
    }
}
