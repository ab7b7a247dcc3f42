package dev.crossbar.examples.quickstart;

import dev.crossbar.api.Functional;
import dev.crossbar.api.Generator;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.nn.Activation;
import dev.crossbar.api.nn.Linear;
import dev.crossbar.api.nn.Module;
import dev.crossbar.api.nn.Sequential;
import dev.crossbar.api.optim.AdamW;
import dev.crossbar.api.optim.CosineSchedule;
import dev.crossbar.runtime.Crossbar;
import java.io.PrintStream;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Trains a small MLP to tell two interleaved spirals apart, on the backend Crossbar's selection order picks (put
 * another backend's jar on the path, or pass {@code --backend NAME}, to change it without touching this code), and
 * prints its accuracy on held-out points as {@code accuracy <value>}.
 */
@Command(name = "quickstart", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains an MLP on two interleaved spirals and prints its accuracy on held-out points.")
public final class Quickstart implements Callable<Integer> {
    static final int TRAINING_POINTS = 1600;
    static final int HELD_OUT_POINTS = 400;
    private static final int HIDDEN = 64;
    private static final int CLASSES = 2;
    private static final double LEARNING_RATE = 0.02;

    @Option(names = "--steps", description = "Full-batch optimizer steps (default: ${DEFAULT-VALUE}).")
    int steps = 400;

    @Option(names = "--seed", description = "Seeds the data, its split and the initialization (default: ${DEFAULT-VALUE}).")
    long seed = 1;

    @Option(names = "--backend", paramLabel = "NAME",
            description = "Backend to train on (default: -Dcrossbar.backend, then CROSSBAR_BACKEND, then the highest-priority available one).")
    String backend;

    /**
     * Runs the example; {@code --help} lists the options.
     *
     * @param args the options
     */
    public static void main(String[] args) {
        System.exit(new CommandLine(new Quickstart()).execute(args));
    }

    @Override
    public Integer call() {
        try (Crossbar crossbar = backend == null ? Crossbar.open() : Crossbar.builder().backend(backend).build()) {
            run(crossbar, steps, seed, System.out);
        }
        return 0;
    }

    /**
     * Trains and evaluates on a runtime, printing the backend, progress and the held-out accuracy.
     *
     * @param crossbar the runtime
     * @param steps full-batch optimizer steps
     * @param seed seeds the data, its split and the initialization
     * @param out where to print
     * @return the held-out accuracy, a fraction
     */
    public static double run(Crossbar crossbar, int steps, long seed, PrintStream out) {
        if (steps < 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "--steps must be at least 1, got %d", steps));
        }
        out.printf("Backend %s, device %s%n", crossbar.backendName(), crossbar.defaultDevice());
        TwoSpirals points = TwoSpirals.generate(TRAINING_POINTS + HELD_OUT_POINTS, seed);
        TwoSpirals training = points.slice(0, TRAINING_POINTS);
        TwoSpirals heldOut = points.slice(TRAINING_POINTS, points.size());
        long start = System.nanoTime();
        try (TensorScope scope = crossbar.newScope()) {
            Generator generator = new Generator(seed);
            Module model = new Sequential(
                    new Linear(scope, generator, 2, HIDDEN, true), Activation.tanh(),
                    new Linear(scope, generator, HIDDEN, HIDDEN, true), Activation.tanh(),
                    new Linear(scope, generator, HIDDEN, CLASSES, true));
            out.printf(Locale.ROOT, "Two interleaved spirals: %d training points, %d held out; MLP 2-%d-%d-%d (%,d parameters), %d steps%n",
                    training.size(), heldOut.size(), HIDDEN, HIDDEN, CLASSES, model.parameterCount(), steps);
            Tensor trainingFeatures = scope.fromArray(training.features(), training.size(), 2);
            Tensor trainingLabels = scope.fromArray(training.labels(), training.size());
            Tensor heldOutFeatures = scope.fromArray(heldOut.features(), heldOut.size(), 2);
            AdamW optimizer = new AdamW(model.parameters(), LEARNING_RATE, 0.9, 0.999, 1e-8, 0);
            CosineSchedule schedule = new CosineSchedule(LEARNING_RATE, LEARNING_RATE / 20, Math.min(steps, 20), steps);
            int logEvery = Math.max(1, steps / 8);
            for (int step = 0; step < steps; step++) {
                optimizer.learningRate(schedule.rate(step));
                try (TensorScope stepScope = scope.child()) {
                    Tensor loss = Functional.crossEntropy(model.forward(trainingFeatures), trainingLabels, -100, 0);
                    loss.backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    if ((step + 1) % logEvery == 0 || step + 1 == steps) {
                        out.printf(Locale.ROOT, "step %4d  loss %.4f  held-out accuracy %.3f%n", step + 1, loss.item(), accuracy(model, heldOutFeatures, heldOut.labels()));
                    }
                }
            }
            double accuracy = accuracy(model, heldOutFeatures, heldOut.labels());
            out.printf(Locale.ROOT, "%.1f s in total%n", (System.nanoTime() - start) / 1e9);
            out.printf(Locale.ROOT, "accuracy %.3f%n", accuracy);
            return accuracy;
        }
    }

    /** The fraction of points whose highest-scoring class is their label. */
    private static double accuracy(Module model, Tensor features, int[] labels) {
        try (TensorScope scope = TensorScope.localFor(features); Grad.Scope off = Grad.noGrad()) {
            long[] predicted = model.forward(features).argmax(1, false).toLongArray();
            int correct = 0;
            for (int i = 0; i < labels.length; i++) {
                correct += predicted[i] == labels[i] ? 1 : 0;
            }
            return (double) correct / labels.length;
        }
    }
}
