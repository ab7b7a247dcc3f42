package dev.crossbar.spi.codegen;

import dev.crossbar.api.DType;
import dev.crossbar.api.Device;
import dev.crossbar.spi.CommunicatorFactory;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.KernelSet;
import dev.crossbar.spi.memory.CachingAllocator;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;

/**
 * A test double of a GPU backend: {@link StreamBackend} over {@link StreamDevice}s whose "device memory" is host memory
 * and whose stream is the {@link HostNccl} collectives queued for it. It runs no generated kernels, so only tensor
 * creation, copies, read-back and an F32 host GEMM standing in for the vendor BLAS work on it: enough to drive
 * {@link NcclGroup} through {@link NcclCommunicators} and {@link GeneratedKernels.Matmul} onto {@link StridedBatchedGemm}.
 */
class HostStreamBackend extends StreamBackend<HostStreamBackend.HostStreamDevice> {
    static final String NAME = "hoststream";
    private final HostNccl nccl;

    HostStreamBackend(int devices, HostNccl nccl) {
        super(NAME, IntStream.range(0, devices).mapToObj(i -> new HostStreamDevice(new Device(NAME, i), nccl)).toList(),
                KernelSet.of(NAME, ExecutionMode.EAGER, List.of()));
        this.nccl = nccl;
    }

    @Override
    public Optional<CommunicatorFactory> communicators() {
        return ncclCommunicators(() -> nccl);
    }

    @Override
    protected void copyFromHost(HostStreamDevice device, MemorySegment source, long destination) {
        MemorySegment.copy(source, 0, memory(destination, source.byteSize()), 0, source.byteSize());
    }

    @Override
    protected void copyWithin(HostStreamDevice device, long source, long destination, long byteCount) {
        MemorySegment.copy(memory(source, byteCount), 0, memory(destination, byteCount), 0, byteCount);
    }

    @Override
    protected void copyBetween(HostStreamDevice origin, long source, HostStreamDevice target, long destination, long byteCount) {
        copyWithin(target, source, destination, byteCount);
    }

    @SuppressWarnings("restricted") // addresses of this test's own allocations
    static MemorySegment memory(long address, long bytes) {
        return MemorySegment.ofAddress(address).reinterpret(bytes);
    }

    /** A device whose memory is host memory and whose stream is idle when {@link HostNccl} has nothing queued for it. */
    static final class HostStreamDevice extends StreamDevice {
        private final HostNccl nccl;
        private final MemorySegment stream;

        HostStreamDevice(Device device, HostNccl nccl) {
            super(device, new LaunchConfiguration.DeviceLimits(1024, 65535, 1, 2048), new HostMemory());
            this.nccl = nccl;
            this.stream = MemorySegment.ofAddress(device.index() + 1L);
        }

        @Override
        public void makeCurrent() {
        }

        @Override
        public MemorySegment stream() {
            return stream;
        }

        @Override
        public boolean isIdle() {
            return nccl.isIdle(stream);
        }

        @Override
        protected MemorySegment loadFunction(GeneratedKernel kernel) {
            throw new UnsupportedOperationException("the host stream test device runs no kernels: " + kernel.name());
        }

        @Override
        protected void launchFunction(MemorySegment function, LaunchConfiguration configuration, MemorySegment arguments) {
            throw new UnsupportedOperationException("the host stream test device runs no kernels");
        }

        /** A column-major F32 GEMM on host memory, written as the BLAS defines it. */
        @Override
        public Optional<StridedBatchedGemm> gemm() {
            return Optional.of(call -> {
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
            });
        }

        private static float element(long base, long index) {
            return memory(base + index * Float.BYTES, Float.BYTES).get(ValueLayout.JAVA_FLOAT, 0);
        }

        @Override
        public void zero(long address, long bytes) {
            memory(address, bytes).fill((byte) 0);
        }

        @Override
        public void copyToHost(long address, MemorySegment destination) {
            MemorySegment.copy(memory(address, destination.byteSize()), 0, destination, 0, destination.byteSize());
        }

        @Override
        public void close() {
            releaseCache();
        }
    }

    /** Host allocations, one shared arena each so that any rank thread may touch them. */
    private static final class HostMemory implements CachingAllocator.DeviceMemory {
        private final Map<Long, Arena> arenas = new ConcurrentHashMap<>();

        @Override
        public long allocate(long bytes) {
            Arena arena = Arena.ofShared();
            long address = arena.allocate(bytes, 16).address();
            arenas.put(address, arena);
            return address;
        }

        @Override
        public void free(long address) {
            arenas.remove(address).close();
        }

        @Override
        public boolean isOutOfMemory(RuntimeException failure) {
            return false;
        }
    }
}
