package com.example.opencl;

import com.example.opencl.internal.ffi.NativeOpenCl;
import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.Device;
import dev.crossbar.spi.DeviceBuffer;
import java.lang.foreign.MemorySegment;

/** A {@code cl_mem} of read-write device memory; released when closed, once the commands using it have finished. */
final class OpenClBuffer implements DeviceBuffer {
    private final NativeOpenCl cl;
    private final Device device;
    private final long byteSize;
    private final MemorySegment handle;
    private volatile boolean closed;

    OpenClBuffer(NativeOpenCl cl, Device device, long byteSize, MemorySegment handle) {
        this.cl = cl;
        this.device = device;
        this.byteSize = byteSize;
        this.handle = handle;
    }

    @Override
    public Device device() {
        return device;
    }

    @Override
    public long byteSize() {
        return byteSize;
    }

    /** The {@code cl_mem}, for kernel arguments and copies. */
    MemorySegment handle() {
        if (closed) {
            throw new AlreadyClosedException(this);
        }
        return handle;
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            cl.releaseBuffer(handle);
        }
    }

    @Override
    public String toString() {
        return "OpenClBuffer[" + byteSize + " bytes on " + device + "]";
    }
}
