package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.spi.TensorView;

/**
 * The sizes of a batched matrix product and its broadcast batch dims, as the matmul kernels read them.
 *
 * @param m rows of each product
 * @param n columns of each product
 * @param k the inner dimension
 * @param batches the number of products
 * @param batchDims the output's batch dims
 * @param aBatchStrides the strides of {@code a} along them (0 where broadcast)
 * @param bBatchStrides likewise for {@code b}
 */
record MatmulShape(int m, int n, int k, long batches, int[] batchDims, long[] aBatchStrides, long[] bBatchStrides) {

    static MatmulShape of(TensorView out, TensorView a, TensorView b) {
        int rank = out.shape().rank();
        int[] batchDims = new int[rank - 2];
        long[] aStrides = new long[rank - 2];
        long[] bStrides = new long[rank - 2];
        long batches = 1;
        for (int axis = 0; axis < rank - 2; axis++) {
            batchDims[axis] = out.shape().dim(axis);
            aStrides[axis] = a.stride(axis);
            bStrides[axis] = b.stride(axis);
            batches *= batchDims[axis];
        }
        return new MatmulShape(out.shape().dim(rank - 2), out.shape().dim(rank - 1), a.shape().dim(rank - 1), batches, batchDims, aStrides, bStrides);
    }

    /** Returns a cursor over the products whose positions 0 and 1 are the first elements of {@code a}'s and {@code b}'s matrices. */
    StridedCursor cursor(TensorView a, TensorView b) {
        return new StridedCursor(batchDims, new long[] {a.offset(), b.offset()}, aBatchStrides, bBatchStrides);
    }
}
