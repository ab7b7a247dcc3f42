package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.memory.CachingAllocator;
import dev.crossbar.spi.memory.MemoryStats;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The vendor-independent GPU core ({@link StreamDevice}, {@link StreamBackend}) on {@link HostGpuRuntime}, a vendor
 * runtime over host memory that journals every call: what it asks of the vendor, in which order, with which
 * arguments, without a GPU.
 */
class StreamDeviceTest {
    @TempDir
    Path modules;

    private static long count(List<String> calls, String prefix) {
        return calls.stream().filter(c -> c.startsWith(prefix)).count();
    }

    @Test
    void aFreedBlockIsReusedOnItsStreamWithoutAskingTheRuntimeAgain() {
        HostGpuRuntime runtime = new HostGpuRuntime(1, true, stream -> true, modules);
        try (StreamDevice device = runtime.device(0)) {
            CachingAllocator.Block first = device.allocate(1000);
            device.free(first);
            CachingAllocator.Block second = device.allocate(1000);

            assertEquals(first.address(), second.address(), "the cached block is handed out again");
            assertEquals(List.of("allocateAsync " + CachingAllocator.sizeClass(1000) + " on stream " + device.stream().address()),
                    runtime.calls().stream().filter(c -> c.startsWith("allocate")).toList());
            MemoryStats stats = device.memoryStats();
            assertEquals(2, stats.requests());
            assertEquals(1, stats.cacheHits());
            assertEquals(1, stats.deviceAllocations());
            device.free(second);
        }
        assertEquals(1, count(runtime.calls(), "freeAsync"), "closing returns the cached block to the device");
    }

    @Test
    void aDeviceWithoutMemoryPoolsAllocatesAndFreesWithoutAStream() {
        HostGpuRuntime runtime = new HostGpuRuntime(1, false, stream -> true, modules);
        try (StreamDevice device = runtime.device(0)) {
            device.free(device.allocate(4096));
        }
        List<String> calls = runtime.calls();
        assertEquals(List.of("allocate 4096", "free"), calls.stream().filter(c -> c.startsWith("allocate") || c.startsWith("free")).toList());
    }

    @Test
    void anOutOfMemoryAllocationReturnsTheCacheToTheDeviceAndRetries() {
        HostGpuRuntime runtime = new HostGpuRuntime(1, true, stream -> true, modules);
        try (StreamDevice device = runtime.device(0)) {
            device.free(device.allocate(1000));
            runtime.failAllocations(1);

            CachingAllocator.Block block = device.allocate(100_000);

            long stream = device.stream().address();
            long size = CachingAllocator.sizeClass(100_000);
            List<String> calls = runtime.calls();
            assertEquals(List.of("allocateAsync " + size + " on stream " + stream, "freeAsync on stream " + stream, "allocateAsync " + size + " on stream " + stream),
                    calls.subList(calls.size() - 3, calls.size()));
            assertEquals(0, device.memoryStats().cachedBytes());
            device.free(block);

            runtime.failAllocations(2);
            RuntimeException failure = assertThrows(RuntimeException.class, () -> device.allocate(1 << 20));
            assertTrue(runtime.isOutOfMemory(failure), "the second failure, with nothing left to release, reaches the caller: " + failure);
        }
    }

    @Test
    void aCopyBetweenDevicesWaitsForTheSourceStreamAndHoldsTheSourceUntilCopied() {
        HostGpuRuntime runtime = new HostGpuRuntime(2, true, stream -> true, modules);
        StreamBackend backend = runtime.backend(() -> {
            throw new LibraryUnavailableException("no collectives in this test");
        });
        try (backend) {
            Device first = new Device(HostGpuRuntime.NAME, 0);
            Device second = new Device(HostGpuRuntime.NAME, 1);
            float[] values = {1, 2, 3, 4, 5, 6, 7, 8};
            DeviceBuffer source = backend.allocate(first, 32);
            DeviceBuffer destination = backend.allocate(second, 32);
            backend.copyFromHost(MemorySegment.ofArray(values), source, 0);

            backend.copy(source, 0, destination, 0, 32);

            long s0 = backend.deviceOf(first).stream().address();
            long s1 = backend.deviceOf(second).stream().address();
            List<String> calls = runtime.calls();
            List<String> copy = calls.subList(calls.indexOf(calls.stream().filter(c -> c.startsWith("createEvent")).findFirst().orElseThrow()), calls.size());
            long sourceWritten = Long.parseLong(copy.get(0).substring("createEvent ".length()));
            long copied = Long.parseLong(copy.get(4).substring("createEvent ".length()));
            assertEquals(List.of("createEvent " + sourceWritten, "recordEvent " + sourceWritten + " on stream " + s0,
                    "waitForEvent " + sourceWritten + " on stream " + s1, "copyPeer 32 bytes from device 0 to device 1 on stream " + s1,
                    "createEvent " + copied, "recordEvent " + copied + " on stream " + s1, "waitForEvent " + copied + " on stream " + s0,
                    "destroyEvent " + copied, "destroyEvent " + sourceWritten), copy);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment host = arena.allocate(32);
                backend.copyToHost(destination, 0, host);
                assertArrayEquals(values, host.toArray(ValueLayout.JAVA_FLOAT));
            }
            assertTrue(backend.communicators().isEmpty(), "a missing NCCL-API library leaves collectives to the runtime");
        }
    }

    @Test
    void aLaunchPacksTheArgumentsInParameterOrderAndCompilesEachSourceOnce() {
        HostGpuRuntime runtime = new HostGpuRuntime(2, true, stream -> true, modules);
        GeneratedKernel kernel = GeneratedKernel.of("scale", Dialect.CUDA, "extern \"C\" __global__ void scale_f64(double* out, long n, double by) {}",
                "scale_f64", List.of(new KernelParameter("out", KernelParameter.Type.POINTER), new KernelParameter("n", KernelParameter.Type.I64),
                        new KernelParameter("by", KernelParameter.Type.F64)));
        runtime.onLaunch("scale_f64", launch -> {
            assertEquals(LaunchConfiguration.of(launch.longArgument(1), HostGpuRuntime.LIMITS), launch.configuration());
            MemorySegment out = HostGpuRuntime.memory(launch.longArgument(0), launch.longArgument(1) * Double.BYTES);
            for (int i = 0; i < launch.longArgument(1); i++) {
                out.setAtIndex(ValueLayout.JAVA_DOUBLE, i, i * launch.doubleArgument(2));
            }
        });
        try (StreamDevice first = runtime.device(0); StreamDevice second = runtime.device(1); Arena arena = Arena.ofConfined()) {
            int n = 5000;
            CachingAllocator.Block out = first.allocate((long) n * Double.BYTES);
            first.launch(kernel, n, arguments -> arguments.pointer(out.address()).i64(n).f64(0.5));
            first.launch(kernel, n, arguments -> arguments.pointer(out.address()).i64(n).f64(0.25));
            MemorySegment host = arena.allocate((long) n * Double.BYTES);
            first.copyToHost(out.address(), host);
            for (int i = 0; i < n; i++) {
                assertEquals(i * 0.25, host.getAtIndex(ValueLayout.JAVA_DOUBLE, i), "element " + i);
            }
            CachingAllocator.Block other = second.allocate(Double.BYTES);
            second.launch(kernel, 1, arguments -> arguments.pointer(other.address()).i64(1).f64(3));
            first.launch(kernel, 0, arguments -> {
                throw new AssertionError("no arguments are packed for empty work");
            });

            assertEquals(1, runtime.compilations(), "the second device reads the module the first compiled");
            assertEquals(2, count(runtime.calls(), "loadModule"), "each device loads it once");
            assertEquals(3, count(runtime.calls(), "launch scale_f64"));
            first.free(out);
            second.free(other);
        }
        assertEquals(2, count(runtime.calls(), "unloadModule"));
    }

    @Test
    void aFaultWordBecomesTheTypedExceptionNamingThePosition() {
        HostGpuRuntime runtime = new HostGpuRuntime(1, true, stream -> true, modules);
        GeneratedKernel divide = new KernelGenerator(Dialect.CUDA).binary(Op.DIV, DType.I32);
        runtime.onLaunch(divide.entryPoint(), launch -> {
            long fault = launch.longArgument(divide.parameters().size() - 1);
            HostGpuRuntime.memory(fault, Long.BYTES).set(ValueLayout.JAVA_LONG, 0, 1 + 1);
        });
        StreamBackend backend = runtime.backend(() -> {
            throw new LibraryUnavailableException("no collectives in this test");
        });
        try (backend) {
            Device device = new Device(HostGpuRuntime.NAME, 0);
            GeneratedOps ops = new GeneratedOps(Dialect.CUDA, HostGpuRuntime.NAME);
            TensorView a = TensorView.contiguous(backend.allocate(device, 12), DType.I32, Shape.of(3));
            TensorView b = TensorView.contiguous(backend.allocate(device, 12), DType.I32, Shape.of(3));
            TensorView out = TensorView.contiguous(backend.allocate(device, 12), DType.I32, Shape.of(3));
            long allocated = backend.deviceOf(device).memoryStats().allocatedBytes();

            ArithmeticException e = assertThrows(ArithmeticException.class, () -> ops.binary(Op.DIV, out, a, b));

            assertTrue(e.getMessage().startsWith("div: integer division by zero at position [1] of i32"), e.getMessage());
            assertEquals(allocated, backend.deviceOf(device).memoryStats().allocatedBytes(), "the fault word's block is returned");
        }
    }
}
