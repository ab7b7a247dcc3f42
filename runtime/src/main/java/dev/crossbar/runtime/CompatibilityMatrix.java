package dev.crossbar.runtime;

import static java.util.Objects.requireNonNull;

import dev.crossbar.api.DType;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.OpSet;
import dev.crossbar.spi.Verification;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Renders COMPATIBILITY.md from what each discovered backend declares ({@link dev.crossbar.spi.Kernel} annotations
 * read through {@link BackendProvider#capabilities()}, and how it is verified, {@link BackendProvider#verification()}),
 * first-party and third-party plugins alike. The output depends only on the declarations, never on this
 * machine's devices or on the time, so the committed file can be checked against it.
 */
public final class CompatibilityMatrix {
    /** The command that regenerates the committed file. */
    public static final String REGENERATE_COMMAND = "./crossbar matrix --write COMPATIBILITY.md";

    static final String DECLARED = "✓";
    static final String NOT_DECLARED = "·";
    private static final String NOT_YET = "not yet";
    private static final List<String> COLLECTIVES = List.of("allReduce", "allGather", "reduceScatter", "broadcast", "allToAll", "send/recv", "barrier");
    private static final List<String> SHARDING = List.of("FSDP", "HSDP", "mixed precision");

    private final List<DiscoveredBackend> backends;

    /**
     * Prepares the matrix of the backends that could tell their capabilities; broken plugins are left out.
     *
     * @param discovered the discovered backends
     */
    public CompatibilityMatrix(List<DiscoveredBackend> discovered) {
        requireNonNull(discovered, "discovered is null");
        this.backends = discovered.stream()
                .filter(b -> b.capabilities().isPresent())
                .sorted(Comparator.comparing((DiscoveredBackend b) -> KnownBackend.named(b.name()).map(Enum::ordinal).orElse(Integer.MAX_VALUE))
                        .thenComparing(DiscoveredBackend::name))
                .toList();
    }

    /**
     * Renders the matrix as Markdown, with {@code \n} line ends.
     *
     * @return the content of COMPATIBILITY.md
     */
    public String toMarkdown() {
        OpSet opSet = OpSet.current();
        int admittedCells = opSet.ops().stream().mapToInt(op -> op.admitted().size()).sum();
        StringBuilder out = new StringBuilder();
        out.append("# Compatibility matrix\n\n");
        out.append("Generated from the `@Kernel` declarations of each backend; do not edit. Regenerate with `")
                .append(REGENERATE_COMMAND).append("`;\na test fails when this file differs from the declarations.\n\n");
        out.append(String.format(Locale.ROOT, "Op set %s, SPI version %d. A cell is an (op, dtype) pair: %s declared (the backend has a kernel),\n",
                opSet, BackendProvider.SPI_VERSION, DECLARED));
        out.append(NOT_DECLARED).append(" admitted by the op but not declared, blank when the op does not admit the type. The summary's\n");
        out.append("last column says how far each backend's cells are verified in `./mvnw verify`: run by the conformance kit\n");
        out.append("against a double-precision reference (a failing cell fails the build), or only compiled by the vendor's\n");
        out.append("toolchain where this build has no device to run them on.\n\n");

        out.append("## Summary\n\n");
        row(out, List.of("backend", "execution mode", "cells declared", "verified by"));
        separator(out, 4);
        for (DiscoveredBackend b : backends) {
            Capabilities c = b.capabilities().orElseThrow();
            row(out, List.of(b.name(), c.mode().name().toLowerCase(Locale.ROOT).replace('_', ' '),
                    b.declaredCells() + " of " + admittedCells, verification(b)));
        }
        out.append('\n');

        for (DiscoveredBackend b : backends) {
            Capabilities c = b.capabilities().orElseThrow();
            out.append("## ").append(b.name()).append("\n\n");
            List<String> header = new ArrayList<>();
            header.add("op");
            for (DType d : DType.values()) {
                header.add(d.shortName());
            }
            row(out, header);
            separator(out, header.size());
            for (Op op : opSet.ops()) {
                List<String> cells = new ArrayList<>();
                cells.add(op.opName());
                for (DType d : DType.values()) {
                    cells.add(c.supports(op, d) ? DECLARED : op.admitted().contains(d) ? NOT_DECLARED : "");
                }
                row(out, cells);
            }
            out.append('\n');
        }

        out.append("## Collectives and sharding\n\n");
        out.append(DECLARED).append(" verified by the collective conformance suite (every dtype, world sizes 1 to 8) on the in-process\n");
        out.append("communicator, which runs on any eager backend, and for sharding by the FSDP suite (training on 1, 2 and 4 ranks\n");
        out.append("and HSDP 2x2 matches one device, BF16 compute within its looser tolerance); \"not yet\" where a suite does not\n");
        out.append("run in the backend's build; what such a build does check of its collectives is noted under the table.\n\n");
        List<String> header = new ArrayList<>();
        header.add("feature");
        backends.forEach(b -> header.add(b.name()));
        row(out, header);
        separator(out, header.size());
        for (String feature : concat(COLLECTIVES, SHARDING)) {
            List<String> cells = new ArrayList<>();
            cells.add(feature);
            backends.forEach(b -> cells.add(COLLECTIVES.contains(feature) ? collectivesCell(b) : shardingVerified(b) ? DECLARED : NOT_YET));
            row(out, cells);
        }
        List<DiscoveredBackend> noted = backends.stream().filter(b -> !verificationOf(b).collectiveNote().isEmpty()).toList();
        if (!noted.isEmpty()) {
            out.append("\nChecked of the collectives short of the suite:\n\n");
            noted.forEach(b -> out.append("- ").append(b.name()).append(": ").append(verificationOf(b).collectiveNote()).append('\n'));
        }
        return out.toString();
    }

    private static String collectivesCell(DiscoveredBackend b) {
        Verification verification = verificationOf(b);
        return verification.collectives() ? DECLARED : NOT_YET;
    }

    private static boolean shardingVerified(DiscoveredBackend b) {
        return verificationOf(b).sharding();
    }

    private static String verification(DiscoveredBackend b) {
        String path = verificationOf(b).path();
        return b.declaredCells() == 0 ? path + " (no kernels declared yet)" : path;
    }

    /** What the provider states; every listed backend has one, since discovery read its capabilities. */
    private static Verification verificationOf(DiscoveredBackend b) {
        return b.provider().orElseThrow().verification();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> all = new ArrayList<>(a);
        all.addAll(b);
        return all;
    }

    private static void row(StringBuilder out, List<String> cells) {
        out.append('|');
        for (String cell : cells) {
            out.append(' ').append(cell).append(" |");
        }
        out.append('\n');
    }

    private static void separator(StringBuilder out, int columns) {
        out.append('|');
        out.append("---|".repeat(columns));
        out.append('\n');
    }

    /**
     * Returns the backends the matrix lists, in order.
     *
     * @return their names
     */
    public List<String> backendNames() {
        return backends.stream().map(DiscoveredBackend::name).toList();
    }

    /**
     * Returns the first line where two renderings differ, for messages.
     *
     * @param expected one rendering
     * @param actual another
     * @return a description of the first difference, empty when they are equal
     */
    public static Optional<String> firstDifference(String expected, String actual) {
        String[] e = expected.split("\n", -1);
        String[] a = actual.split("\n", -1);
        for (int i = 0; i < Math.max(e.length, a.length); i++) {
            String el = i < e.length ? e[i] : "<end of file>";
            String al = i < a.length ? a[i] : "<end of file>";
            if (!el.equals(al)) {
                return Optional.of(String.format(Locale.ROOT, "line %d: expected \"%s\" but found \"%s\"", i + 1, el, al));
            }
        }
        return Optional.empty();
    }
}
