package com.example.opencl;

import static java.lang.foreign.ValueLayout.JAVA_LONG;

import com.example.opencl.internal.ffi.NativeOpenCl;
import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.Device;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import dev.crossbar.spi.codegen.Dialect;
import dev.crossbar.spi.codegen.GeneratedKernel;
import dev.crossbar.spi.codegen.KernelGenerator;
import dev.crossbar.spi.codegen.KernelArguments;
import dev.crossbar.spi.codegen.LayoutDescriptor;
import dev.crossbar.spi.codegen.ShapeDescriptor;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The OpenCL backend: one context over the devices of one platform, an in-order queue per device, device buffers, and
 * kernels generated in the OpenCL C dialect of {@link KernelGenerator}, built once per source and cached.
 */
final class OpenClBackend implements Backend {
    /** Work items of a grid-stride launch at most; each loops over the rest. */
    private static final long MAX_GRID = 1 << 16;
    private static final String BUILD_OPTIONS = "-cl-std=CL1.2";

    private final NativeOpenCl cl;
    private final OpenClPlatform platform;
    private final MemorySegment context;
    private final List<Device> devices;
    private final List<CommandQueue> queues = new ArrayList<>();
    private final KernelGenerator generator = new KernelGenerator(Dialect.OPENCL);
    private final Map<String, GeneratedKernel> generated = new HashMap<>();
    private final Map<String, CompiledKernel> compiled = new HashMap<>();
    private final KernelSet kernels;
    private volatile boolean closed;

    /** A built program and its one kernel. */
    private record CompiledKernel(MemorySegment program, MemorySegment kernel) {
    }

    OpenClBackend(NativeOpenCl cl, OpenClPlatform platform) {
        this.cl = cl;
        this.platform = platform;
        this.devices = platform.crossbarDevices();
        this.context = cl.createContext(platform.devices());
        try {
            for (MemorySegment device : platform.devices()) {
                queues.add(new CommandQueue(cl, cl.createQueue(context, device)));
            }
        } catch (RuntimeException e) {
            queues.forEach(CommandQueue::release);
            cl.releaseContext(context);
            throw e;
        }
        this.kernels = KernelSet.of(OpenClBackendProvider.NAME, ExecutionMode.EAGER, OpenClKernels.instantiate(this));
    }

    @Override
    public String name() {
        return OpenClBackendProvider.NAME;
    }

    @Override
    public List<Device> devices() {
        return devices;
    }

    @Override
    public synchronized DeviceBuffer allocate(Device device, long byteSize) {
        checkOpen();
        int index = indexOf(device);
        if (byteSize < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Cannot allocate %d bytes on %s; the size must be >= 0", byteSize, device));
        }
        // OpenCL has no empty buffers (CL_INVALID_BUFFER_SIZE): an empty tensor gets one unused byte.
        return new OpenClBuffer(cl, devices.get(index), byteSize, cl.createBuffer(context, Math.max(byteSize, 1)));
    }

    @Override
    public synchronized void copyFromHost(MemorySegment source, DeviceBuffer destination, long destinationOffset) {
        OpenClBuffer target = buffer(destination);
        target.checkRange(destinationOffset, source.byteSize());
        if (source.byteSize() == 0) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment nativeSource = source.isNative() ? source : arena.allocate(source.byteSize()).copyFrom(source);
            cl.write(queueOf(target).handle(), target.handle(), destinationOffset, nativeSource);
        }
    }

    @Override
    public synchronized void copyToHost(DeviceBuffer source, long sourceOffset, MemorySegment destination) {
        OpenClBuffer from = buffer(source);
        from.checkRange(sourceOffset, destination.byteSize());
        if (destination.byteSize() == 0) {
            return;
        }
        CommandQueue queue = queueOf(from);
        queue.synchronize();
        if (destination.isNative()) {
            cl.read(queue.handle(), from.handle(), sourceOffset, destination);
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment staging = arena.allocate(destination.byteSize());
            cl.read(queue.handle(), from.handle(), sourceOffset, staging);
            destination.copyFrom(staging);
        }
    }

    @Override
    public synchronized void copy(DeviceBuffer source, long sourceOffset, DeviceBuffer destination, long destinationOffset, long byteCount) {
        OpenClBuffer from = buffer(source);
        OpenClBuffer to = buffer(destination);
        from.checkRange(sourceOffset, byteCount);
        to.checkRange(destinationOffset, byteCount);
        if (byteCount == 0) {
            return;
        }
        if (!from.device().equals(to.device())) {
            // Queues are in order within a device only: the source's pending writes must land first.
            queueOf(from).synchronize();
        }
        CommandQueue queue = queueOf(to);
        queue.track(cl.copy(queue.handle(), from.handle(), sourceOffset, to.handle(), destinationOffset, byteCount), "copy of " + byteCount + " bytes");
    }

    @Override
    public Optional<DeviceBuffer> wrapHostMemory(Device device, MemorySegment segment) {
        return Optional.empty();
    }

    @Override
    public KernelSet kernels() {
        return kernels;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            queues.forEach(CommandQueue::release);
        } finally {
            for (CompiledKernel k : compiled.values()) {
                cl.releaseKernel(k.kernel());
                cl.releaseProgram(k.program());
            }
            compiled.clear();
            cl.releaseContext(context);
        }
    }

    @Override
    public String toString() {
        return "OpenClBackend[" + platform.name() + ", " + devices + "]";
    }

    // ---------------------------------------------------------------- kernels

    /** The generator of the OpenCL C dialect. */
    KernelGenerator generator() {
        return generator;
    }

    /** A generated kernel, made once per key. */
    synchronized GeneratedKernel generated(String key, Supplier<GeneratedKernel> source) {
        return generated.computeIfAbsent(key, k -> source.get());
    }

    /**
     * Runs a grid-stride kernel over {@code workItems} items on the device of its first buffer argument; nothing is
     * launched for zero items.
     *
     * @param kernel the kernel
     * @param workItems the work count ({@code n}, or the Philox blocks of rng)
     * @param arguments one per parameter: a {@link DeviceBuffer} of this backend or null for pointers, {@link Long}, {@link Double},
     *     {@link ShapeDescriptor} or {@link LayoutDescriptor}
     */
    synchronized void launch(GeneratedKernel kernel, long workItems, Object... arguments) {
        if (workItems == 0) {
            return;
        }
        enqueue(kernel, new long[] {Math.min(workItems, MAX_GRID)}, null, arguments);
    }

    /**
     * Runs a kernel whose last parameter is the fault word and returns the word: 0, or 1 + the row-major position of
     * an element that failed.
     *
     * @param kernel the kernel
     * @param workItems the work count
     * @param arguments the arguments before the fault word
     * @return the fault word
     */
    synchronized long launchChecked(GeneratedKernel kernel, long workItems, Object... arguments) {
        if (workItems == 0) {
            return 0;
        }
        OpenClBuffer firstBuffer = firstBuffer(kernel, arguments);
        try (OpenClBuffer fault = (OpenClBuffer) allocate(firstBuffer.device(), Long.BYTES); Arena arena = Arena.ofConfined()) {
            CommandQueue queue = queueOf(fault);
            queue.track(cl.fill(queue.handle(), fault.handle(), new byte[Long.BYTES], 0, Long.BYTES), "zeroing the fault word of " + kernel.name());
            Object[] all = Arrays.copyOf(arguments, arguments.length + 1);
            all[arguments.length] = fault;
            enqueue(kernel, new long[] {Math.min(workItems, MAX_GRID)}, null, all);
            MemorySegment word = arena.allocate(JAVA_LONG);
            copyToHost(fault, 0, word);
            return word.get(JAVA_LONG, 0);
        }
    }

    /**
     * Runs a kernel over an explicit n-dimensional range with fixed work-group sizes (the tiled matmul).
     *
     * @param kernel the kernel
     * @param global the global sizes, multiples of {@code local}, none zero
     * @param local the work-group sizes
     * @param arguments the arguments, as for {@link #launch}
     */
    synchronized void launchRange(GeneratedKernel kernel, long[] global, long[] local, Object... arguments) {
        enqueue(kernel, global, local, arguments);
    }

    private void enqueue(GeneratedKernel kernel, long[] global, long[] local, Object[] arguments) {
        checkOpen();
        CommandQueue queue = queueOf(firstBuffer(kernel, arguments));
        MemorySegment clKernel = compile(kernel);
        try (Arena arena = Arena.ofConfined()) {
            KernelArguments packed = new KernelArguments(kernel, arena);
            for (Object argument : arguments) {
                pack(packed, kernel, argument);
            }
            List<MemorySegment> values = packed.values();
            for (int i = 0; i < values.size(); i++) {
                cl.setKernelArg(clKernel, i, values.get(i), kernel.entryPoint() + " " + kernel.parameters().get(i).name());
            }
        }
        queue.track(cl.enqueueKernel(queue.handle(), clKernel, global, local, kernel.entryPoint()), kernel.name());
    }

    /** Adds one argument by its Java type; {@link KernelArguments} checks it against the parameter's type. */
    private static void pack(KernelArguments packed, GeneratedKernel kernel, Object argument) {
        switch (argument) {
            case null -> packed.pointer(0);
            case DeviceBuffer b -> packed.pointer(buffer(b).handle().address());
            case Long value -> packed.i64(value);
            case Double value -> packed.f64(value);
            case ShapeDescriptor dims -> packed.dims(dims);
            case LayoutDescriptor layout -> packed.layout(layout);
            default -> throw new IllegalArgumentException(String.format(Locale.ROOT, "%s was given a %s; arguments are buffers, Long, Double,"
                    + " ShapeDescriptor or LayoutDescriptor", kernel.entryPoint(), argument.getClass().getName()));
        }
    }

    private MemorySegment compile(GeneratedKernel kernel) {
        CompiledKernel hit = compiled.get(kernel.sha256());
        if (hit != null) {
            return hit.kernel();
        }
        MemorySegment program = cl.buildProgram(context, platform.devices(), kernel.source(), BUILD_OPTIONS, kernel.name() + " (" + kernel.entryPoint() + ")");
        MemorySegment clKernel;
        try {
            clKernel = cl.createKernel(program, kernel.entryPoint());
        } catch (RuntimeException e) {
            cl.releaseProgram(program);
            throw e;
        }
        compiled.put(kernel.sha256(), new CompiledKernel(program, clKernel));
        return clKernel;
    }

    private static OpenClBuffer firstBuffer(GeneratedKernel kernel, Object[] arguments) {
        return Arrays.stream(arguments).filter(DeviceBuffer.class::isInstance).map(b -> buffer((DeviceBuffer) b)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(kernel.entryPoint() + " was given no buffer, so no device to run on"));
    }

    // ---------------------------------------------------------------- helpers

    private CommandQueue queueOf(OpenClBuffer buffer) {
        return queues.get(indexOf(buffer.device()));
    }

    private int indexOf(Device device) {
        int index = devices.indexOf(device);
        if (index < 0) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Device %s does not belong to this opencl backend, whose devices are %s", device, devices));
        }
        return index;
    }

    private void checkOpen() {
        if (closed) {
            throw new AlreadyClosedException(this);
        }
    }

    static OpenClBuffer buffer(DeviceBuffer buffer) {
        if (buffer instanceof OpenClBuffer cl) {
            return cl;
        }
        throw new IllegalArgumentException("Buffer " + buffer + " on " + buffer.device() + " was not allocated by the opencl backend; copy it through host memory");
    }
}
