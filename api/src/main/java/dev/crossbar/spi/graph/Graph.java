package dev.crossbar.spi.graph;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A straight-line program of primitive ops: typed inputs, nodes in execution order and the values it returns. Two
 * graphs are equal when their structure is (input types, nodes with their attributes, outputs); the values bound to
 * the inputs are not part of it, so a training step recorded twice is the same graph and compiles once.
 *
 * @param inputs the types of the values supplied at execution, values {@code 0..inputs.size()-1}
 * @param nodes the ops; node {@code i} defines value {@code inputs.size() + i}
 * @param outputs the values returned, by number
 */
public record Graph(List<ValueType> inputs, List<Node> nodes, List<Integer> outputs) {
    /**
     * Freezes the parts and checks that every operand and output refers to a value defined before it.
     *
     * @param inputs the input types
     * @param nodes the nodes
     * @param outputs the returned values
     * @throws IllegalArgumentException if a node reads a value not yet defined or an output does not exist
     */
    public Graph {
        inputs = List.copyOf(inputs);
        nodes = List.copyOf(nodes);
        outputs = List.copyOf(outputs);
        for (int i = 0; i < nodes.size(); i++) {
            int defined = inputs.size() + i;
            for (int operand : nodes.get(i).operands()) {
                if (operand < 0 || operand >= defined) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "node %d (%s) reads value %d, which is not defined before it", i, nodes.get(i), operand));
                }
            }
        }
        for (int output : outputs) {
            if (output < 0 || output >= inputs.size() + nodes.size()) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "output %d does not exist; the graph defines %d values", output, inputs.size() + nodes.size()));
            }
        }
    }

    /**
     * Returns the type of a value.
     *
     * @param value the value's number
     * @return its type
     */
    public ValueType type(int value) {
        return value < inputs.size() ? inputs.get(value) : nodes.get(value - inputs.size()).type();
    }

    /**
     * Returns the types of the outputs, in order.
     *
     * @return the output types
     */
    public List<ValueType> outputTypes() {
        return outputs.stream().map(this::type).toList();
    }

    /**
     * Returns a 64-bit hash of the structure (FNV-1a of {@link #toString()}), stable across runs, for logs and cache
     * file names. Equal graphs have equal hashes.
     *
     * @return the hash
     */
    public long structuralHash() {
        long hash = 0xcbf29ce484222325L;
        for (byte b : toString().getBytes(StandardCharsets.UTF_8)) {
            hash = (hash ^ (b & 0xff)) * 0x100000001b3L;
        }
        return hash;
    }

    @Override
    public String toString() {
        StringBuilder text = new StringBuilder("graph(");
        for (int i = 0; i < inputs.size(); i++) {
            text.append(i == 0 ? "" : ", ").append('%').append(i).append(": ").append(inputs.get(i));
        }
        text.append(") {\n");
        for (int i = 0; i < nodes.size(); i++) {
            text.append("  %").append(inputs.size() + i).append(" = ").append(nodes.get(i)).append('\n');
        }
        return text.append("  return ").append(outputs).append("\n}").toString();
    }

    /** Builds a graph value by value. Not thread-safe. */
    public static final class Builder {
        private final List<ValueType> inputs = new ArrayList<>();
        private final List<Node> nodes = new ArrayList<>();

        /** Creates an empty builder. */
        public Builder() {
        }

        /**
         * Adds an input; all inputs must be added before the first node.
         *
         * @param type its type
         * @return the value's number
         * @throws IllegalStateException if a node was added already
         */
        public int input(ValueType type) {
            if (!nodes.isEmpty()) {
                throw new IllegalStateException("add every input before the first node");
            }
            inputs.add(type);
            return inputs.size() - 1;
        }

        /**
         * Adds a node.
         *
         * @param node the node; its operands must be defined already
         * @return the number of its result
         */
        public int add(Node node) {
            nodes.add(node);
            return inputs.size() + nodes.size() - 1;
        }

        /**
         * Builds the graph.
         *
         * @param outputs the values returned
         * @return the graph
         */
        public Graph build(List<Integer> outputs) {
            return new Graph(inputs, nodes, outputs);
        }
    }
}
