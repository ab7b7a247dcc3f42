package dev.crossbar.spi;

import dev.crossbar.api.Device;
import java.lang.foreign.MemorySegment;
import java.util.Locale;
import java.util.Optional;

/**
 * Memory a backend allocated on one of its devices. The API shares one buffer among a tensor and its views and closes
 * it when the last of them closes.
 */
public interface DeviceBuffer extends AutoCloseable {
    /**
     * Returns the device the memory lives on.
     *
     * @return the device
     */
    Device device();

    /**
     * Returns the size of the memory.
     *
     * @return bytes
     */
    long byteSize();

    /**
     * Returns the memory as a host segment when the device's memory is host memory (the cpu backend), so it can be
     * read, written and exported without copies.
     *
     * @return the segment, or empty for device memory
     */
    default Optional<MemorySegment> hostSegment() {
        return Optional.empty();
    }

    /**
     * Checks that a range of bytes lies within this buffer, as every copy a backend makes must.
     *
     * @param offset the range's first byte
     * @param byteCount the range's length
     * @throws IndexOutOfBoundsException naming the range and the buffer, if it does not fit
     */
    default void checkRange(long offset, long byteCount) {
        if (offset < 0 || byteCount < 0 || offset > byteSize() - byteCount) {
            throw new IndexOutOfBoundsException(String.format(Locale.ROOT, "%d bytes at offset %d do not fit in %s of %d bytes", byteCount, offset, this,
                    byteSize()));
        }
    }

    /** Frees the memory. Called exactly once, by the API. */
    @Override
    void close();
}
