package dev.crossbar.backend.cpu.kernel;

import static dev.crossbar.api.DType.BF16;
import static dev.crossbar.api.DType.F16;
import static dev.crossbar.api.DType.F32;
import static dev.crossbar.api.DType.F64;

import dev.crossbar.spi.Kernel;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.Philox;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.kernel.RngKernel;

/** Draws uniform and normal numbers exactly as {@link Philox} maps its words, computed in double, rounded to the type. */
@Kernel(op = Op.RNG_UNIFORM, dtypes = {F32, F64, F16, BF16})
@Kernel(op = Op.RNG_NORMAL, dtypes = {F32, F64, F16, BF16})
final class CpuRngKernel implements RngKernel {
    private static final int WORDS_PER_BLOCK = 4;
    private static final long WORK_PER_ELEMENT = 8;

    @Override
    public void random(Op op, TensorView out, long seed, long offset, double a, double b) {
        if (op != Op.RNG_UNIFORM && op != Op.RNG_NORMAL) {
            throw KernelArguments.notServed(op, "rng");
        }
        boolean uniform = op == Op.RNG_UNIFORM;
        HostTensor o = HostTensor.of(out);
        KernelPool.forEachRange(out.size(), WORK_PER_ELEMENT, (start, end) -> {
            int[] words = new int[WORDS_PER_BLOCK];
            double[] normals = new double[WORDS_PER_BLOCK];
            StridedCursor cursor = StridedCursor.over(out);
            cursor.seek(start);
            for (long i = start; i < end; i++) {
                int word = (int) (i % WORDS_PER_BLOCK);
                if (word == 0 || i == start) {
                    Philox.block(seed, offset + i / WORDS_PER_BLOCK, words);
                    if (!uniform) {
                        Philox.normals(words, normals);
                    }
                }
                double value = uniform ? a + (b - a) * Philox.uniform(words[word]) : a + b * normals[word];
                o.store(cursor.position(0), value);
                cursor.advance();
            }
        });
    }
}
