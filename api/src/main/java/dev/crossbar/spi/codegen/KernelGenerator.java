package dev.crossbar.spi.codegen;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Op;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes the C source of Crossbar's element-wise, reduction, layout, indexing and random-number kernels in one
 * {@link Dialect}, with the semantics of the kernel interfaces in {@code dev.crossbar.spi.kernel} and of the cpu
 * backend.
 *
 * <p><b>Calling convention.</b> Every kernel is a grid-stride loop, so any grid and block size covers the work; the
 * work count is {@code n} (elements of the iterated shape) except for rng, whose threads draw Philox blocks of four
 * elements. Shapes travel as {@link ShapeDescriptor}s ({@code cb_dims}) and each operand as a
 * {@link LayoutDescriptor} ({@code cb_layout}: offset and strides in elements over the iterated shape, 0 for
 * broadcast axes), so one kernel serves every rank up to {@link ShapeDescriptor#MAX_RANK}, every broadcast and every
 * strided view. Outputs are written through their layout too. {@link GeneratedKernel#parameters()} lists each
 * kernel's parameters in order.
 *
 * <p><b>Failures.</b> Kernels that can meet bad input (integer division by zero, out-of-range gather and scatter
 * indices) take a {@code cb_i64* fault} word, which the backend zeroes before the launch; a failing element stores
 * 1 + its row-major position there (one of them, if several fail) and writes nothing (division writes 0). The backend
 * reads the word after the launch and throws the exception the cpu backend would.
 *
 * <p><b>Numerics</b>, against the cpu backend:
 * <ul>
 *   <li>F16 and BF16 are stored as raw 16 bits and converted by functions in the generated source (round to nearest
 *       even), so no vendor half-precision header is needed; element-wise ops on them compute in float and round
 *       once, which equals the cpu's double computation for add, sub, mul, div and sqrt.</li>
 *   <li>F32 element-wise ops compute in float: add, sub, mul, div and sqrt round exactly as the cpu does; exp, log,
 *       tanh, logistic, sin, cos, erf, pow and rsqrt use the vendor's float functions and may differ from the cpu's
 *       double-then-round results by the vendor's documented ulp bounds (CUDA: 1 to 4 ulp).</li>
 *   <li>Casts, fill, pad values, reductions and rng go through double (floats) or 64-bit integers exactly as the cpu
 *       does: casts truncate toward zero, saturate and map NaN to 0; sums accumulate in double (floats) or wrapping
 *       64-bit integers in row-major order of the reduced axes, so they are bit-identical to the cpu's.</li>
 *   <li>Max and min follow Java: NaN wins and -0 is below +0; pow follows Java's special cases; integer arithmetic
 *       wraps; integer division truncates toward zero and {@code MIN / -1} wraps to {@code MIN}.</li>
 *   <li>NaN payloads: converting a NaN to F16 gives the quiet NaN {@code 0x7E00} with its sign (the cpu keeps the
 *       payload's high bits).</li>
 *   <li>scatter_add uses atomics (atomicAdd for F32, F64, I32, I64 in CUDA and HIP; in OpenCL atomic_add and atom_add
 *       for I32 and I64 and compare-and-swap loops for F32 and F64; a compare-and-swap loop on the containing 32-bit
 *       word for F16, BF16 and I8), so colliding float additions happen in an unspecified order, where the cpu adds
 *       in row-major order of the index.</li>
 *   <li>rng_uniform is bit-identical to {@link dev.crossbar.spi.Philox}; rng_normal uses the device's double
 *       {@code log}, {@code sin} and {@code cos}, within an ulp of Java's, so rounded to F32 or narrower the values
 *       agree except at rare rounding ties.</li>
 * </ul>
 *
 * <p>The generated text depends only on the dialect and the method's arguments, so its hash is a stable cache key.
 * {@link Op#DOT_GENERAL} is not among {@link #kernelsFor}: GPU backends serve it with the vendor's BLAS, and
 * {@link #matmul} is the plain fallback for the types or machines that BLAS does not cover.
 */
public final class KernelGenerator {
    /** The number of inputs one concat launch joins; backends join longer lists in windows of this many. */
    public static final int CONCAT_INPUTS = 8;

    private static final List<DType> INDEX_TYPES = List.of(DType.I32, DType.I64);
    private static final String TWO_POW_MINUS_24 = "5.9604644775390625e-8";

    private final Dialect dialect;
    private final String prelude;

    /**
     * Creates a generator for one dialect.
     *
     * @param dialect the dialect to write
     */
    public KernelGenerator(Dialect dialect) {
        this.dialect = dialect;
        this.prelude = Prelude.source(dialect);
    }

    /**
     * Returns the dialect this generator writes.
     *
     * @return the dialect
     */
    public Dialect dialect() {
        return dialect;
    }

    /**
     * Returns the prelude every generated kernel starts with: the {@code cb_*} integer types, the {@code cb_dims} and
     * {@code cb_layout} structs of {@link ShapeDescriptor} and {@link LayoutDescriptor}, F16 and BF16 conversions and
     * the other helpers. A backend that writes a kernel of its own (such as a tiled matmul) puts this text first so
     * that its kernel takes the same descriptors and converts half-precision types the same way.
     *
     * @return the prelude, inside an include guard
     */
    public String prelude() {
        return prelude;
    }

    /**
     * Tells whether the generator writes kernels for a cell: every op of {@link dev.crossbar.spi.OpSet#V1} except
     * {@link Op#DOT_GENERAL}, for every type the op admits except the FP8 storage types, which it does not write
     * conversions for.
     *
     * @param op the op
     * @param dtype the cell's type
     * @return true when {@link #kernelsFor} serves the cell
     */
    public static boolean supports(Op op, DType dtype) {
        return op != Op.DOT_GENERAL && !dtype.isStorageOnly() && op.admitted().contains(dtype);
    }

    /**
     * Returns every kernel a backend needs for one cell: one for most ops; one per target type for cast; one per
     * index type (I32, I64) for gather and scatter_add; the copy kernel for the layout views.
     *
     * @param op the op
     * @param dtype the cell's type (for cast the source type)
     * @return the kernels
     * @throws IllegalArgumentException if the generator does not serve the cell
     */
    public List<GeneratedKernel> kernelsFor(Op op, DType dtype) {
        requireSupported(op, dtype);
        return switch (op) {
            case FULL -> List.of(fill(dtype));
            case IOTA -> List.of(iota(dtype));
            case RNG_UNIFORM, RNG_NORMAL -> List.of(random(op, dtype));
            case CAST -> Arrays.stream(DType.values()).filter(to -> !to.isStorageOnly()).map(to -> cast(dtype, to)).toList();
            case SELECT -> List.of(select(dtype));
            case REDUCE_SUM, REDUCE_MAX, REDUCE_MIN -> List.of(reduce(op, dtype));
            case ARGMAX -> List.of(argmax(dtype));
            case RESHAPE, PERMUTE, BROADCAST_TO, SLICE, COPY -> List.of(copy(dtype));
            case CONCAT -> List.of(concat(dtype));
            case PAD -> List.of(pad(dtype));
            case GATHER -> INDEX_TYPES.stream().map(index -> gather(dtype, index)).toList();
            case SCATTER_ADD -> INDEX_TYPES.stream().map(index -> scatterAdd(dtype, index)).toList();
            default -> switch (op.kind()) {
                case UNARY -> List.of(unary(op, dtype));
                case BINARY -> List.of(binary(op, dtype));
                case COMPARE -> List.of(compare(op, dtype));
                default -> throw new IllegalStateException("no generator for " + op.opName());
            };
        };
    }

    /**
     * Returns every distinct kernel of every cell the generator serves, in the order of {@link Op} and then
     * {@link DType}; the copy kernel that several layout ops share appears once. Backends may compile these ahead of
     * time to fill their cache.
     *
     * @return the kernels
     */
    public List<GeneratedKernel> allKernels() {
        Map<String, GeneratedKernel> byEntryPoint = new LinkedHashMap<>();
        for (Op op : Op.values()) {
            for (DType dtype : DType.values()) {
                if (supports(op, dtype)) {
                    kernelsFor(op, dtype).forEach(kernel -> byEntryPoint.putIfAbsent(kernel.entryPoint(), kernel));
                }
            }
        }
        return List.copyOf(byEntryPoint.values());
    }

    /**
     * Writes {@code out = op(in)}. Parameters: {@code n, dims, out, out_layout, in, in_layout}.
     *
     * @param op a unary op
     * @param dtype the type of input and output
     * @return the kernel
     */
    public GeneratedKernel unary(Op op, DType dtype) {
        requireKind(op, Op.Kind.UNARY, dtype);
        KernelSource k = new KernelSource(op.opName(), dtype);
        k.elementwise(dtype, "out").input(dtype, "in");
        k.forEachElement(List.of("out", "in"),
                computeType(dtype) + " x = " + load(dtype, "in", "in_at") + ";",
                "out[out_at] = " + store(dtype, unaryExpression(op, dtype, "x")) + ";");
        return k.build();
    }

    /**
     * Writes {@code out = op(a, b)}. Parameters: {@code n, dims, out, out_layout, a, a_layout, b, b_layout}, and for
     * integer div a trailing {@code fault}.
     *
     * @param op a binary op
     * @param dtype the type of inputs and output
     * @return the kernel
     */
    public GeneratedKernel binary(Op op, DType dtype) {
        requireKind(op, Op.Kind.BINARY, dtype);
        KernelSource k = new KernelSource(op.opName(), dtype);
        k.elementwise(dtype, "out").input(dtype, "a").input(dtype, "b");
        String ct = computeType(dtype);
        String operands = ct + " x = " + load(dtype, "a", "a_at") + "; " + ct + " y = " + load(dtype, "b", "b_at") + ";";
        if (op == Op.DIV && !dtype.isFloating()) {
            k.fault();
            String ut = unsignedType(dtype);
            k.forEachElement(List.of("out", "a", "b"), operands,
                    "if (y == 0) { fault[0] = i + 1; out[out_at] = 0; }",
                    "else { out[out_at] = " + store(dtype, "y == -1 ? (" + ct + ")((" + ut + ")0 - (" + ut + ")x) : x / y") + "; }");
        } else {
            k.forEachElement(List.of("out", "a", "b"), operands, "out[out_at] = " + store(dtype, binaryExpression(op, dtype, "x", "y")) + ";");
        }
        return k.build();
    }

    /**
     * Writes {@code out = op(a, b)} into BOOL. Parameters: {@code n, dims, out, out_layout, a, a_layout, b, b_layout}.
     *
     * @param op a comparison
     * @param dtype the type of the inputs
     * @return the kernel
     */
    public GeneratedKernel compare(Op op, DType dtype) {
        requireKind(op, Op.Kind.COMPARE, dtype);
        String operator = switch (op) {
            case EQ -> "==";
            case NE -> "!=";
            case LT -> "<";
            case LE -> "<=";
            case GT -> ">";
            default -> ">=";
        };
        KernelSource k = new KernelSource(op.opName(), dtype);
        k.elementwise(DType.BOOL, "out").input(dtype, "a").input(dtype, "b");
        k.forEachElement(List.of("out", "a", "b"),
                "out[out_at] = (cb_bool)(" + load(dtype, "a", "a_at") + " " + operator + " " + load(dtype, "b", "b_at") + ");");
        return k.build();
    }

    /**
     * Writes {@code out = cond ? a : b}. Parameters: {@code n, dims, out, out_layout, cond, cond_layout, a, a_layout,
     * b, b_layout}.
     *
     * @param dtype the type of a, b and the output
     * @return the kernel
     */
    public GeneratedKernel select(DType dtype) {
        requireSupported(Op.SELECT, dtype);
        KernelSource k = new KernelSource(Op.SELECT.opName(), dtype);
        k.elementwise(dtype, "out").input(DType.BOOL, "cond").input(dtype, "a").input(dtype, "b");
        k.forEachElement(List.of("out", "cond", "a", "b"), "out[out_at] = cond[cond_at] != 0 ? a[a_at] : b[b_at];");
        return k.build();
    }

    /**
     * Writes a conversion. Parameters: {@code n, dims, out, out_layout, in, in_layout}.
     *
     * @param from the input's type
     * @param to the output's type
     * @return the kernel
     */
    public GeneratedKernel cast(DType from, DType to) {
        requireSupported(Op.CAST, from);
        requireSupported(Op.CAST, to);
        KernelSource k = new KernelSource("cast", from.shortName() + "_to_" + to.shortName());
        k.elementwise(to, "out").input(from, "in");
        k.forEachElement(List.of("out", "in"), "out[out_at] = " + storeWide(to, from, wideLoad(from, "in", "in_at")) + ";");
        return k.build();
    }

    /**
     * Writes one value into every element, converted as a cast from F64. Parameters: {@code n, dims, out, out_layout,
     * value}.
     *
     * @param dtype the output's type
     * @return the kernel
     */
    public GeneratedKernel fill(DType dtype) {
        requireSupported(Op.FULL, dtype);
        KernelSource k = new KernelSource(Op.FULL.opName(), dtype);
        k.elementwise(dtype, "out").scalar("value", KernelParameter.Type.F64);
        k.line(storageType(dtype) + " converted = " + storeWide(dtype, DType.F64, "value") + ";");
        k.forEachElement(List.of("out"), "out[out_at] = converted;");
        return k.build();
    }

    /**
     * Writes each element's coordinate along an axis. Parameters: {@code n, dims, out, out_layout, axis}.
     *
     * @param dtype the output's type
     * @return the kernel
     */
    public GeneratedKernel iota(DType dtype) {
        requireSupported(Op.IOTA, dtype);
        KernelSource k = new KernelSource(Op.IOTA.opName(), dtype);
        k.elementwise(dtype, "out").scalar("axis", KernelParameter.Type.I64);
        k.forEachElement(List.of("out"), "out[out_at] = " + storeWide(dtype, DType.I64, "coordinate[axis]") + ";");
        return k.build();
    }

    /**
     * Writes Philox numbers as {@link dev.crossbar.spi.Philox} maps them: element {@code i} (row-major) takes word
     * {@code i % 4} of block {@code offset + i / 4}. Each thread draws whole blocks, so the work count is
     * {@code ceil(n / 4)}. Parameters: {@code n, dims, out, out_layout, seed, offset, a, b}, where a and b are low and
     * high, or mean and standard deviation.
     *
     * @param op {@link Op#RNG_UNIFORM} or {@link Op#RNG_NORMAL}
     * @param dtype the output's type
     * @return the kernel
     */
    public GeneratedKernel random(Op op, DType dtype) {
        if (op != Op.RNG_UNIFORM && op != Op.RNG_NORMAL) {
            throw new IllegalArgumentException("random takes rng_uniform or rng_normal, not " + op.opName());
        }
        requireSupported(op, dtype);
        KernelSource k = new KernelSource(op.opName(), dtype);
        k.elementwise(dtype, "out").scalar("seed", KernelParameter.Type.I64).scalar("offset", KernelParameter.Type.I64)
                .scalar("a", KernelParameter.Type.F64).scalar("b", KernelParameter.Type.F64);
        k.line("cb_i64 blocks = (n + 3) / 4;");
        k.line("for (cb_i64 block = " + dialect.firstIndex() + "; block < blocks; block += " + dialect.gridSize() + ") {");
        k.line("  cb_u32 words[4];");
        k.line("  cb_philox((cb_u64)seed, (cb_u64)offset + (cb_u64)block, words);");
        k.line("  double values[4];");
        if (op == Op.RNG_UNIFORM) {
            k.line("  for (int w = 0; w < 4; ++w) values[w] = a + (b - a) * ((double)(words[w] >> 8) * " + TWO_POW_MINUS_24 + ");");
        } else {
            k.line("  for (int pair = 0; pair < 2; ++pair) {");
            k.line("    double u1 = ((double)(words[2 * pair] >> 8) + 0.5) * " + TWO_POW_MINUS_24 + ";");
            k.line("    double u2 = ((double)(words[2 * pair + 1] >> 8) + 0.5) * " + TWO_POW_MINUS_24 + ";");
            k.line("    double r = " + dialect.math("sqrt", false) + "(-2.0 * " + dialect.math("log", false) + "(u1));");
            k.line("    double theta = 6.283185307179586 * u2;");
            k.line("    values[2 * pair] = a + b * (r * " + dialect.math("cos", false) + "(theta));");
            k.line("    values[2 * pair + 1] = a + b * (r * " + dialect.math("sin", false) + "(theta));");
            k.line("  }");
        }
        k.line("  for (int w = 0; w < 4 && 4 * block + w < n; ++w) {");
        k.line("    cb_i64 i = 4 * block + w;");
        k.decompose("    ", "i", "dims", List.of("out"), false);
        k.line("    out[out_at] = " + storeWide(dtype, DType.F64, "values[w]") + ";");
        k.line("  }");
        k.line("}");
        return k.build();
    }

    /**
     * Writes a sum, maximum or minimum over axes, one thread per output element visiting the reduced positions in
     * row-major order. Parameters: {@code n, dims, out, out_layout, in, in_layout, reduced_dims, reduced_layout,
     * reduced_count}, the last four as {@link ReductionDescriptors} gives them ({@code in_layout} is its
     * {@code kept}).
     *
     * @param op {@link Op#REDUCE_SUM}, {@link Op#REDUCE_MAX} or {@link Op#REDUCE_MIN}
     * @param dtype the type of input and output
     * @return the kernel
     */
    public GeneratedKernel reduce(Op op, DType dtype) {
        if (op != Op.REDUCE_SUM && op != Op.REDUCE_MAX && op != Op.REDUCE_MIN) {
            throw new IllegalArgumentException("reduce takes reduce_sum, reduce_max or reduce_min, not " + op.opName());
        }
        requireSupported(op, dtype);
        KernelSource k = new KernelSource(op.opName(), dtype);
        k.elementwise(dtype, "out").input(dtype, "in").dims("reduced_dims").layout("reduced_layout").scalar("reduced_count", KernelParameter.Type.I64);
        boolean floating = dtype.isFloating();
        String accumulator = floating ? "double" : "cb_i64";
        String first = wideLoad(dtype, "in", "in_at");
        String initial = op == Op.REDUCE_SUM ? "0" : "reduced_count > 0 ? " + first + " : 0";
        String combined = switch (op) {
            case REDUCE_SUM -> floating ? "acc + v" : "(cb_i64)((cb_u64)acc + (cb_u64)v)";
            case REDUCE_MAX -> floating ? "cb_java_max_f64(acc, v)" : "v > acc ? v : acc";
            default -> floating ? "cb_java_min_f64(acc, v)" : "v < acc ? v : acc";
        };
        k.forEachElement(List.of("out", "in"),
                accumulator + " acc = " + initial + ";",
                "cb_i64 reduced[CB_MAX_RANK];",
                "for (int d = 0; d < CB_MAX_RANK; ++d) reduced[d] = 0;",
                "cb_i64 at = in_at;",
                "for (cb_i64 r = 0; r < reduced_count; ++r) {",
                "  " + accumulator + " v = " + wideLoad(dtype, "in", "at") + ";",
                "  acc = " + combined + ";",
                "  for (int d = (int)reduced_dims.rank - 1; d >= 0; --d) {",
                "    at += reduced_layout.stride[d];",
                "    if (++reduced[d] < reduced_dims.size[d]) break;",
                "    at -= reduced[d] * reduced_layout.stride[d];",
                "    reduced[d] = 0;",
                "  }",
                "}",
                "out[out_at] = " + storeWide(dtype, floating ? DType.F64 : DType.I64, "acc") + ";");
        return k.build();
    }

    /**
     * Writes the index of the first maximum along an axis, NaN counting as the maximum. Parameters: {@code n, dims,
     * out, out_layout, in, in_layout, length, axis_stride}, where {@code in_layout} is over the output's shape with
     * the axis's stride 0 ({@link LayoutDescriptor#withoutAxis}).
     *
     * @param dtype the input's type; the output is I64
     * @return the kernel
     */
    public GeneratedKernel argmax(DType dtype) {
        requireSupported(Op.ARGMAX, dtype);
        KernelSource k = new KernelSource(Op.ARGMAX.opName(), dtype);
        k.elementwise(DType.I64, "out").input(dtype, "in").scalar("length", KernelParameter.Type.I64).scalar("axis_stride", KernelParameter.Type.I64);
        String ct = computeType(dtype);
        boolean floating = dtype.isFloating();
        k.forEachElement(List.of("out", "in"),
                "cb_i64 best = 0;",
                ct + " max = " + load(dtype, "in", "in_at") + ";",
                "for (cb_i64 j = 1; j < length" + (floating ? " && max == max" : "") + "; ++j) {",
                "  " + ct + " v = " + load(dtype, "in", "in_at + j * axis_stride") + ";",
                "  if (v > max" + (floating ? " || v != v" : "") + ") { max = v; best = j; }",
                "}",
                "out[out_at] = best;");
        return k.build();
    }

    /**
     * Writes a copy that reads {@code in} in row-major order of its shape and writes {@code out} in row-major order of
     * its own (the same element count), materializing reshape, permute, broadcast_to and slice views. Parameters:
     * {@code n, dims, out, out_layout, in_dims, in, in_layout}.
     *
     * @param dtype the type of both
     * @return the kernel
     */
    public GeneratedKernel copy(DType dtype) {
        requireSupported(Op.COPY, dtype);
        KernelSource k = new KernelSource(Op.COPY.opName(), dtype);
        k.elementwise(dtype, "out").dims("in_dims").pointer("in", dtype, true).layout("in_layout");
        k.forEachElement(List.of("out"), "cb_i64 in_at = in_layout.offset;",
                "{",
                "  cb_i64 rest = i;",
                "  for (int d = (int)in_dims.rank - 1; d >= 0; --d) {",
                "    in_at += (rest % in_dims.size[d]) * in_layout.stride[d];",
                "    rest /= in_dims.size[d];",
                "  }",
                "}",
                "out[out_at] = in[in_at];");
        return k.build();
    }

    /**
     * Writes a join of up to {@link #CONCAT_INPUTS} inputs along an axis. Parameters: {@code n, dims, out,
     * out_layout, axis}, then for each slot {@code k}: {@code ink, ink_layout, ink_end}, where {@code ink_end} is the
     * cumulative extent along the axis up to and including input {@code k}. Unused slots take a null pointer and the
     * last used slot's end.
     *
     * @param dtype the type of inputs and output
     * @return the kernel
     */
    public GeneratedKernel concat(DType dtype) {
        requireSupported(Op.CONCAT, dtype);
        KernelSource k = new KernelSource(Op.CONCAT.opName(), dtype);
        k.elementwise(dtype, "out").scalar("axis", KernelParameter.Type.I64);
        List<String> body = new ArrayList<>();
        body.add("cb_i64 along = coordinate[axis];");
        for (int slot = 0; slot < CONCAT_INPUTS; slot++) {
            String in = "in" + slot;
            k.pointer(in, dtype, true).layout(in + "_layout").scalar(in + "_end", KernelParameter.Type.I64);
            String start = slot == 0 ? "0" : "in" + (slot - 1) + "_end";
            body.add((slot == 0 ? "if" : "else if") + " (along < " + in + "_end) {");
            body.add("  cb_i64 at = " + in + "_layout.offset;");
            body.add("  for (int d = 0; d < (int)dims.rank; ++d) at += (d == axis ? along - " + start + " : coordinate[d]) * " + in + "_layout.stride[d];");
            body.add("  out[out_at] = " + in + "[at];");
            body.add("}");
        }
        k.forEachElement(List.of("out"), body.toArray(String[]::new));
        return k.build();
    }

    /**
     * Writes padding: the input in its window, the value (converted as a cast from F64) around it. Parameters:
     * {@code n, dims, out, out_layout, in, in_layout, in_dims, low, value}, where {@code low} is a
     * {@link ShapeDescriptor} of the padding before each axis.
     *
     * @param dtype the type of input and output
     * @return the kernel
     */
    public GeneratedKernel pad(DType dtype) {
        requireSupported(Op.PAD, dtype);
        KernelSource k = new KernelSource(Op.PAD.opName(), dtype);
        k.elementwise(dtype, "out").pointer("in", dtype, true).layout("in_layout").dims("in_dims").dims("low").scalar("value", KernelParameter.Type.F64);
        k.line(storageType(dtype) + " converted = " + storeWide(dtype, DType.F64, "value") + ";");
        k.forEachElement(List.of("out"),
                "cb_i64 in_at = in_layout.offset;",
                "int inside = 1;",
                "for (int d = 0; d < (int)dims.rank; ++d) {",
                "  cb_i64 c = coordinate[d] - low.size[d];",
                "  if (c < 0 || c >= in_dims.size[d]) inside = 0;",
                "  in_at += c * in_layout.stride[d];",
                "}",
                "out[out_at] = inside ? in[in_at] : converted;");
        return k.build();
    }

    /**
     * Writes take-along-an-axis, {@code out[p] = in[p with p[axis] = index[p]]}, iterating the index's shape.
     * Parameters: {@code n, dims, out, out_layout, index, index_layout, in, in_layout, axis_length, axis_stride,
     * fault}, where {@code in_layout} is over the index's shape with the axis's stride 0.
     *
     * @param dtype the type of input and output
     * @param indexType I32 or I64
     * @return the kernel
     */
    public GeneratedKernel gather(DType dtype, DType indexType) {
        requireSupported(Op.GATHER, dtype);
        requireIndexType(indexType);
        KernelSource k = new KernelSource(Op.GATHER.opName(), dtype.shortName() + "_by_" + indexType.shortName());
        k.elementwise(dtype, "out").input(indexType, "index").input(dtype, "in")
                .scalar("axis_length", KernelParameter.Type.I64).scalar("axis_stride", KernelParameter.Type.I64).fault();
        k.forEachElement(List.of("out", "index", "in"),
                "cb_i64 at = (cb_i64)index[index_at];",
                "if (at < 0 || at >= axis_length) fault[0] = i + 1;",
                "else out[out_at] = in[in_at + at * axis_stride];");
        return k.build();
    }

    /**
     * Writes scatter-add, {@code out[p with p[axis] = index[p]] += src[p]}, iterating the index's shape with atomic
     * adds. Parameters: {@code n, dims, out, out_layout, index, index_layout, src, src_layout, axis_length,
     * axis_stride, fault}, where {@code out_layout} is over the index's shape with the axis's stride 0.
     *
     * @param dtype the type of the output and the values
     * @param indexType I32 or I64
     * @return the kernel
     */
    public GeneratedKernel scatterAdd(DType dtype, DType indexType) {
        requireSupported(Op.SCATTER_ADD, dtype);
        requireIndexType(indexType);
        KernelSource k = new KernelSource(Op.SCATTER_ADD.opName(), dtype.shortName() + "_by_" + indexType.shortName());
        k.elementwise(dtype, "out").input(indexType, "index").input(dtype, "src")
                .scalar("axis_length", KernelParameter.Type.I64).scalar("axis_stride", KernelParameter.Type.I64).fault();
        String target = "&out[out_at + at * axis_stride]";
        String add = switch (dtype) {
            case F32, F64, I32 -> dialect.atomicAdd(dtype, target, "src[src_at]");
            case I64 -> dialect.atomicAdd(dtype, "(" + dialect.globalPointer() + "cb_u64*)" + target, "(cb_u64)src[src_at]");
            case F16, BF16, I8 -> "cb_atomic_add_" + dtype.shortName() + "(" + target + ", " + load(dtype, "src", "src_at") + ")";
            default -> throw new IllegalStateException("scatter_add does not admit " + dtype);
        };
        k.forEachElement(List.of("out", "index", "src"),
                "cb_i64 at = (cb_i64)index[index_at];",
                "if (at < 0 || at >= axis_length) fault[0] = i + 1;",
                "else " + add + ";");
        return k.build();
    }

    /**
     * Writes a batched matrix product for what the vendor's BLAS does not cover (integer types, or a machine without
     * the library): one thread per output element, summing over k in order in float (F32, F16, BF16), double (F64)
     * or the type itself with wrap-around (I32, I64). It is not tiled: a fallback for correctness, not for speed.
     * Parameters: {@code n, dims, out, out_layout, a, a_layout, b, b_layout, k, a_k_stride, b_k_stride}, where
     * {@code dims} is the output's shape {@code [batch..., m, n]}, {@code a_layout} describes a over that shape with
     * stride 0 on the last axis, and {@code b_layout} describes b over it with stride 0 on the next-to-last axis.
     *
     * @param dtype a type dot_general admits
     * @return the kernel
     */
    public GeneratedKernel matmul(DType dtype) {
        if (!Op.DOT_GENERAL.admitted().contains(dtype)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "no generated kernel for dot_general on %s: the op admits only %s",
                    dtype.shortName(), Op.DOT_GENERAL.admitted()));
        }
        KernelSource k = new KernelSource(Op.DOT_GENERAL.opName(), dtype);
        k.elementwise(dtype, "out").input(dtype, "a").input(dtype, "b").scalar("k", KernelParameter.Type.I64)
                .scalar("a_k_stride", KernelParameter.Type.I64).scalar("b_k_stride", KernelParameter.Type.I64);
        boolean integer = !dtype.isFloating();
        String accumulator = switch (dtype) {
            case F64 -> "double";
            case I32 -> "cb_u32";
            case I64 -> "cb_u64";
            default -> "float";
        };
        String x = integer ? "(" + accumulator + ")a[a_at + j * a_k_stride]" : load(dtype, "a", "a_at + j * a_k_stride");
        String y = integer ? "(" + accumulator + ")b[b_at + j * b_k_stride]" : load(dtype, "b", "b_at + j * b_k_stride");
        k.forEachElement(List.of("out", "a", "b"),
                accumulator + " acc = 0;",
                "for (cb_i64 j = 0; j < k; ++j) acc += " + x + " * " + y + ";",
                "out[out_at] = " + store(dtype, integer ? "(" + computeType(dtype) + ")acc" : "acc") + ";");
        return k.build();
    }

    private static void requireSupported(Op op, DType dtype) {
        if (!supports(op, dtype)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "no generated kernel for %s on %s: %s", op.opName(), dtype.shortName(),
                    op == Op.DOT_GENERAL ? "GPU backends serve dot_general with the vendor's BLAS"
                            : dtype.isStorageOnly() ? "the generator writes no FP8 conversions" : "the op admits only " + op.admitted()));
        }
    }

    private static void requireKind(Op op, Op.Kind kind, DType dtype) {
        if (op.kind() != kind) {
            throw new IllegalArgumentException(op.opName() + " is a " + op.kind() + " op, not " + kind);
        }
        requireSupported(op, dtype);
    }

    private static void requireIndexType(DType indexType) {
        if (!INDEX_TYPES.contains(indexType)) {
            throw new IllegalArgumentException("indices are I32 or I64, not " + indexType);
        }
    }

    private String unaryExpression(Op op, DType dtype, String x) {
        if (!dtype.isFloating()) {
            String ct = computeType(dtype);
            String ut = unsignedType(dtype);
            String negated = "(" + ct + ")((" + ut + ")0 - (" + ut + ")" + x + ")";
            return op == Op.NEG ? negated : x + " < 0 ? " + negated + " : " + x;
        }
        boolean single = dtype != DType.F64;
        String one = single ? "1.0f" : "1.0";
        return switch (op) {
            case NEG -> "-" + x;
            case ABS -> dialect.math("fabs", single) + "(" + x + ")";
            case RSQRT -> one + " / " + dialect.math("sqrt", single) + "(" + x + ")";
            case LOGISTIC -> one + " / (" + one + " + " + dialect.math("exp", single) + "(-" + x + "))";
            case EXP, LOG, SQRT, TANH, SIN, COS, ERF -> dialect.math(op.opName(), single) + "(" + x + ")";
            default -> throw new IllegalStateException("no expression for " + op.opName());
        };
    }

    private static String binaryExpression(Op op, DType dtype, String x, String y) {
        if (dtype.isFloating()) {
            String suffix = dtype == DType.F64 ? "f64" : "f32";
            return switch (op) {
                case ADD -> x + " + " + y;
                case SUB -> x + " - " + y;
                case MUL -> x + " * " + y;
                case DIV -> x + " / " + y;
                case POW -> "cb_java_pow_" + suffix + "(" + x + ", " + y + ")";
                case MAX -> "cb_java_max_" + suffix + "(" + x + ", " + y + ")";
                case MIN -> "cb_java_min_" + suffix + "(" + x + ", " + y + ")";
                default -> throw new IllegalStateException("no expression for " + op.opName());
            };
        }
        String ct = computeType(dtype);
        String ut = unsignedType(dtype);
        return switch (op) {
            case ADD -> "(" + ct + ")((" + ut + ")" + x + " + (" + ut + ")" + y + ")";
            case SUB -> "(" + ct + ")((" + ut + ")" + x + " - (" + ut + ")" + y + ")";
            case MUL -> "(" + ct + ")((" + ut + ")" + x + " * (" + ut + ")" + y + ")";
            case MAX -> x + " > " + y + " ? " + x + " : " + y;
            case MIN -> x + " < " + y + " ? " + x + " : " + y;
            default -> throw new IllegalStateException("no expression for integer " + op.opName());
        };
    }

    /** How an element is stored in memory. */
    static String storageType(DType dtype) {
        return switch (dtype) {
            case F32 -> "float";
            case F64 -> "double";
            case F16, BF16 -> "cb_u16";
            case I8 -> "cb_i8";
            case I32 -> "cb_i32";
            case I64 -> "cb_i64";
            case BOOL -> "cb_bool";
            case F8E4M3FN, F8E5M2 -> throw noFp8(dtype);
        };
    }

    /** The type element-wise arithmetic uses: float for the 16-bit floats, int for the narrow integers. */
    private static String computeType(DType dtype) {
        return switch (dtype) {
            case F32, F16, BF16 -> "float";
            case F64 -> "double";
            case I8, I32, BOOL -> "cb_i32";
            case I64 -> "cb_i64";
            case F8E4M3FN, F8E5M2 -> throw noFp8(dtype);
        };
    }

    private static IllegalArgumentException noFp8(DType dtype) {
        return new IllegalArgumentException("no generated kernel handles " + dtype + ": the generator writes no FP8 conversions");
    }

    /** The unsigned type integer arithmetic wraps in, since signed overflow is undefined in C. */
    private static String unsignedType(DType dtype) {
        return dtype == DType.I64 ? "cb_u64" : "cb_u32";
    }

    private static String load(DType dtype, String pointer, String position) {
        String element = pointer + "[" + position + "]";
        return switch (dtype) {
            case F16 -> "cb_f16_to_f32(" + element + ")";
            case BF16 -> "cb_bf16_to_f32(" + element + ")";
            case I8, BOOL -> "(cb_i32)" + element;
            default -> element;
        };
    }

    private static String store(DType dtype, String value) {
        return switch (dtype) {
            case F16 -> "cb_f32_to_f16(" + value + ")";
            case BF16 -> "cb_f32_to_bf16(" + value + ")";
            case I8 -> "(cb_i8)(" + value + ")";
            default -> "(" + value + ")";
        };
    }

    /** Loads an element widened as the cpu backend reads it: floats to double, integers and BOOL to 64 bits. */
    private static String wideLoad(DType dtype, String pointer, String position) {
        return (dtype.isFloating() ? "(double)" : "(cb_i64)") + load(dtype, pointer, position);
    }

    /**
     * Stores a double (when {@code from} is floating) or a 64-bit integer into a type as the cpu backend does: floats
     * to integers truncating and saturating, integers to integers wrapping, anything to BOOL as {@code != 0}.
     */
    private static String storeWide(DType to, DType from, String value) {
        if (from.isFloating()) {
            return switch (to) {
                case F32 -> "(float)" + value;
                case F64 -> value;
                case F16 -> "cb_f64_to_f16(" + value + ")";
                case BF16 -> "cb_f64_to_bf16(" + value + ")";
                case I8 -> "cb_f64_to_i8(" + value + ")";
                case I32 -> "cb_f64_to_i32(" + value + ")";
                case I64 -> "cb_f64_to_i64(" + value + ")";
                case BOOL -> "(cb_bool)(" + value + " != 0.0)";
                case F8E4M3FN, F8E5M2 -> throw noFp8(to);
            };
        }
        return switch (to) {
            case F32 -> "(float)" + value;
            case F64 -> "(double)" + value;
            case F16 -> "cb_f64_to_f16((double)" + value + ")";
            case BF16 -> "cb_f64_to_bf16((double)" + value + ")";
            case I8 -> "(cb_i8)" + value;
            case I32 -> "(cb_i32)" + value;
            case I64 -> "(cb_i64)" + value;
            case BOOL -> "(cb_bool)(" + value + " != 0)";
            case F8E4M3FN, F8E5M2 -> throw noFp8(to);
        };
    }

    /** One kernel's parameters and body under construction. */
    private final class KernelSource {
        private final String name;
        private final String entryPoint;
        private final List<KernelParameter> parameters = new ArrayList<>();
        private final List<String> declarations = new ArrayList<>();
        private final StringBuilder body = new StringBuilder();

        KernelSource(String op, DType dtype) {
            this(op, dtype.shortName());
        }

        KernelSource(String op, String variant) {
            this.name = op + " " + variant.replace('_', ' ');
            this.entryPoint = "cb_" + op + "_" + variant;
        }

        /** The parameters every element-wise kernel starts with: the count, the iterated shape and the output. */
        KernelSource elementwise(DType outType, String out) {
            return scalar("n", KernelParameter.Type.I64).dims("dims").pointer(out, outType, false).layout(out + "_layout");
        }

        KernelSource input(DType dtype, String input) {
            return pointer(input, dtype, true).layout(input + "_layout");
        }

        KernelSource pointer(String parameter, DType dtype, boolean readOnly) {
            return declare((readOnly ? "const " : "") + dialect.globalPointer() + storageType(dtype) + "* " + parameter, parameter, KernelParameter.Type.POINTER);
        }

        KernelSource dims(String parameter) {
            return declare("cb_dims " + parameter, parameter, KernelParameter.Type.DIMS);
        }

        KernelSource layout(String parameter) {
            return declare("cb_layout " + parameter, parameter, KernelParameter.Type.LAYOUT);
        }

        KernelSource scalar(String parameter, KernelParameter.Type type) {
            return declare((type == KernelParameter.Type.F64 ? "double " : "cb_i64 ") + parameter, parameter, type);
        }

        KernelSource fault() {
            return declare(dialect.globalPointer() + "cb_i64* fault", "fault", KernelParameter.Type.POINTER);
        }

        private KernelSource declare(String declaration, String parameter, KernelParameter.Type type) {
            declarations.add(declaration);
            parameters.add(new KernelParameter(parameter, type));
            return this;
        }

        void line(String code) {
            body.append("  ").append(code).append('\n');
        }

        /**
         * A grid-stride loop over the {@code n} elements of {@code dims}: each iteration has {@code i}, the
         * element's coordinates in {@code coordinate} and each operand's position in {@code <operand>_at}.
         */
        void forEachElement(List<String> operands, String... statements) {
            // Only kernels that read coordinates get the array; nvcc warns about one set but never used.
            boolean recordCoordinates = Arrays.stream(statements).anyMatch(statement -> statement.contains("coordinate["));
            line("for (cb_i64 i = " + dialect.firstIndex() + "; i < n; i += " + dialect.gridSize() + ") {");
            if (recordCoordinates) {
                line("  cb_i64 coordinate[CB_MAX_RANK];");
            }
            decompose("  ", "i", "dims", operands, recordCoordinates);
            for (String statement : statements) {
                line("  " + statement);
            }
            line("}");
        }

        /** Computes operand positions (and optionally the {@code coordinate} array) of a row-major index. */
        void decompose(String indent, String flat, String dims, List<String> operands, boolean recordCoordinates) {
            for (String operand : operands) {
                line(indent + "cb_i64 " + operand + "_at = " + operand + "_layout.offset;");
            }
            line(indent + "{");
            line(indent + "  cb_i64 rest = " + flat + ";");
            line(indent + "  for (int d = (int)" + dims + ".rank - 1; d >= 0; --d) {");
            line(indent + "    cb_i64 c = rest % " + dims + ".size[d];");
            line(indent + "    rest /= " + dims + ".size[d];");
            if (recordCoordinates) {
                line(indent + "    coordinate[d] = c;");
            }
            for (String operand : operands) {
                line(indent + "    " + operand + "_at += c * " + operand + "_layout.stride[d];");
            }
            line(indent + "  }");
            line(indent + "}");
        }

        GeneratedKernel build() {
            String source = prelude + "\n/* " + name + " (generated by Crossbar for " + dialect.dialectName() + ") */\n"
                    + dialect.kernelQualifier() + " " + entryPoint + "(\n    " + String.join(",\n    ", declarations) + ") {\n" + body + "}\n";
            return GeneratedKernel.of(name, dialect, source, entryPoint, parameters);
        }
    }
}
