package dev.crossbar.spi.codegen;

import java.lang.foreign.MemorySegment;

/** A vendor BLAS (cuBLAS, rocBLAS) as a {@link StreamDevice} uses it: one handle per device, bound to its stream. */
public interface GpuBlas {
    /**
     * Creates a handle whose work is queued on a stream; the stream's device is current.
     *
     * @param stream the stream
     * @return the handle
     */
    MemorySegment createHandle(MemorySegment stream);

    /**
     * Queues a column-major strided batched GEMM; the handle's device is current.
     *
     * @param handle a handle from {@link #createHandle}
     * @param call the operands
     */
    void gemm(MemorySegment handle, StridedBatchedGemm.Call call);

    /**
     * Destroys a handle.
     *
     * @param handle the handle
     */
    void destroyHandle(MemorySegment handle);
}
