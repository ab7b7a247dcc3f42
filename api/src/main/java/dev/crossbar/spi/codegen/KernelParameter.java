package dev.crossbar.spi.codegen;

import java.util.Objects;

/**
 * One parameter of a generated kernel, in declaration order: what a backend packs when it launches the kernel.
 *
 * @param name the parameter's name in the source
 * @param type how the argument is passed
 */
public record KernelParameter(String name, Type type) {

    /** How an argument is passed; every kind is a multiple of 8 bytes and 8-byte aligned. */
    public enum Type {
        /** A device pointer to a buffer's first byte. */
        POINTER,
        /** A 64-bit integer, signed or unsigned as the source declares it. */
        I64,
        /** An IEEE 754 double. */
        F64,
        /** A {@link ShapeDescriptor}, passed by value. */
        DIMS,
        /** A {@link LayoutDescriptor}, passed by value. */
        LAYOUT
    }

    /**
     * Checks the components.
     *
     * @param name the parameter's name
     * @param type how it is passed
     */
    public KernelParameter {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(type, "type is null");
    }
}
