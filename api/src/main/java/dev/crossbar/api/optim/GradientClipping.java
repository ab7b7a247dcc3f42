package dev.crossbar.api.optim;

import dev.crossbar.api.Grad;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.nn.Parameter;
import java.util.List;
import java.util.Locale;

/** Gradient clipping, as PyTorch's {@code clip_grad_norm_}. */
public final class GradientClipping {
    private GradientClipping() {
    }

    /**
     * Scales every gradient by {@code maxNorm / norm} when the global L2 norm of all gradients exceeds
     * {@code maxNorm}.
     *
     * @param parameters the parameters whose gradients are clipped; those without a gradient are skipped
     * @param maxNorm the largest allowed global norm, positive
     * @return the global norm before clipping
     */
    public static double clipByGlobalNorm(List<Parameter> parameters, double maxNorm) {
        if (!(maxNorm > 0)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "maxNorm must be > 0, got %s", maxNorm));
        }
        double sumOfSquares = 0;
        try (Grad.Scope off = Grad.noGrad()) {
            for (Parameter p : parameters) {
                if (p.grad().isPresent()) {
                    Tensor g = p.grad().get();
                    try (TensorScope local = TensorScope.localFor(g)) {
                        sumOfSquares += g.mul(g).sum().item();
                    }
                }
            }
            double norm = Math.sqrt(sumOfSquares);
            double scale = maxNorm / (norm + 1e-6);
            if (scale < 1) {
                for (Parameter p : parameters) {
                    if (p.grad().isPresent()) {
                        Tensor g = p.grad().get();
                        try (TensorScope local = TensorScope.localFor(g)) {
                            g.assign(g.mul(scale));
                        }
                    }
                }
            }
            return norm;
        }
    }
}
