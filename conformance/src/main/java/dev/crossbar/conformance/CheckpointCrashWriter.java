package dev.crossbar.conformance;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.checkpoint.Checkpoint;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The process {@link CheckpointSuite}'s crash test kills: saves checkpoints of a known content to one directory in a
 * loop, printing {@code BEGIN i} before and {@code SAVED i} after each save, until it is killed.
 *
 * <p>Arguments: the provider's class name, the directory, the first iteration, the number of tensors, the elements
 * per tensor.
 */
public final class CheckpointCrashWriter {
    private CheckpointCrashWriter() {
    }

    /**
     * Saves checkpoints until killed.
     *
     * @param args provider class, directory, first iteration, tensor count, elements per tensor
     * @throws ReflectiveOperationException if the provider cannot be instantiated
     */
    public static void main(String[] args) throws ReflectiveOperationException {
        BackendProvider provider = (BackendProvider) Class.forName(args[0]).getConstructor().newInstance();
        Path dir = Path.of(args[1]);
        int first = Integer.parseInt(args[2]);
        int tensors = Integer.parseInt(args[3]);
        int elements = Integer.parseInt(args[4]);
        try (Backend backend = provider.create(new BackendContext(Map.of()));
                TensorScope root = TensorScope.root(backend, backend.devices().getFirst())) {
            for (int iteration = first; ; iteration++) {
                try (TensorScope scope = root.child()) {
                    Map<String, Tensor> state = state(scope, iteration, tensors, elements);
                    System.out.println("BEGIN " + iteration);
                    System.out.flush();
                    Checkpoint.save(dir, state, Map.of("iteration", Integer.toString(iteration)));
                    System.out.println("SAVED " + iteration);
                    System.out.flush();
                }
            }
        }
    }

    /** The state saved at an iteration: tensor {@code k} holds {@code index + iteration + k} at each index. */
    static Map<String, Tensor> state(TensorScope scope, int iteration, int tensors, int elements) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        for (int k = 0; k < tensors; k++) {
            state.put("layer" + k + ".weight", scope.iota(Shape.of(elements), 0, DType.F32).add((double) (iteration + k)));
        }
        return state;
    }

    /** The value tensor {@code k} holds at {@code index} in the state of an iteration. */
    static float expected(int iteration, int k, int index) {
        return index + iteration + k;
    }
}
