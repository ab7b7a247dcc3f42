package dev.crossbar.api;

import dev.crossbar.spi.memory.MemoryStats;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts, for the whole process, the tensors that are open and the device memory they hold, as PyTorch's
 * {@code torch.cuda.memory_allocated()}. Views share memory: a buffer counts once however many tensors use it.
 */
public final class MemoryAccounting {
    private static final AtomicLong TENSORS = new AtomicLong();
    private static final AtomicLong BUFFERS = new AtomicLong();
    private static final Map<Device, AtomicLong> BYTES = new ConcurrentHashMap<>();

    private MemoryAccounting() {
    }

    /**
     * A consistent-enough reading of the counters.
     *
     * @param liveTensors tensors created and not yet closed
     * @param liveBuffers device buffers held by open tensors
     * @param bytesByDevice bytes of those buffers, per device
     * @param allocator what the backend's allocator holds and has done (cached bytes, peak, cache hits), where the
     *     backend reports it; empty from {@link #snapshot()}, which knows no backend
     */
    public record Snapshot(long liveTensors, long liveBuffers, Map<Device, Long> bytesByDevice, Optional<MemoryStats> allocator) {
        /**
         * Returns this reading with a backend's allocator statistics.
         *
         * @param stats the backend's statistics, or empty
         * @return the reading
         */
        public Snapshot withAllocator(Optional<MemoryStats> stats) {
            return new Snapshot(liveTensors, liveBuffers, bytesByDevice, stats);
        }

        /**
         * Returns the bytes held on every device together.
         *
         * @return the total
         */
        public long liveBytes() {
            return bytesByDevice.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * Reads the counters.
     *
     * @return the current counts
     */
    public static Snapshot snapshot() {
        Map<Device, Long> bytes = new TreeMap<>(java.util.Comparator.comparing(Device::toString));
        BYTES.forEach((device, count) -> bytes.put(device, count.get()));
        return new Snapshot(TENSORS.get(), BUFFERS.get(), java.util.Collections.unmodifiableMap(bytes), Optional.empty());
    }

    static void tensorOpened() {
        TENSORS.incrementAndGet();
    }

    static void tensorClosed() {
        TENSORS.decrementAndGet();
    }

    /** Counts a new buffer and returns its device's byte counter, which the buffer passes to {@link #bufferFreed}. */
    static AtomicLong bufferAllocated(Device device, long bytes) {
        BUFFERS.incrementAndGet();
        AtomicLong deviceBytes = BYTES.computeIfAbsent(device, d -> new AtomicLong());
        deviceBytes.addAndGet(bytes);
        return deviceBytes;
    }

    static void bufferFreed(AtomicLong deviceBytes, long bytes) {
        BUFFERS.decrementAndGet();
        deviceBytes.addAndGet(-bytes);
    }
}
