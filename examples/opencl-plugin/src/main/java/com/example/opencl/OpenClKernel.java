package com.example.opencl;

import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelGenerator;
import dev.crossbar.spi.codegen.LayoutDescriptor;
import dev.crossbar.spi.codegen.ShapeDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Supplier;

/** What every kernel class of the backend shares: the backend that builds and runs the generated kernels. */
abstract class OpenClKernel {
    private final OpenClBackend backend;

    OpenClKernel(OpenClBackend backend) {
        this.backend = backend;
    }

    final OpenClBackend backend() {
        return backend;
    }

    /** The generated kernel of a key, written by the generator once per backend. */
    final GeneratedKernel kernel(String key, Supplier<GeneratedKernel> source) {
        return backend.generated(key, source);
    }

    final KernelGenerator generator() {
        return backend.generator();
    }

    static ShapeDescriptor dims(Shape shape) {
        return ShapeDescriptor.of(shape);
    }

    static LayoutDescriptor layout(TensorView view) {
        return LayoutDescriptor.of(view);
    }

    /**
     * The error for an index the kernel found out of range, read back from the device: it names the index, where it
     * was and the valid range, as the cpu backend's does.
     */
    final IndexOutOfBoundsException indexOutOfRange(String op, TensorView index, long position, int limit, int axis) {
        long[] coordinate = new long[index.shape().rank()];
        long rest = position;
        long element = index.offset();
        for (int d = coordinate.length - 1; d >= 0; d--) {
            coordinate[d] = rest % index.shape().dim(d);
            rest /= index.shape().dim(d);
            element += coordinate[d] * index.stride(d);
        }
        long value;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment host = arena.allocate(index.dtype().byteSize());
            backend.copyToHost(index.buffer(), element * index.dtype().byteSize(), host);
            value = index.dtype() == DType.I64 ? host.get(JAVA_LONG, 0) : host.get(JAVA_INT, 0);
        }
        return new IndexOutOfBoundsException(String.format(Locale.ROOT,
                "%s: index %d at position %s is out of range [0, %d) for axis %d; indices must satisfy 0 <= index < %d",
                op, value, Arrays.toString(coordinate), limit, axis, limit));
    }

    /** The coordinates of a row-major position in a shape, for error messages. */
    static String coordinates(long position, Shape shape) {
        long[] coordinate = new long[shape.rank()];
        long rest = position;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            coordinate[d] = rest % shape.dim(d);
            rest /= shape.dim(d);
        }
        return Arrays.toString(coordinate);
    }
}
