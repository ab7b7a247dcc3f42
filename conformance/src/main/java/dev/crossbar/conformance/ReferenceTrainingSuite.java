package dev.crossbar.conformance;

import static dev.crossbar.conformance.TinyGptWorkload.BATCH;
import static dev.crossbar.conformance.TinyGptWorkload.CONFIG;
import static dev.crossbar.conformance.TinyGptWorkload.SEED;
import static dev.crossbar.conformance.TinyGptWorkload.adam;
import static dev.crossbar.conformance.TinyGptWorkload.loss;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.Generator;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.api.optim.Optimizer;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;

/**
 * Trains the tiny GPT of the sharding suites (vocabulary 11, context 7, width 12, two layers, AdamW, a deterministic
 * batch of 4 per step) for {@link #steps()} steps on the backend under test and on a reference backend in the same
 * JVM, both from the same initial weights, and requires every step's loss to agree within {@link #tolerance()}
 * relative to the reference's. The reference is found with {@link ServiceLoader} by {@link #referenceBackendName()}
 * ("cpu" by default), so a plugin adds {@code crossbar-backend-cpu} to its test dependencies and nothing else.
 */
public abstract class ReferenceTrainingSuite extends BackendFixture {

    /**
     * Returns the number of training steps compared.
     *
     * @return 40 by default
     */
    protected int steps() {
        return 40;
    }

    /**
     * Returns the largest relative difference allowed between a step's loss on the two backends. F32 kernels that
     * round differently from the reference by an ulp or two (transcendental functions, fused multiply-adds,
     * summation order) leave the losses within about 1e-7 of each other over 40 steps (9.9e-8 measured for the
     * OpenCL example plugin on PoCL against cpu); the default allows 100 times that.
     *
     * @return 1e-5 by default
     */
    protected double tolerance() {
        return 1e-5;
    }

    /**
     * Returns the name of the reference backend.
     *
     * @return {@code "cpu"} by default
     */
    protected String referenceBackendName() {
        return "cpu";
    }

    @Test
    public final void tinyGptLossesMatchTheReferenceBackend() {
        List<Double> reference;
        try (Backend referenceBackend = createReference(); TensorScope referenceRoot = TensorScope.root(referenceBackend, referenceBackend.devices().getFirst())) {
            reference = train(referenceRoot);
        }
        List<Double> losses = train(root());
        double worst = 0;
        for (int step = 0; step < losses.size(); step++) {
            double difference = Math.abs(losses.get(step) - reference.get(step)) / Math.max(1e-12, Math.abs(reference.get(step)));
            worst = Math.max(worst, difference);
            int shown = step;
            assertTrue(difference <= tolerance(), () -> String.format(Locale.ROOT,
                    "step %d: loss %.9f on '%s' but %.9f on '%s' (relative difference %.3g > %.3g); losses so far %s, reference %s",
                    shown, losses.get(shown), backend().name(), reference.get(shown), referenceBackendName(), Math.abs(losses.get(shown) - reference.get(shown))
                            / Math.abs(reference.get(shown)), tolerance(), losses.subList(0, shown + 1), reference.subList(0, shown + 1)));
        }
        assertTrue(losses.getLast() < losses.getFirst(), "training must make progress: " + losses);
        System.out.printf(Locale.ROOT, "tiny GPT on '%s', %d steps: loss %.6f -> %.6f; largest relative difference from '%s' %.3g%n",
                backend().name(), losses.size(), losses.getFirst(), losses.getLast(), referenceBackendName(), worst);
    }

    private List<Double> train(TensorScope root) {
        List<Double> losses = new ArrayList<>();
        try (TensorScope scope = root.child()) {
            Gpt model = new Gpt(scope, new Generator(SEED), CONFIG);
            Optimizer optimizer = adam(model);
            for (int step = 0; step < steps(); step++) {
                try (TensorScope stepScope = scope.child()) {
                    Tensor loss = loss(stepScope, model, step, 0, BATCH);
                    loss.backward();
                    optimizer.step();
                    optimizer.zeroGrad();
                    losses.add(loss.item());
                }
            }
        }
        return losses;
    }

    private Backend createReference() {
        String name = referenceBackendName();
        BackendProvider provider = ServiceLoader.load(BackendProvider.class).stream().map(ServiceLoader.Provider::get)
                .filter(p -> p.name().equals(name)).findFirst()
                .orElseThrow(() -> new IllegalStateException("No provider of the reference backend '" + name
                        + "' on the test path; add dev.crossbar:crossbar-backend-" + name + " to the test dependencies"));
        Availability availability = provider.probe(context());
        if (!availability.available()) {
            throw new IllegalStateException("The reference backend '" + name + "' cannot run here: " + availability.reason());
        }
        return provider.create(context());
    }
}
