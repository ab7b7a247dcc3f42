package dev.crossbar.examples.fsdpdemo;

import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.runtime.Crossbar;
import dev.crossbar.runtime.Spmd;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code crossbar demo}: trains the tiny GPT of the tiny-gpt example (three-digit addition) with FSDP on several devices
 * of one backend, four virtual cpu devices by default, and prints per-rank memory, the collectives of a step, where the
 * checkpoint and the loss curve went, and last the held-out exact-match accuracy as {@code accuracy <value>}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a character-level GPT on three-digit addition with FSDP (fully sharded data parallelism) on several devices,"
                + " saves a checkpoint and a loss curve, and prints the exact-match accuracy on held-out problems.")
public final class FsdpDemo implements Callable<Integer> {
    @Option(names = "--devices", description = "Ranks, one per device; the cpu backend gets this many virtual devices. Under mpirun"
            + " (./crossbar launch -n N) each process is one rank and this is the job's size (default: ${DEFAULT-VALUE}).")
    int devices = Spmd.launchedWorldSize().orElse(4);

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to train on (default: -Dcrossbar.backend, then CROSSBAR_BACKEND, then the highest-priority available one).")
    String backend;

    @Option(names = "--steps", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps = 900;

    @Option(names = "--out", paramLabel = "DIR", description = "Where the checkpoint and the loss curve go (default: ${DEFAULT-VALUE}).")
    Path out = Path.of("target", "demo");

    @Option(names = "--seed", description = "Seeds the problems, the held-out split and the initialization (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--batch", description = "Problems per step over all ranks, split evenly between them (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(names = "--lr", description = "Peak learning rate of the cosine schedule (default: ${DEFAULT-VALUE}).")
    double learningRate = 5e-3;

    @Option(names = "--width", description = "Model width (default: ${DEFAULT-VALUE}).")
    int width = 64;

    @Option(names = "--layers", description = "Transformer blocks, each an FSDP unit (default: ${DEFAULT-VALUE}).")
    int layers = 2;

    @Option(names = "--heads", description = "Attention heads per block; must divide the width (default: ${DEFAULT-VALUE}).")
    int heads = 4;

    @Option(names = "--reshard-after-forward", negatable = true,
            description = "Free each block's gathered parameters after its forward, gather them again and recompute the block in backward:"
                    + " less memory, one more all-gather per block and a second forward (default: ${DEFAULT-VALUE}).")
    boolean reshardAfterForward;

    @Option(names = "--checkpoint-every", paramLabel = "STEPS",
            description = "Also save the sharded checkpoint every this many steps, so a crash loses at most that many; 0 saves only at the end"
                    + " (default: ${DEFAULT-VALUE}).")
    int checkpointEvery;

    @Option(names = "--print-losses", description = "Print every step's loss, full precision, on one line: losses <l1>,<l2>,...")
    boolean printLosses;

    @Option(names = "--held-out", description = "Problems held out of training and used for the accuracy (default: ${DEFAULT-VALUE}).")
    int heldOut = 1000;

    /**
     * Runs the demo; {@code --help} lists the options.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new FsdpDemo()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        Path dir = outputDirectory(out);
        FsdpTraining.Settings settings = settings(dir);
        Crossbar.Builder builder = backend == null ? Crossbar.builder() : Crossbar.builder().backend(backend);
        boolean interactive = System.console() != null && System.console().isTerminal();
        List<FsdpTraining.RankReport> reports = run(builder, devices, settings, dir, System.out, interactive);
        if (printLosses && reports.getFirst() != null) {
            System.out.println("losses " + Arrays.stream(reports.getFirst().losses()).mapToObj(Double::toString).collect(Collectors.joining(",")));
        }
        return 0;
    }

    /** What the options ask to train, with the checkpoint in {@code dir}. */
    FsdpTraining.Settings settings(Path dir) {
        return new FsdpTraining.Settings(steps, seed, batch, width, layers, heads, learningRate, steps / 10, heldOut, reshardAfterForward,
                dir.resolve("checkpoint"), checkpointEvery);
    }

    /**
     * Prints a formatted line with one write: {@code printf} writes a line in pieces, and the logger's lines (on the same
     * stream, from other threads) can land between them.
     */
    private static void printLine(PrintStream out, String format, Object... args) {
        out.print(String.format(Locale.ROOT, format, args));
    }

    /** The requested directory, or a new temporary one when it cannot be created (a read-only working directory). */
    private static Path outputDirectory(Path requested) throws IOException {
        try {
            return Files.createDirectories(requested).toAbsolutePath().normalize();
        } catch (IOException e) {
            Path fallback = Files.createTempDirectory("crossbar-demo-");
            System.err.printf(Locale.ROOT, "cannot create %s (%s); writing to %s instead%n", requested.toAbsolutePath(), e, fallback);
            return fallback;
        }
    }

    /**
     * Trains on {@code devices} ranks and prints the report, ending with {@code accuracy <value>}.
     *
     * @param builder the runtime's configuration
     * @param devices the number of ranks
     * @param settings what to train
     * @param dir where the loss curve goes (the checkpoint goes to {@link FsdpTraining.Settings#checkpointDir()})
     * @param out where to print
     * @param interactive whether {@code out} is a terminal
     * @return the ranks' reports, index = rank; under mpirun only this process's rank has its report (the others are
     *     null), and only the process of rank 0 prints the report
     * @throws IOException if the loss curve cannot be written
     */
    static List<FsdpTraining.RankReport> run(Crossbar.Builder builder, int devices, FsdpTraining.Settings settings, Path dir, PrintStream out,
            boolean interactive) throws IOException {
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
        long start = System.nanoTime();
        int rows = settings.batch() / devices;
        List<FsdpTraining.RankReport> reports = Spmd.call(builder, devices, SpmdOptions.defaults(), rank -> {
            if (rank.rank() == 0) {
                printLine(out, "FSDP on %d ranks: backend %s, devices %s .. %s%n", rank.worldSize(), rank.device().backend(), rank.device(),
                        new dev.crossbar.api.Device(rank.device().backend(), rank.worldSize() - 1));
                printLine(out, "GPT with %d layers, width %d, %d heads on 3-digit addition; global batch %d (%d per rank), %d steps, AdamW lr %.1e;"
                        + " reshardAfterForward=%s%n", settings.layers(), settings.width(), settings.heads(), settings.batch(), rows, settings.steps(),
                        settings.learningRate(), settings.reshardAfterForward());
            }
            return FsdpTraining.run(rank, settings, out, interactive);
        });
        FsdpTraining.RankReport first = reports.getFirst();
        if (first == null) {
            return reports;
        }
        double[] losses = first.losses();
        long trainingMillis = first.trainingTime().toMillis();
        printLine(out, "trained %d steps in %.1f s (%.0f ms/step); loss %.4f -> %.4f%n", losses.length, trainingMillis / 1e3,
                (double) trainingMillis / losses.length, losses[0], losses[losses.length - 1]);
        printLine(out, "FSDP units, sharded bottom-up: %s%n", String.join(", ", first.units()));

        long parameterBytes = first.parameterCount() * Float.BYTES;
        printLine(out, "memory per rank after the first step (parameter shards + gradients + AdamW moments;"
                + " one device without sharding: 4 x %s = %s):%n", bytes(parameterBytes), bytes(4 * parameterBytes));
        for (FsdpTraining.RankReport r : reports.stream().filter(Objects::nonNull).toList()) {
            printLine(out, "  rank %d on %-6s %10s  (parameter shards %s)%n", r.rank(), r.device(), bytes(r.trainedBytes()), bytes(r.shardBytes()));
        }
        if (reports.contains(null)) {
            out.println("  (under mpirun each process knows only its own rank's memory)");
        }
        printLine(out, "collectives per training step on each rank: %s%n", describe(first.collectivesPerStep()));
        printLine(out, "checkpoint: sharded, saved by all %d ranks (one file per rank with its unpadded rows, and the index) to %s;"
                + " %d tensors: the parameters and AdamW's state; collectives of the save: %s%n", first.checkpoint().worldSize(), settings.checkpointDir(),
                first.checkpoint().tensors().size(), describe(first.checkpointCollectives()));

        Path chart = dir.resolve("loss.png");
        LossChart.write(chart, losses, String.format(Locale.ROOT, "Tiny GPT on 3-digit addition, FSDP on %d ranks", devices));
        printLine(out, "loss curve: %s%n", chart);
        out.println("held-out problems, answered on rank 0 by an unsharded model loaded from the sharded checkpoint:");
        out.print(first.evaluationLog());
        printLine(out, "%.1f s in total; outputs in %s%n", (System.nanoTime() - start) / 1e9, dir);
        printLine(out, "accuracy %.3f%n", first.accuracy());
        return reports;
    }

    private static String describe(Map<String, CollectiveCounts.Count> counts) {
        if (counts.isEmpty()) {
            return "none";
        }
        return counts.entrySet().stream()
                .map(e -> String.format(Locale.ROOT, "%s x%d (%s sent)", e.getKey(), e.getValue().calls(), bytes(e.getValue().bytes())))
                .collect(Collectors.joining(", "));
    }

    private static String bytes(long count) {
        if (count < 1024) {
            return count + " B";
        }
        if (count < 1024 * 1024) {
            return String.format(Locale.ROOT, "%.1f KiB", count / 1024.0);
        }
        return String.format(Locale.ROOT, "%.2f MiB", count / (1024.0 * 1024));
    }
}
