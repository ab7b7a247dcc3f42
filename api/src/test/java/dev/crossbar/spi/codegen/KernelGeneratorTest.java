package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Op;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class KernelGeneratorTest {
    private final KernelGenerator cuda = new KernelGenerator(Dialect.CUDA);

    @Test
    void generatedSourceIsDeterministicAndHashed() {
        List<GeneratedKernel> first = cuda.allKernels();
        List<GeneratedKernel> second = new KernelGenerator(Dialect.CUDA).allKernels();
        assertEquals(first, second);
        GeneratedKernel add = cuda.binary(Op.ADD, DType.F32);
        assertEquals(64, add.sha256().length());
        assertThrows(IllegalArgumentException.class,
                () -> new GeneratedKernel(add.name(), add.dialect(), add.source() + " ", add.entryPoint(), add.parameters(), add.sha256()));
        assertNotEquals(add.sha256(), new KernelGenerator(Dialect.HIP).binary(Op.ADD, DType.F32).sha256());
    }

    @Test
    void everySupportedCellHasKernelsWithDistinctEntryPoints() {
        int cells = 0;
        for (Op op : Op.values()) {
            for (DType dtype : DType.values()) {
                if (KernelGenerator.supports(op, dtype)) {
                    assertFalse(cuda.kernelsFor(op, dtype).isEmpty(), op + " " + dtype);
                    cells++;
                }
            }
        }
        long admittedOutsideMatmul = 0;
        for (Op op : Op.values()) {
            admittedOutsideMatmul += op == Op.DOT_GENERAL ? 0 : op.admitted().stream().filter(d -> !d.isStorageOnly()).count();
        }
        assertEquals(admittedOutsideMatmul, cells, "every admitted cell but dot_general's and the FP8 ones");
        List<GeneratedKernel> all = cuda.allKernels();
        Set<String> entryPoints = new HashSet<>();
        all.forEach(kernel -> assertTrue(entryPoints.add(kernel.entryPoint()), kernel.entryPoint()));
        long computed = Arrays.stream(DType.values()).filter(d -> !d.isStorageOnly()).count();
        assertEquals(computed * computed, all.stream().filter(kernel -> kernel.entryPoint().startsWith("cb_cast_")).count());
    }

    @Test
    void unsupportedCellsAreRefusedWithTheReason() {
        assertFalse(KernelGenerator.supports(Op.DOT_GENERAL, DType.F32));
        IllegalArgumentException matmul = assertThrows(IllegalArgumentException.class, () -> cuda.kernelsFor(Op.DOT_GENERAL, DType.F32));
        assertTrue(matmul.getMessage().contains("vendor's BLAS"), matmul.getMessage());
        IllegalArgumentException boolExp = assertThrows(IllegalArgumentException.class, () -> cuda.unary(Op.EXP, DType.BOOL));
        assertTrue(boolExp.getMessage().startsWith("no generated kernel for exp on bool"), boolExp.getMessage());
        assertThrows(IllegalArgumentException.class, () -> cuda.unary(Op.ADD, DType.F32));
        assertThrows(IllegalArgumentException.class, () -> cuda.gather(DType.F32, DType.I8));
        assertFalse(KernelGenerator.supports(Op.CAST, DType.F8E4M3FN));
        IllegalArgumentException fp8 = assertThrows(IllegalArgumentException.class, () -> cuda.cast(DType.F32, DType.F8E5M2));
        assertTrue(fp8.getMessage().contains("no FP8 conversions"), fp8.getMessage());
    }

    @Test
    void matmulFallbackSumsOverKInTheAccumulatorType() {
        GeneratedKernel bf16 = cuda.matmul(DType.BF16);
        assertEquals("cb_dot_general_bf16", bf16.entryPoint());
        assertEquals(List.of("n", "dims", "out", "out_layout", "a", "a_layout", "b", "b_layout", "k", "a_k_stride", "b_k_stride"),
                bf16.parameters().stream().map(KernelParameter::name).toList());
        assertTrue(bf16.source().contains("float acc = 0;"), bf16.source());
        assertTrue(bf16.source().contains("acc += cb_bf16_to_f32(a[a_at + j * a_k_stride]) * cb_bf16_to_f32(b[b_at + j * b_k_stride]);"), bf16.source());
        GeneratedKernel i32 = cuda.matmul(DType.I32);
        assertTrue(i32.source().contains("acc += (cb_u32)a[a_at + j * a_k_stride] * (cb_u32)b[b_at + j * b_k_stride];"), i32.source());
        assertTrue(i32.source().contains("out[out_at] = ((cb_i32)acc);"), i32.source());
        IllegalArgumentException bool = assertThrows(IllegalArgumentException.class, () -> cuda.matmul(DType.BOOL));
        assertTrue(bool.getMessage().startsWith("no generated kernel for dot_general on bool"), bool.getMessage());
    }

    @Test
    void binaryKernelTakesShapeAndOneLayoutPerOperand() {
        GeneratedKernel add = cuda.binary(Op.ADD, DType.F32);
        assertEquals("cb_add_f32", add.entryPoint());
        assertTrue(add.source().contains("""
                extern "C" __global__ void cb_add_f32(
                    cb_i64 n,
                    cb_dims dims,
                    float* out,
                    cb_layout out_layout,
                    const float* a,
                    cb_layout a_layout,
                    const float* b,
                    cb_layout b_layout) {
                  for (cb_i64 i = (cb_i64)blockIdx.x * blockDim.x + threadIdx.x; i < n; i += (cb_i64)blockDim.x * gridDim.x) {
                    cb_i64 out_at = out_layout.offset;
                    cb_i64 a_at = a_layout.offset;
                    cb_i64 b_at = b_layout.offset;
                """), add.source());
        assertEquals(List.of(
                new KernelParameter("n", KernelParameter.Type.I64), new KernelParameter("dims", KernelParameter.Type.DIMS),
                new KernelParameter("out", KernelParameter.Type.POINTER), new KernelParameter("out_layout", KernelParameter.Type.LAYOUT),
                new KernelParameter("a", KernelParameter.Type.POINTER), new KernelParameter("a_layout", KernelParameter.Type.LAYOUT),
                new KernelParameter("b", KernelParameter.Type.POINTER), new KernelParameter("b_layout", KernelParameter.Type.LAYOUT)), add.parameters());
    }

    @Test
    void halfPrecisionIsRawBitsWithGeneratedConversions() {
        String source = cuda.binary(Op.MUL, DType.F16).source();
        assertTrue(source.contains("cb_u16* out"), source);
        assertTrue(source.contains("out[out_at] = cb_f32_to_f16(x * y);"), source);
        assertFalse(source.contains("#include"), "the source must not depend on vendor headers");
        assertFalse(source.contains("__half"), "the source must not depend on vendor half types");
    }

    @Test
    void integerDivisionWrapsAndReportsZeroDivisors() {
        GeneratedKernel div = cuda.binary(Op.DIV, DType.I32);
        assertTrue(div.source().contains("if (y == 0) { fault[0] = i + 1; out[out_at] = 0; }"), div.source());
        assertTrue(div.source().contains("y == -1 ? (cb_i32)((cb_u32)0 - (cb_u32)x) : x / y"), div.source());
        assertEquals(new KernelParameter("fault", KernelParameter.Type.POINTER), div.parameters().getLast());
        assertFalse(cuda.binary(Op.DIV, DType.F32).source().contains("fault"));
    }

    @Test
    void scatterAddUsesNativeAtomicsOrACompareAndSwapLoop() {
        assertTrue(cuda.scatterAdd(DType.F32, DType.I64).source().contains("atomicAdd(&out[out_at + at * axis_stride], src[src_at]);"));
        assertTrue(cuda.scatterAdd(DType.I64, DType.I32).source().contains("atomicAdd((cb_u64*)&out[out_at + at * axis_stride], (cb_u64)src[src_at]);"));
        assertTrue(cuda.scatterAdd(DType.BF16, DType.I32).source().contains("cb_atomic_add_bf16(&out[out_at + at * axis_stride], cb_bf16_to_f32(src[src_at]));"));
    }

    @Test
    void preludeIsIncludeGuardedSoKernelsShareATranslationUnit() {
        String source = cuda.fill(DType.BF16).source();
        assertTrue(source.startsWith("#ifndef CROSSBAR_PRELUDE\n#define CROSSBAR_PRELUDE\n"));
        assertEquals(1, source.split("#endif", -1).length - 1);
    }

    @Test
    void openClSourcesUseAddressSpacesWorkItemIdsAndCompareAndSwapFloatAtomics() {
        KernelGenerator opencl = new KernelGenerator(Dialect.OPENCL);
        String add = opencl.binary(Op.ADD, DType.F32).source();
        assertTrue(add.startsWith("#pragma OPENCL EXTENSION cl_khr_fp64 : enable\n#pragma OPENCL EXTENSION cl_khr_int64_base_atomics : enable\n"), add);
        assertTrue(add.contains("typedef long cb_i64;") && add.contains("typedef unsigned long cb_u64;"), "OpenCL C's long is 64 bits");
        assertTrue(add.contains("__kernel void cb_add_f32(") && add.contains("__global float* out") && add.contains("const __global float* a"), add);
        assertTrue(add.contains("for (cb_i64 i = (cb_i64)get_global_id(0); i < n; i += (cb_i64)get_global_size(0))"), add);
        assertFalse(add.contains("extern \"C\"") || add.contains("blockIdx") || add.contains("__device__"), add);
        assertTrue(opencl.unary(Op.EXP, DType.F32).source().contains("out[out_at] = (exp(x));"), "OpenCL overloads math functions for float");
        assertTrue(opencl.scatterAdd(DType.F32, DType.I64).source().contains("cb_atomic_add_f32(&out[out_at + at * axis_stride], src[src_at]);"));
        assertTrue(opencl.scatterAdd(DType.F64, DType.I64).source().contains("old = atom_cmpxchg(word, assumed, as_ulong(as_double(assumed) + value));"));
        assertTrue(opencl.scatterAdd(DType.I64, DType.I32).source().contains("atom_add((__global cb_u64*)&out[out_at + at * axis_stride], (cb_u64)src[src_at]);"));
        assertTrue(opencl.scatterAdd(DType.I32, DType.I32).source().contains("atomic_add(&out[out_at + at * axis_stride], src[src_at]);"));
        assertTrue(opencl.prelude().contains("static inline cb_u16 cb_f32_to_f16(float value)"), "the prelude is public for backends' own kernels");
    }
}
