package dev.crossbar.spi.codegen;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

/**
 * The arguments of one launch of a {@link GeneratedKernel}, packed in native memory in the order and form of
 * {@link GeneratedKernel#parameters()}: each value in its own 8-byte-aligned segment, and an array of their addresses,
 * which is what CUDA's {@code cuLaunchKernel} and HIP's {@code hipModuleLaunchKernel} take as {@code void** kernelParams}.
 * Values are added in declaration order and each is checked against its parameter's {@link KernelParameter.Type}.
 */
public final class KernelArguments {
    private final GeneratedKernel kernel;
    private final Arena arena;
    private final List<MemorySegment> values = new ArrayList<>();

    /**
     * Starts packing the arguments of a kernel.
     *
     * @param kernel the kernel to launch
     * @param arena the arena that owns the packed memory; it must stay open until the launch has read the arguments
     */
    public KernelArguments(GeneratedKernel kernel, Arena arena) {
        this.kernel = kernel;
        this.arena = arena;
    }

    /**
     * Adds a device pointer.
     *
     * @param address the pointer's value
     * @return this
     */
    public KernelArguments pointer(long address) {
        MemorySegment slot = slot(Long.BYTES);
        slot.set(ValueLayout.JAVA_LONG, 0, address);
        return add(KernelParameter.Type.POINTER, slot);
    }

    /**
     * Adds a 64-bit integer.
     *
     * @param value the value
     * @return this
     */
    public KernelArguments i64(long value) {
        MemorySegment slot = slot(Long.BYTES);
        slot.set(ValueLayout.JAVA_LONG, 0, value);
        return add(KernelParameter.Type.I64, slot);
    }

    /**
     * Adds a double.
     *
     * @param value the value
     * @return this
     */
    public KernelArguments f64(double value) {
        MemorySegment slot = slot(Double.BYTES);
        slot.set(ValueLayout.JAVA_DOUBLE, 0, value);
        return add(KernelParameter.Type.F64, slot);
    }

    /**
     * Adds a shape, passed by value.
     *
     * @param dims the shape
     * @return this
     */
    public KernelArguments dims(ShapeDescriptor dims) {
        ByteBuffer bytes = ByteBuffer.allocate(ShapeDescriptor.BYTES);
        dims.writeTo(bytes);
        return add(KernelParameter.Type.DIMS, slot(ShapeDescriptor.BYTES).copyFrom(MemorySegment.ofArray(bytes.array())));
    }

    /**
     * Adds a layout, passed by value.
     *
     * @param layout the layout
     * @return this
     */
    public KernelArguments layout(LayoutDescriptor layout) {
        ByteBuffer bytes = ByteBuffer.allocate(LayoutDescriptor.BYTES);
        layout.writeTo(bytes);
        return add(KernelParameter.Type.LAYOUT, slot(LayoutDescriptor.BYTES).copyFrom(MemorySegment.ofArray(bytes.array())));
    }

    /**
     * Returns the packed values, one segment per parameter, for APIs that take each argument's size and address
     * (OpenCL's {@code clSetKernelArg}).
     *
     * @return the values in parameter order
     * @throws IllegalStateException if some parameters have no value yet
     */
    public List<MemorySegment> values() {
        requireComplete();
        return Collections.unmodifiableList(values);
    }

    /**
     * Returns the array of argument addresses ({@code void**}) for {@code cuLaunchKernel} or
     * {@code hipModuleLaunchKernel}.
     *
     * @return the array, allocated in the arena
     * @throws IllegalStateException if some parameters have no value yet
     */
    public MemorySegment addressArray() {
        requireComplete();
        MemorySegment array = arena.allocate(ValueLayout.ADDRESS, Math.max(1, values.size()));
        for (int i = 0; i < values.size(); i++) {
            array.setAtIndex(ValueLayout.ADDRESS, i, values.get(i));
        }
        return array;
    }

    private MemorySegment slot(long bytes) {
        return arena.allocate(bytes, Long.BYTES);
    }

    private KernelArguments add(KernelParameter.Type type, MemorySegment value) {
        List<KernelParameter> parameters = kernel.parameters();
        if (values.size() == parameters.size()) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s takes %d arguments; a %s is one too many",
                    kernel.entryPoint(), parameters.size(), type));
        }
        KernelParameter expected = parameters.get(values.size());
        if (expected.type() != type) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "argument %d of %s is '%s', a %s, not a %s",
                    values.size(), kernel.entryPoint(), expected.name(), expected.type(), type));
        }
        values.add(value);
        return this;
    }

    private void requireComplete() {
        if (values.size() != kernel.parameters().size()) {
            throw new IllegalStateException(String.format(Locale.ROOT, "%s takes %d arguments but only %d were given; the next is '%s'",
                    kernel.entryPoint(), kernel.parameters().size(), values.size(), kernel.parameters().get(values.size()).name()));
        }
    }
}
