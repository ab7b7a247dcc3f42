package dev.crossbar.benchmarks;

import dev.crossbar.api.Functional;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.nn.Module;
import dev.crossbar.api.optim.AdamW;

/**
 * One optimizer step of a classifier on fixed data: forward, cross-entropy over every position, backward, AdamW
 * (betas 0.9 and 0.999, eps 1e-8, weight decay 0.01, PyTorch's defaults) and zeroing the gradients.
 */
final class TrainingStep implements Workload {
    private final TensorScope scope;
    private final Module model;
    private final Tensor inputs;
    private final Tensor targets;
    private final int classes;
    private final AdamW optimizer;

    /**
     * @param scope owns the model and the data; closed with this workload
     * @param model the model, built in {@code scope}; sharded already if it trains with FSDP
     * @param inputs one batch of inputs
     * @param targets the class of every output position
     * @param classes the width of the model's last axis
     * @param learningRate AdamW's learning rate
     */
    TrainingStep(TensorScope scope, Module model, Tensor inputs, Tensor targets, int classes, double learningRate) {
        this.scope = scope;
        this.model = model;
        this.inputs = inputs;
        this.targets = targets;
        this.classes = classes;
        this.optimizer = new AdamW(model.parameters(), learningRate, 0.9, 0.999, 1e-8, 0.01);
    }

    @Override
    public void run() {
        try (TensorScope step = scope.child()) {
            int positions = Math.toIntExact(targets.size());
            Tensor logits = model.forward(inputs).reshape(positions, classes);
            Tensor loss = Functional.crossEntropy(logits, targets.reshape(positions), -100, 0);
            loss.backward();
            optimizer.step();
            optimizer.zeroGrad();
        }
    }

    @Override
    public void close() {
        scope.close();
    }
}
