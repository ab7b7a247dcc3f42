package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.DType;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.LayerNormKernel;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Layer normalization of contiguous F32 or BF16 rows with the vector loops (it declines without them): rows in
 * parallel, each normalized in F32 by {@link FusedFloatLoops}; BF16 rows are widened exactly and rounded once. The
 * weight's and bias's gradients are summed per block of rows, a fixed number of blocks, then over the blocks in order,
 * so they do not depend on how the pool splits the work.
 */
final class CpuLayerNormKernel implements LayerNormKernel {
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED;
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED;

    @Override
    public boolean serves(TensorView in, TensorView weight, TensorView bias) {
        DType type = in.dtype();
        if (!Simd.AVAILABLE || (type != DType.F32 && type != DType.BF16) || in.shape().rank() < 1 || in.size() == 0) {
            return false;
        }
        int d = in.shape().dim(in.shape().rank() - 1);
        for (TensorView parameter : new TensorView[] {weight, bias}) {
            if (parameter.dtype() != type || parameter.shape().rank() != 1 || parameter.shape().dim(0) != d || !parameter.isContiguous()) {
                return false;
            }
        }
        return in.isContiguous();
    }

    @Override
    public void forward(TensorView out, TensorView in, TensorView weight, TensorView bias, double eps) {
        MemorySegment o = HostTensor.of(out).memory();
        MemorySegment x = HostTensor.of(in).memory();
        int d = in.shape().dim(in.shape().rank() - 1);
        long po = out.offset();
        long px = in.offset();
        float epsilon = (float) eps;
        if (in.dtype() == DType.F32) {
            MemorySegment w = HostTensor.of(weight).memory();
            MemorySegment b = HostTensor.of(bias).memory();
            long pw = weight.offset();
            long pb = bias.offset();
            KernelPool.forEachRange(in.size() / d, 8L * d, (start, end) -> {
                for (long row = start; row < end; row++) {
                    FusedFloatLoops.layerNormRow(o, po + row * d, x, px + row * d, w, pw, b, pb, d, epsilon);
                }
            });
            return;
        }
        MemorySegment parameters = FusedFloatLoops.parameters().floats(2L * d);
        VectorFloatLoops.bf16ToFloat(parameters, 0, HostTensor.of(weight).memory(), weight.offset(), d);
        VectorFloatLoops.bf16ToFloat(parameters, d, HostTensor.of(bias).memory(), bias.offset(), d);
        KernelPool.forEachRange(in.size() / d, 8L * d, (start, end) -> {
            MemorySegment row = FusedFloatLoops.rows().floats(2L * d);
            for (long r = start; r < end; r++) {
                VectorFloatLoops.bf16ToFloat(row, 0, x, px + r * d, d);
                FusedFloatLoops.layerNormRow(row, d, row, 0, parameters, 0, parameters, d, d, epsilon);
                VectorFloatLoops.floatToBf16(o, po + r * d, row, d, d);
            }
        });
    }

    @Override
    public void backward(TensorView gradIn, TensorView gradWeight, TensorView gradBias, TensorView gradOut, TensorView in, TensorView weight,
            double eps) {
        MemorySegment o = HostTensor.of(gradIn).memory();
        MemorySegment g = HostTensor.of(gradOut).memory();
        MemorySegment x = HostTensor.of(in).memory();
        int d = in.shape().dim(in.shape().rank() - 1);
        long rows = in.size() / d;
        long po = gradIn.offset();
        long pg = gradOut.offset();
        long px = in.offset();
        float epsilon = (float) eps;
        boolean bf16 = in.dtype() == DType.BF16;
        MemorySegment w;
        long pw;
        if (bf16) {
            w = FusedFloatLoops.parameters().floats(d);
            pw = 0;
            VectorFloatLoops.bf16ToFloat(w, 0, HostTensor.of(weight).memory(), weight.offset(), d);
        } else {
            w = HostTensor.of(weight).memory();
            pw = weight.offset();
        }
        int blocks = (int) Math.min(rows, 4L * KernelPool.parallelism());
        float[][] partials = new float[blocks][2 * d];
        KernelPool.forEachRange(blocks, 12L * d * (rows / blocks), (start, end) -> {
            MemorySegment row = bf16 ? FusedFloatLoops.rows().floats(3L * d) : null;
            for (long block = start; block < end; block++) {
                float[] partial = partials[(int) block];
                for (long r = rows * block / blocks; r < rows * (block + 1) / blocks; r++) {
                    if (bf16) {
                        VectorFloatLoops.bf16ToFloat(row, 0, x, px + r * d, d);
                        VectorFloatLoops.bf16ToFloat(row, d, g, pg + r * d, d);
                        FusedFloatLoops.layerNormBackwardRow(row, 2L * d, row, d, row, 0, w, pw, partial, d, epsilon);
                        VectorFloatLoops.floatToBf16(o, po + r * d, row, 2L * d, d);
                    } else {
                        FusedFloatLoops.layerNormBackwardRow(o, po + r * d, g, pg + r * d, x, px + r * d, w, pw, partial, d, epsilon);
                    }
                }
            }
        });
        MemorySegment dw = HostTensor.of(gradWeight).memory();
        MemorySegment db = HostTensor.of(gradBias).memory();
        for (int j = 0; j < d; j++) {
            double weightSum = 0;
            double biasSum = 0;
            for (float[] partial : partials) {
                weightSum += partial[j];
                biasSum += partial[d + j];
            }
            if (bf16) {
                dw.setAtIndex(SHORT, gradWeight.offset() + j, HalfFloats.doubleToBf16(weightSum));
                db.setAtIndex(SHORT, gradBias.offset() + j, HalfFloats.doubleToBf16(biasSum));
            } else {
                dw.setAtIndex(FLOAT, gradWeight.offset() + j, (float) weightSum);
                db.setAtIndex(FLOAT, gradBias.offset() + j, (float) biasSum);
            }
        }
    }
}
