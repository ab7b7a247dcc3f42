package dev.crossbar.backend.cpu.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import dev.crossbar.api.DType;
import dev.crossbar.spi.ffi.LibraryUnavailableException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * oneDNN's matmul primitive over caller-owned memory with explicit strides, for F32 and BF16 operands with float
 * accumulation (BF16 runs on AMX where the CPU has it). A primitive is created once per element type, dims and
 * strides and kept for the life of the process, as oneDNN's own primitive cache does; a training loop uses a few.
 */
public final class OnednnMatmul {
    /** {@code DNNL_ARG_SRC}, {@code DNNL_ARG_WEIGHTS} and {@code DNNL_ARG_DST} of {@code dnnl_types.h}. */
    private static final int ARG_SRC = 1;
    private static final int ARG_WEIGHTS = 33;
    private static final int ARG_DST = 17;
    private static final int ARG_SCRATCHPAD = 80;

    private final NativeDnnl dnnl;
    private final MemorySegment engine;
    private final ConcurrentHashMap<Layout, Primitive> primitives = new ConcurrentHashMap<>();

    private OnednnMatmul(NativeDnnl dnnl) {
        this.dnnl = dnnl;
        this.engine = dnnl.engineCreate();
    }

    /**
     * Loads oneDNN 2 and creates its CPU engine.
     *
     * @return the matmul entry point
     * @throws LibraryUnavailableException if oneDNN 2 is missing or native access is denied
     * @throws DnnlException if the engine cannot be created
     */
    public static OnednnMatmul open() {
        return new OnednnMatmul(NativeDnnl.open());
    }

    /**
     * Returns oneDNN's version.
     *
     * @return major.minor.patch
     */
    public String version() {
        int[] v = dnnl.version();
        return String.format(Locale.ROOT, "%d.%d.%d", v[0], v[1], v[2]);
    }

    /**
     * Tells whether an element type is served.
     *
     * @param type the operands' and result's type
     * @return true for F32 and BF16
     */
    public static boolean serves(DType type) {
        return type == DType.F32 || type == DType.BF16;
    }

    /**
     * Names the implementation oneDNN picks for a row-major {@code n x n} product, such as {@code brg:avx512_core_amx_bf16}.
     *
     * @param type F32 or BF16
     * @param n the size
     * @return the implementation's name
     */
    public String implementation(DType type, int n) {
        long[] dims = {n, n};
        long[] strides = {n, 1};
        Primitive primitive = primitive(new Layout(dataType(type), dims, strides, dims, strides, dims, strides));
        return primitive.implementation();
    }

    /**
     * Computes {@code out = a b} for operands of {@code dims.length >= 2} dims, the last two the matrix, each with its
     * own strides in elements; batch dims of {@code a} and {@code b} are either the output's or 1 (broadcast).
     *
     * @param type the element type of all three, F32 or BF16 (accumulation is in float)
     * @param aDims dims of a, {@code [..., m, k]}
     * @param aStrides strides of a
     * @param a the first element of a
     * @param bDims dims of b, {@code [..., k, n]}
     * @param bStrides strides of b
     * @param b the first element of b
     * @param outDims dims of the output, {@code [..., m, n]}
     * @param outStrides strides of the output
     * @param out the first element of the output
     * @throws DnnlException if oneDNN rejects the shapes or fails
     */
    public void multiply(DType type, long[] aDims, long[] aStrides, MemorySegment a, long[] bDims, long[] bStrides, MemorySegment b,
                         long[] outDims, long[] outStrides, MemorySegment out) {
        if (!serves(type)) {
            throw new IllegalArgumentException("oneDNN matmul is bound for F32 and BF16, not " + type);
        }
        if (outDims.length > NativeDnnl.MAX_DIMS) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "oneDNN takes at most %d dims, got %d", NativeDnnl.MAX_DIMS, outDims.length));
        }
        Primitive primitive = primitive(new Layout(dataType(type), aDims, aStrides, bDims, bStrides, outDims, outStrides));
        Execution execution = primitive.idle().getAndSet(null);
        if (execution == null) {
            execution = new Execution(primitive);
        }
        try {
            execution.run(a, b, out);
        } finally {
            if (!primitive.idle().compareAndSet(null, execution)) {
                execution.close();
            }
        }
    }

    /**
     * What one call of a primitive needs besides it: a stream, the three memory objects (pointed at each call's
     * operands with {@code dnnl_memory_set_data_handle}), its own scratchpad and the argument array. Each primitive
     * keeps one idle execution for the next call, so that steady state creates and allocates nothing; a concurrent call
     * (FSDP's rank threads share primitives) makes its own and destroys it afterwards, so no two calls ever share a
     * scratchpad.
     */
    private final class Execution implements AutoCloseable {
        private final Arena arena = Arena.ofShared();
        private final MemorySegment stream;
        private final MemorySegment[] memories = new MemorySegment[4];
        private final MemorySegment arguments;
        private final MemorySegment primitive;

        Execution(Primitive primitive) {
            this.primitive = primitive.primitive();
            try {
                stream = dnnl.streamCreate(engine, arena);
                MemorySegment[] descriptors = {primitive.source(), primitive.weights(), primitive.destination(), primitive.scratchpad()};
                for (int i = 0; i < 3; i++) {
                    memories[i] = dnnl.memoryCreate(descriptors[i], engine, MemorySegment.NULL, arena);
                }
                memories[3] = dnnl.memoryCreate(primitive.scratchpad(), engine, arena.allocate(Math.max(1, primitive.scratchpadBytes()), 64), arena);
                arguments = arena.allocate(NativeDnnl.EXEC_ARG, 4);
                int[] kinds = {ARG_SRC, ARG_WEIGHTS, ARG_DST, ARG_SCRATCHPAD};
                for (int i = 0; i < 4; i++) {
                    MemorySegment argument = arguments.asSlice(i * NativeDnnl.EXEC_ARG.byteSize(), NativeDnnl.EXEC_ARG);
                    argument.set(JAVA_INT, 0, kinds[i]);
                    argument.set(ADDRESS, 8, memories[i]);
                }
            } catch (RuntimeException e) {
                close();
                throw e;
            }
        }

        void run(MemorySegment a, MemorySegment b, MemorySegment out) {
            dnnl.memorySetDataHandle(memories[0], a);
            dnnl.memorySetDataHandle(memories[1], b);
            dnnl.memorySetDataHandle(memories[2], out);
            dnnl.primitiveExecute(primitive, stream, 4, arguments);
            dnnl.streamWait(stream);
        }

        @Override
        public void close() {
            try {
                for (MemorySegment memory : memories) {
                    if (memory != null) {
                        dnnl.memoryDestroy(memory);
                    }
                }
                if (stream != null) {
                    dnnl.streamDestroy(stream);
                }
            } finally {
                arena.close();
            }
        }
    }

    private Primitive primitive(Layout layout) {
        return primitives.computeIfAbsent(layout, this::create);
    }

    private Primitive create(Layout layout) {
        // The descriptors must outlive the primitive: memory objects are created from them at every call.
        Arena arena = Arena.global();
        MemorySegment source = arena.allocate(NativeDnnl.MEMORY_DESC_BYTES, 8);
        MemorySegment weights = arena.allocate(NativeDnnl.MEMORY_DESC_BYTES, 8);
        MemorySegment destination = arena.allocate(NativeDnnl.MEMORY_DESC_BYTES, 8);
        MemorySegment scratchpad = arena.allocate(NativeDnnl.MEMORY_DESC_BYTES, 8);
        dnnl.memoryDescInitByStrides(source, layout.aDims(), layout.dataType(), layout.aStrides());
        dnnl.memoryDescInitByStrides(weights, layout.bDims(), layout.dataType(), layout.bStrides());
        dnnl.memoryDescInitByStrides(destination, layout.outDims(), layout.dataType(), layout.outStrides());
        try (Arena scratch = Arena.ofConfined()) {
            MemorySegment operation = scratch.allocate(NativeDnnl.MATMUL_DESC_BYTES, 8);
            dnnl.matmulDescInit(operation, source, weights, destination);
            MemorySegment primitiveDesc = dnnl.primitiveDescCreate(operation, engine, "for a matmul of " + layout);
            try {
                long scratchpadBytes = dnnl.scratchpad(primitiveDesc, scratchpad);
                return new Primitive(dnnl.primitiveCreate(primitiveDesc), dnnl.implementation(primitiveDesc), source, weights, destination,
                        scratchpad, scratchpadBytes, new AtomicReference<>());
            } finally {
                dnnl.primitiveDescDestroy(primitiveDesc);
            }
        }
    }

    private static int dataType(DType type) {
        // dnnl_data_type_t: dnnl_bf16 = 2, dnnl_f32 = 3.
        return type == DType.BF16 ? 2 : 3;
    }

    /**
     * A created primitive, the name of its implementation, the memory descriptors it was made for, its scratchpad's
     * descriptor and size, and the execution kept for its next call (null while one is running).
     */
    private record Primitive(MemorySegment primitive, String implementation, MemorySegment source, MemorySegment weights,
                             MemorySegment destination, MemorySegment scratchpad, long scratchpadBytes, AtomicReference<Execution> idle) {
    }

    /** What a primitive is specific to: the element type and every operand's dims and strides. */
    private record Layout(int dataType, long[] aDims, long[] aStrides, long[] bDims, long[] bStrides, long[] outDims, long[] outStrides) {
        Layout {
            aDims = aDims.clone();
            aStrides = aStrides.clone();
            bDims = bDims.clone();
            bStrides = bStrides.clone();
            outDims = outDims.clone();
            outStrides = outStrides.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Layout l && l.dataType == dataType && Arrays.equals(l.aDims, aDims) && Arrays.equals(l.aStrides, aStrides)
                    && Arrays.equals(l.bDims, bDims) && Arrays.equals(l.bStrides, bStrides) && Arrays.equals(l.outDims, outDims)
                    && Arrays.equals(l.outStrides, outStrides);
        }

        @Override
        public int hashCode() {
            return dataType + 31 * (Arrays.hashCode(aDims) + 31 * (Arrays.hashCode(aStrides) + 31 * (Arrays.hashCode(bDims)
                    + 31 * (Arrays.hashCode(bStrides) + 31 * (Arrays.hashCode(outDims) + 31 * Arrays.hashCode(outStrides))))));
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "dnnl_data_type_t %d, a %s/%s, b %s/%s, out %s/%s", dataType, Arrays.toString(aDims),
                    Arrays.toString(aStrides), Arrays.toString(bDims), Arrays.toString(bStrides), Arrays.toString(outDims), Arrays.toString(outStrides));
        }
    }
}
