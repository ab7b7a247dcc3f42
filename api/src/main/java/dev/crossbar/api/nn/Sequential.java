package dev.crossbar.api.nn;

import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.util.List;

/** Modules applied one after another; children are named {@code "0"}, {@code "1"}, ... */
public final class Sequential extends Module {
    private final List<Module> layers;

    /**
     * Chains modules.
     *
     * @param layers the modules, first applied first
     */
    public Sequential(Module... layers) {
        if (layers.length == 0) {
            throw new IllegalArgumentException("Sequential needs at least one module");
        }
        this.layers = List.of(layers);
        for (int i = 0; i < layers.length; i++) {
            registerModule(Integer.toString(i), layers[i]);
        }
    }

    @Override
    protected Tensor compute(Tensor input) {
        try (TensorScope local = TensorScope.localFor(input)) {
            Tensor x = input;
            for (Module layer : layers) {
                x = layer.forward(x);
            }
            return local.keep(x);
        }
    }
}
