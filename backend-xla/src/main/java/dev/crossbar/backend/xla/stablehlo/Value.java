package dev.crossbar.backend.xla.stablehlo;

import dev.crossbar.spi.graph.ValueType;

/**
 * An SSA value of the module being written.
 *
 * @param name its MLIR name, such as {@code %12} or {@code %arg0}
 * @param type its element type and shape
 */
record Value(String name, ValueType type) {
}
