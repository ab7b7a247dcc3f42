/**
 * The lazy graph IR that graph backends (xla, neuron) record and compile: a straight-line program whose values have a
 * static element type and shape. Values {@code 0..inputs-1} are the graph's inputs (host data bound at execution);
 * value {@code inputs + i} is the result of node {@code i}. Every node is a primitive op of {@link dev.crossbar.spi.OpSet#V1};
 * graphs compare and hash structurally, so a backend caches one compiled program per distinct graph.
 */
package dev.crossbar.spi.graph;
