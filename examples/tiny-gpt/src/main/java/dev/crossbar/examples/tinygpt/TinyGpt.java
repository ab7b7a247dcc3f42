package dev.crossbar.examples.tinygpt;

import dev.crossbar.runtime.Crossbar;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains a character-level GPT to add three-digit numbers written as text, then asks it to complete held-out
 * problems by greedy decoding and prints the fraction it gets exactly right as {@code accuracy <value>}.
 */
@Command(name = "tiny-gpt", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a character-level GPT on three-digit addition (317+045=2630. : the sum's digits least significant first)"
                + " and prints its exact-match accuracy on held-out problems.")
public final class TinyGpt implements Callable<Integer> {
    @Option(names = "--steps", description = "Optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps = 900;

    @Option(names = "--seed", description = "Seeds the problems, the held-out split and the initialization (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to train on (default: -Dcrossbar.backend, then CROSSBAR_BACKEND, then the highest-priority available one).")
    String backend;

    @Option(names = "--batch", description = "Problems per step (default: ${DEFAULT-VALUE}).")
    int batch = 32;

    @Option(names = "--width", description = "Model width (default: ${DEFAULT-VALUE}).")
    int width = 64;

    @Option(names = "--layers", description = "Transformer blocks (default: ${DEFAULT-VALUE}).")
    int layers = 2;

    @Option(names = "--heads", description = "Attention heads per block; must divide the width (default: ${DEFAULT-VALUE}).")
    int heads = 4;

    @Option(names = "--lr", description = "Peak learning rate of the cosine schedule (default: ${DEFAULT-VALUE}).")
    double learningRate = 5e-3;

    @Option(names = "--warmup", description = "Steps of linear learning-rate warmup (default: a tenth of the steps).")
    Integer warmupSteps;

    @Option(names = "--held-out", description = "Problems held out of training and used for the accuracy (default: ${DEFAULT-VALUE}).")
    int heldOut = 1000;

    @Option(names = "--log-every", description = "Steps between progress lines (default: ${DEFAULT-VALUE}).")
    int logEvery = 100;

    /**
     * Runs the example; {@code --help} lists the options.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new TinyGpt()).execute(args));
    }

    @Override
    public Integer call() {
        AdditionTrainer.Settings settings =
                new AdditionTrainer.Settings(steps, seed, batch, width, layers, heads, learningRate, warmupSteps == null ? steps / 10 : warmupSteps, heldOut, logEvery);
        try (Crossbar crossbar = backend == null ? Crossbar.open() : Crossbar.builder().backend(backend).build()) {
            run(crossbar, settings, System.out);
        }
        return 0;
    }

    /**
     * Trains and evaluates on a runtime, printing the backend, progress and the accuracy.
     *
     * @param crossbar the runtime
     * @param settings what to train and how
     * @param out where to print
     * @return the losses and the held-out accuracy
     */
    static AdditionTrainer.Result run(Crossbar crossbar, AdditionTrainer.Settings settings, PrintStream out) {
        out.printf("Backend %s, device %s%n", crossbar.backendName(), crossbar.defaultDevice());
        long start = System.nanoTime();
        AdditionTrainer.Result result = AdditionTrainer.run(crossbar, settings, out);
        out.printf(Locale.ROOT, "%.1f s in total%n", (System.nanoTime() - start) / 1e9);
        out.printf(Locale.ROOT, "accuracy %.3f%n", result.accuracy());
        return result;
    }
}
