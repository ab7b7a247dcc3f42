package dev.crossbar.examples.tinygpt;

import dev.crossbar.api.Functional;
import dev.crossbar.api.Generator;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.api.optim.AdamW;
import dev.crossbar.api.optim.CosineSchedule;
import dev.crossbar.api.optim.GradientClipping;
import dev.crossbar.runtime.Crossbar;
import java.io.PrintStream;
import java.util.Locale;

/**
 * Trains a {@link Gpt} on {@link AdditionProblems} and measures exact-match accuracy on the held-out problems. The loss and
 * the evaluation are public so the FSDP demo trains and evaluates the same way.
 */
public final class AdditionTrainer {
    private static final int EVALUATION_BATCH = 500;
    private static final int EXAMPLES_SHOWN = 5;
    private static final double CLIP_NORM = 1.0;

    /**
     * What to train and how.
     *
     * @param steps optimizer steps
     * @param seed seeds the problems, their split and the model's initialization
     * @param batch problems per step
     * @param width model width
     * @param layers transformer blocks
     * @param heads attention heads per block
     * @param learningRate the peak of the cosine schedule
     * @param warmupSteps steps of linear warmup
     * @param heldOut held-out problems, never trained on
     * @param logEvery steps between progress lines
     */
    record Settings(int steps, long seed, int batch, int width, int layers, int heads, double learningRate, int warmupSteps, int heldOut,
            int logEvery) {
        Settings {
            if (steps < 1 || batch < 1 || layers < 1 || heads < 1 || width % heads != 0 || logEvery < 1 || warmupSteps < 0 || warmupSteps > steps) {
                throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "need steps, batch, layers, heads and log interval >= 1, 0 <= warmup <= steps, and a width divisible by the heads;"
                                + " got steps %d, batch %d, layers %d, heads %d, width %d, log interval %d, warmup %d",
                        steps, batch, layers, heads, width, logEvery, warmupSteps));
            }
        }

        Gpt.Config modelConfig() {
            return new Gpt.Config(AdditionProblems.VOCABULARY, AdditionProblems.CONTEXT, layers, heads, width);
        }
    }

    /**
     * The outcome of a run.
     *
     * @param losses the training loss of every step
     * @param accuracy the fraction of held-out problems answered exactly
     */
    record Result(double[] losses, double accuracy) {
    }

    private AdditionTrainer() {
    }

    /**
     * Trains a fresh model and evaluates it.
     *
     * @param crossbar the runtime to train on
     * @param settings what to train and how
     * @param out where progress goes
     * @return the losses and the held-out accuracy
     */
    static Result run(Crossbar crossbar, Settings settings, PrintStream out) {
        AdditionProblems problems = new AdditionProblems(settings.seed(), settings.heldOut());
        try (TensorScope root = crossbar.newScope()) {
            Gpt model = new Gpt(root, new Generator(settings.seed()), settings.modelConfig());
            out.printf(Locale.ROOT, "GPT with %d layers, width %d, %d heads: %,d parameters; %d held-out problems, batch %d, %d steps%n",
                    settings.layers(), settings.width(), settings.heads(), model.parameterCount(), settings.heldOut(), settings.batch(), settings.steps());
            double[] losses = train(model, root, problems, settings, out);
            double accuracy = evaluate(model, root, problems.heldOutProblems(), out);
            return new Result(losses, accuracy);
        }
    }

    private static double[] train(Gpt model, TensorScope root, AdditionProblems problems, Settings settings, PrintStream out) {
        AdamW optimizer = new AdamW(model.parameters(), settings.learningRate(), 0.9, 0.98, 1e-8, 0.01);
        CosineSchedule schedule = new CosineSchedule(settings.learningRate(), settings.learningRate() / 10, settings.warmupSteps(), settings.steps());
        double[] losses = new double[settings.steps()];
        long intervalStart = System.nanoTime();
        for (int step = 0; step < settings.steps(); step++) {
            optimizer.learningRate(schedule.rate(step));
            AdditionProblems.Batch batch = problems.trainingBatch(settings.batch());
            try (TensorScope stepScope = root.child()) {
                Tensor loss = loss(model, stepScope, batch);
                loss.backward();
                GradientClipping.clipByGlobalNorm(model.parameters(), CLIP_NORM);
                optimizer.step();
                optimizer.zeroGrad();
                losses[step] = loss.item();
            }
            if ((step + 1) % settings.logEvery() == 0 || step + 1 == settings.steps()) {
                long now = System.nanoTime();
                int intervalSteps = step % settings.logEvery() + 1;
                out.printf(Locale.ROOT, "step %5d  loss %.4f  lr %.2e  %.1f ms/step%n",
                        step + 1, losses[step], optimizer.learningRate(), (now - intervalStart) / 1e6 / intervalSteps);
                intervalStart = now;
            }
        }
        return losses;
    }

    /**
     * The mean cross-entropy of the model's next-character predictions over the answer characters of a batch.
     *
     * @param model the model
     * @param scope owns the inputs and the result
     * @param batch the problems
     * @return the scalar loss, recording gradients when they are on
     */
    public static Tensor loss(Gpt model, TensorScope scope, AdditionProblems.Batch batch) {
        Tensor inputs = scope.fromArray(batch.inputs(), batch.size(), AdditionProblems.CONTEXT);
        Tensor targets = scope.fromArray(batch.targets(), batch.size() * AdditionProblems.CONTEXT);
        Tensor logits = model.forward(inputs).reshape(batch.size() * AdditionProblems.CONTEXT, AdditionProblems.VOCABULARY);
        return Functional.crossEntropy(logits, targets, AdditionProblems.IGNORED, 0);
    }

    /**
     * Greedy decoding: the model writes the answer one character at a time, each time its most likely one; a problem
     * counts when all four digits and the end mark are right. Prints the first few problems with the model's answers.
     *
     * @param model the trained model
     * @param root the scope under which evaluation scopes open
     * @param heldOut problems as {@link AdditionProblems#heldOutProblems()} returns them
     * @param out where the examples are printed
     * @return the fraction answered exactly
     */
    public static double evaluate(Gpt model, TensorScope root, int[] heldOut, PrintStream out) {
        int correct = 0;
        int[] truth = new int[AdditionProblems.TEXT_LENGTH];
        for (int start = 0; start < heldOut.length; start += EVALUATION_BATCH) {
            int count = Math.min(EVALUATION_BATCH, heldOut.length - start);
            int[][] texts = new int[count][AdditionProblems.TEXT_LENGTH];
            for (int row = 0; row < count; row++) {
                int problem = heldOut[start + row];
                AdditionProblems.encode(AdditionProblems.left(problem), AdditionProblems.right(problem), texts[row]);
            }
            for (int length = AdditionProblems.PROMPT_LENGTH; length < AdditionProblems.TEXT_LENGTH; length++) {
                int[] next = predictNext(model, root, texts, length);
                for (int row = 0; row < count; row++) {
                    texts[row][length] = next[row];
                }
            }
            for (int row = 0; row < count; row++) {
                int problem = heldOut[start + row];
                int left = AdditionProblems.left(problem);
                int right = AdditionProblems.right(problem);
                boolean exact = AdditionProblems.readSum(texts[row]) == left + right;
                correct += exact ? 1 : 0;
                if (start + row < EXAMPLES_SHOWN) {
                    AdditionProblems.encode(left, right, truth);
                    out.printf(Locale.ROOT, "  %d + %d = %d, written %s; the model wrote %s (%s)%n", left, right, left + right,
                            AdditionProblems.render(truth, 0, truth.length), AdditionProblems.render(texts[row], AdditionProblems.PROMPT_LENGTH, truth.length),
                            exact ? "right" : "wrong");
                }
            }
        }
        return (double) correct / heldOut.length;
    }

    /** The most likely next character after the first {@code length} characters of each text. */
    private static int[] predictNext(Gpt model, TensorScope root, int[][] texts, int length) {
        int[] prefix = new int[texts.length * length];
        for (int row = 0; row < texts.length; row++) {
            System.arraycopy(texts[row], 0, prefix, row * length, length);
        }
        try (TensorScope scope = root.child(); Grad.Scope off = Grad.noGrad()) {
            Tensor logits = model.forward(scope.fromArray(prefix, texts.length, length));
            Tensor last = logits.slice(1, length - 1, length).reshape(texts.length, AdditionProblems.VOCABULARY);
            long[] best = last.argmax(1, false).toLongArray();
            int[] next = new int[best.length];
            for (int row = 0; row < best.length; row++) {
                next[row] = (int) best[row];
            }
            return next;
        }
    }
}
