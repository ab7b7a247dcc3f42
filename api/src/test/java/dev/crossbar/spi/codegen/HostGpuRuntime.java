package dev.crossbar.spi.codegen;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import dev.crossbar.spi.ffi.NcclApi;
import java.util.stream.IntStream;

/**
 * A test double of a vendor's {@link GpuRuntime} whose "device memory" is host memory: every queued call runs at once,
 * and each is written to a journal ({@link #calls()}) in order, so tests can check what the shared GPU code asks of a
 * vendor and in which order. It loads "modules" compiled by {@link HostCompiler} (the kernel's source) and runs a
 * launch by handing it to the action a test registered for the kernel's entry point. A stream is idle when the
 * predicate given says so ({@link HostNccl#isIdle} for tests of collectives). Also a column-major F32 host GEMM
 * standing in for the vendor BLAS ({@link HostBlas}).
 */
final class HostGpuRuntime implements GpuRuntime {
    static final LaunchConfiguration.DeviceLimits LIMITS = new LaunchConfiguration.DeviceLimits(1024, 65535, 1, 2048);

    /** The name of the backends and devices made here. */
    static final String NAME = "hostgpu";

    private final HostCompiler compiler = new HostCompiler();
    private final int devices;
    private final boolean memoryPools;
    private final Path modules;
    private final Predicate<MemorySegment> idle;
    private final List<String> calls = new ArrayList<>();
    private final Map<Long, Arena> allocations = new ConcurrentHashMap<>();
    private final Map<Long, GeneratedKernel> loadedModules = new HashMap<>();
    private final Map<Long, GeneratedKernel> functions = new HashMap<>();
    private final Map<String, Consumer<Launch>> launchActions = new HashMap<>();
    private long nextHandle = 1;
    private int outOfMemoryFailures;

    /**
     * Creates the runtime.
     *
     * @param devices how many devices it has
     * @param memoryPools whether they allocate ordered on streams
     * @param idle tells whether a stream is idle
     * @param modules where its devices cache compiled modules
     */
    HostGpuRuntime(int devices, boolean memoryPools, Predicate<MemorySegment> idle, Path modules) {
        this.devices = devices;
        this.memoryPools = memoryPools;
        this.idle = idle;
        this.modules = modules;
    }

    /** A backend of {@code devices} host devices with memory pools, the host BLAS and {@link HostNccl}'s collectives. */
    static StreamBackend backend(int devices, HostNccl nccl, Path modules) {
        return new HostGpuRuntime(devices, true, nccl::isIdle, modules).backend(() -> nccl);
    }

    /** A backend of every device of this runtime, with no generated kernels registered. */
    StreamBackend backend(Supplier<NcclApi> collectives) {
        List<StreamDevice> opened = IntStream.range(0, devices).mapToObj(this::device).toList();
        return new StreamBackend(NAME, opened, KernelSet.of(NAME, ExecutionMode.EAGER, List.of()), collectives);
    }

    /** Opens device {@code index} of this runtime, with the host compiler and BLAS. */
    StreamDevice device(int index) {
        return new StreamDevice(new Device(NAME, index), this, compiler, Optional.of(new HostBlas()),
                new StreamDevice.ModuleDirectory(modules, "crossbar.hostgpu.cache"));
    }

    /** How many kernels the devices' compiler compiled. */
    int compilations() {
        return compiler.compilations();
    }

    /** Makes the next {@code count} allocations fail as the device being out of memory. */
    synchronized void failAllocations(int count) {
        outOfMemoryFailures = count;
    }

    /** Runs {@code action} for each launch of the kernel with this entry point. */
    synchronized void onLaunch(String entryPoint, Consumer<Launch> action) {
        launchActions.put(entryPoint, action);
    }

    /** What was called, in order, such as {@code "allocateAsync 512 on stream 1"}. */
    synchronized List<String> calls() {
        return List.copyOf(calls);
    }

    private synchronized void call(String format, Object... arguments) {
        calls.add(String.format(Locale.ROOT, format, arguments));
    }

    private synchronized MemorySegment handle() {
        return MemorySegment.ofAddress(nextHandle++);
    }

    @SuppressWarnings("restricted") // addresses of this runtime's own allocations
    static MemorySegment memory(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    @Override
    public String version() {
        return "1.0";
    }

    @Override
    public int deviceCount() {
        return devices;
    }

    @Override
    public DeviceProperties open(int device) {
        call("open %d", device);
        return new DeviceProperties(LIMITS, "host", memoryPools);
    }

    @Override
    public void makeCurrent(int device) {
    }

    @Override
    public void close(int device) {
        call("close %d", device);
    }

    @Override
    public MemorySegment createStream() {
        MemorySegment stream = handle();
        call("createStream %d", stream.address());
        return stream;
    }

    @Override
    public boolean isIdle(MemorySegment stream) {
        return idle.test(stream);
    }

    @Override
    public void synchronize(MemorySegment stream) {
        call("synchronize %d", stream.address());
    }

    @Override
    public void destroyStream(MemorySegment stream) {
        call("destroyStream %d", stream.address());
    }

    @Override
    public MemorySegment createEvent() {
        MemorySegment event = handle();
        call("createEvent %d", event.address());
        return event;
    }

    @Override
    public void recordEvent(MemorySegment event, MemorySegment stream) {
        call("recordEvent %d on stream %d", event.address(), stream.address());
    }

    @Override
    public void waitForEvent(MemorySegment stream, MemorySegment event) {
        call("waitForEvent %d on stream %d", event.address(), stream.address());
    }

    @Override
    public void destroyEvent(MemorySegment event) {
        call("destroyEvent %d", event.address());
    }

    @Override
    public long allocateAsync(long bytes, MemorySegment stream) {
        call("allocateAsync %d on stream %d", bytes, stream.address());
        return hostAllocation(bytes);
    }

    @Override
    public void freeAsync(long address, MemorySegment stream) {
        call("freeAsync on stream %d", stream.address());
        allocations.remove(address).close();
    }

    @Override
    public long allocate(long bytes) {
        call("allocate %d", bytes);
        return hostAllocation(bytes);
    }

    @Override
    public void free(long address) {
        call("free");
        allocations.remove(address).close();
    }

    private long hostAllocation(long bytes) {
        synchronized (this) {
            if (outOfMemoryFailures > 0) {
                outOfMemoryFailures--;
                throw new OutOfHostDeviceMemory(bytes);
            }
        }
        Arena arena = Arena.ofShared();
        long address = arena.allocate(bytes, 16).address();
        allocations.put(address, arena);
        return address;
    }

    @Override
    public boolean isOutOfMemory(RuntimeException failure) {
        return failure instanceof OutOfHostDeviceMemory;
    }

    @Override
    public void zero(long address, long bytes, MemorySegment stream) {
        memory(address, bytes).fill((byte) 0);
    }

    @Override
    public void copyFromHost(MemorySegment source, long destination, MemorySegment stream) {
        MemorySegment.copy(source, 0, memory(destination, source.byteSize()), 0, source.byteSize());
    }

    @Override
    public void copyToHost(long source, MemorySegment destination, MemorySegment stream) {
        MemorySegment.copy(memory(source, destination.byteSize()), 0, destination, 0, destination.byteSize());
    }

    @Override
    public void copyWithin(long source, long destination, long bytes, MemorySegment stream) {
        MemorySegment.copy(memory(source, bytes), 0, memory(destination, bytes), 0, bytes);
    }

    @Override
    public void copyPeer(long source, int sourceDevice, long destination, int destinationDevice, long bytes, MemorySegment stream) {
        call("copyPeer %d bytes from device %d to device %d on stream %d", bytes, sourceDevice, destinationDevice, stream.address());
        MemorySegment.copy(memory(source, bytes), 0, memory(destination, bytes), 0, bytes);
    }

    /** Loads the image {@link HostCompiler} made: the kernel's source, whose entry points {@link #function} finds. */
    @Override
    public MemorySegment loadModule(byte[] image) {
        MemorySegment module = handle();
        call("loadModule %d", module.address());
        GeneratedKernel kernel = compiler.kernelOf(image);
        synchronized (this) {
            loadedModules.put(module.address(), kernel);
        }
        return module;
    }

    @Override
    public synchronized MemorySegment function(MemorySegment module, String name) {
        GeneratedKernel kernel = loadedModules.get(module.address());
        if (!kernel.entryPoint().equals(name)) {
            throw new IllegalArgumentException("module " + module.address() + " has no function " + name + ", only " + kernel.entryPoint());
        }
        MemorySegment function = handle();
        functions.put(function.address(), kernel);
        return function;
    }

    @Override
    public void unloadModule(MemorySegment module) {
        call("unloadModule %d", module.address());
    }

    @Override
    public void launch(MemorySegment function, LaunchConfiguration configuration, MemorySegment stream, MemorySegment arguments) {
        GeneratedKernel kernel;
        Consumer<Launch> action;
        synchronized (this) {
            kernel = functions.get(function.address());
            action = launchActions.get(kernel.entryPoint());
        }
        call("launch %s grid %d block %d on stream %d", kernel.entryPoint(), configuration.gridSize(), configuration.blockSize(), stream.address());
        if (action == null) {
            throw new UnsupportedOperationException("the host GPU runtime has no action for " + kernel.entryPoint() + "; register one with onLaunch");
        }
        action.accept(new Launch(kernel, configuration, arguments.reinterpret(ValueLayout.ADDRESS.byteSize() * kernel.parameters().size())));
    }

    /**
     * One launch as the runtime received it.
     *
     * @param kernel the kernel
     * @param configuration its grid and block sizes
     * @param arguments the {@code void**} array of argument addresses
     */
    record Launch(GeneratedKernel kernel, LaunchConfiguration configuration, MemorySegment arguments) {
        /** The 8 bytes argument {@code i} points to, as a long (a device pointer or an i64). */
        long longArgument(int i) {
            return arguments.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(Long.BYTES).get(ValueLayout.JAVA_LONG, 0);
        }

        /** The 8 bytes argument {@code i} points to, as a double. */
        double doubleArgument(int i) {
            return arguments.getAtIndex(ValueLayout.ADDRESS, i).reinterpret(Double.BYTES).get(ValueLayout.JAVA_DOUBLE, 0);
        }
    }

    /** Thrown by an allocation {@link #failAllocations} made fail. */
    private static final class OutOfHostDeviceMemory extends RuntimeException {
        OutOfHostDeviceMemory(long bytes) {
            super("out of host device memory for " + bytes + " bytes");
        }
    }

    /** "Compiles" a kernel to its source and counts the compilations. */
    private static final class HostCompiler implements KernelCompiler {
        private final Map<String, GeneratedKernel> compiled = new HashMap<>();
        private int compilations;

        @Override
        public String moduleExtension() {
            return "src";
        }

        @Override
        public synchronized byte[] compile(GeneratedKernel kernel, String architecture) {
            compilations++;
            compiled.put(kernel.source(), kernel);
            return kernel.source().getBytes(StandardCharsets.UTF_8);
        }

        synchronized int compilations() {
            return compilations;
        }

        synchronized GeneratedKernel kernelOf(byte[] image) {
            GeneratedKernel kernel = compiled.get(new String(image, StandardCharsets.UTF_8));
            if (kernel == null) {
                throw new IllegalArgumentException("not a module the host compiler made");
            }
            return kernel;
        }
    }

    /** A column-major F32 GEMM on host memory, written as the BLAS defines it. */
    static final class HostBlas implements GpuBlas {
        @Override
        public MemorySegment createHandle(MemorySegment stream) {
            return stream;
        }

        @Override
        public void gemm(MemorySegment handle, StridedBatchedGemm.Call call) {
            if (call.dtype() != DType.F32) {
                throw new UnsupportedOperationException("the host GEMM computes f32 only, not " + call.dtype().shortName());
            }
            for (int batch = 0; batch < call.batch(); batch++) {
                for (int j = 0; j < call.n(); j++) {
                    for (int i = 0; i < call.m(); i++) {
                        float sum = 0;
                        for (int p = 0; p < call.k(); p++) {
                            sum += element(call.a(), batch * call.strideA() + i + (long) p * call.lda())
                                    * element(call.b(), batch * call.strideB() + p + (long) j * call.ldb());
                        }
                        memory(call.c() + (batch * call.strideC() + i + (long) j * call.ldc()) * Float.BYTES, Float.BYTES)
                                .set(ValueLayout.JAVA_FLOAT, 0, sum);
                    }
                }
            }
        }

        @Override
        public void destroyHandle(MemorySegment handle) {
        }

        private static float element(long base, long index) {
            return memory(base + index * Float.BYTES, Float.BYTES).get(ValueLayout.JAVA_FLOAT, 0);
        }
    }
}
