package dev.crossbar.spi.kernel;

/**
 * Common supertype of the optional fused kernels: one pass for a composite that the API otherwise builds from
 * primitive ops (softmax, the AdamW update). They are not cells of the compatibility matrix: a backend without one
 * gets the composite, and a backend with one must match the composite within the conformance kit's tolerance
 * (its composite suite checks both). A fused kernel may decline a call it does not serve (an element type, a layout)
 * through its {@code serves} method, and the API then composes the op from primitives.
 */
public interface FusedKernel {
}
