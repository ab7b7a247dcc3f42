package dev.crossbar.backend.xla.lazy;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.TensorView;
import dev.crossbar.spi.graph.Attributes;
import dev.crossbar.spi.graph.ValueType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Expresses strided views of a buffer (shape, strides, offset in elements over the buffer's flat contents) with the
 * layout primitives: slices, reshapes, permutations and broadcasts where the strides nest, a gather of computed flat
 * indices otherwise; and writes through such views as concatenations or masked scatters.
 */
final class Views {
    private Views() {
    }

    /** The elements of {@code view} read from {@code flat}, the buffer's contents as a rank-1 value. */
    static LazyValue read(LazyValue flat, TensorView view) {
        Shape shape = view.shape();
        DType dtype = view.dtype();
        long total = flat.type().size();
        if (shape.size() == 0) {
            return Ops.full(new ValueType(dtype, shape), 0);
        }
        if (view.isContiguous() && view.offset() == 0 && shape.size() == total) {
            return Ops.reshape(flat, shape);
        }
        // Axes that index memory: size above 1 and a non-zero stride; the rest are broadcast or trivial.
        int[] kept = IntStream.range(0, shape.rank()).filter(i -> shape.dim(i) > 1 && view.stride(i) != 0).toArray();
        boolean positive = Arrays.stream(kept).allMatch(i -> view.stride(i) > 0);
        int[] keptDims = Arrays.stream(kept).map(shape::dim).toArray();
        long[] keptStrides = Arrays.stream(kept).mapToLong(view::stride).toArray();
        LazyValue compact = positive ? nestedWindow(flat, view.offset(), keptDims, keptStrides) : null;
        if (compact == null) {
            compact = Ops.reshape(gatherFlat(flat, view.offset(), keptDims, keptStrides), Shape.of(keptDims));
        }
        int[] withOnes = new int[shape.rank()];
        Arrays.fill(withOnes, 1);
        for (int i : kept) {
            withOnes[i] = shape.dim(i);
        }
        return Ops.broadcastTo(Ops.reshape(compact, Shape.of(withOnes)), shape);
    }

    /**
     * The view as slices of a reshaped window when every stride is a multiple of the next smaller one and the axes do
     * not overlap; null otherwise.
     */
    private static LazyValue nestedWindow(LazyValue flat, long offset, int[] dims, long[] strides) {
        int m = dims.length;
        Integer[] order = IntStream.range(0, m).boxed().sorted(Comparator.comparingLong((Integer i) -> strides[i]).reversed()).toArray(Integer[]::new);
        long[] t = new long[m];
        int[] n = new int[m];
        for (int k = 0; k < m; k++) {
            t[k] = strides[order[k]];
            n[k] = dims[order[k]];
        }
        for (int k = 0; k + 1 < m; k++) {
            if (t[k] % t[k + 1] != 0 || t[k] < t[k + 1] * n[k + 1]) {
                return null;
            }
        }
        long span = m == 0 ? 1 : t[0] * n[0];
        if (offset + span > Integer.MAX_VALUE) {
            return null;
        }
        LazyValue region = window(flat, (int) offset, (int) span);
        int[] sortedDims = n.clone();
        LazyValue sorted;
        boolean dense = m > 0 && t[m - 1] == 1 && IntStream.range(0, m - 1).allMatch(k -> t[k] == t[k + 1] * n[k + 1]);
        if (m == 0 || dense) {
            sorted = Ops.reshape(region, Shape.of(sortedDims));
        } else {
            int[] grid = new int[m + 1];
            int[] limit = new int[m + 1];
            grid[0] = n[0];
            limit[0] = n[0];
            for (int k = 1; k < m; k++) {
                grid[k] = (int) (t[k - 1] / t[k]);
                limit[k] = n[k];
            }
            grid[m] = (int) t[m - 1];
            limit[m] = 1;
            LazyValue cells = Ops.reshape(region, Shape.of(grid));
            int[] ones = new int[m + 1];
            Arrays.fill(ones, 1);
            sorted = Ops.reshape(Ops.slice(cells, new int[m + 1], limit, ones), Shape.of(sortedDims));
        }
        int[] permutation = new int[m];
        for (int k = 0; k < m; k++) {
            permutation[order[k]] = k;
        }
        return Ops.permute(sorted, permutation);
    }

    /** Elements {@code [start, start + length)} of a rank-1 value, padded with zeros past its end. */
    private static LazyValue window(LazyValue flat, int start, int length) {
        int total = Math.toIntExact(flat.type().size());
        if (start == 0 && length == total) {
            return flat;
        }
        int end = Math.min(total, start + length);
        LazyValue part = Ops.slice(flat, new int[] {start}, new int[] {end}, new int[] {1});
        if (end - start == length) {
            return part;
        }
        LazyValue zero = Ops.full(ValueType.scalar(flat.type().dtype()), 0);
        Attributes padding = new Attributes.Padding(List.of(0), List.of(length - (end - start)));
        return Ops.node(Op.PAD, new ValueType(flat.type().dtype(), Shape.of(length)), padding, part, zero);
    }

    /** Flat indices {@code offset + sum(i_k * stride_k)} of a view, as an I64 value of the view's shape. */
    static LazyValue flatIndices(long offset, int[] dims, long[] strides) {
        ValueType type = new ValueType(DType.I64, Shape.of(dims));
        LazyValue index = Ops.node(Op.FULL, type, Attributes.NONE, Ops.scalar(offset));
        for (int k = 0; k < dims.length; k++) {
            if (strides[k] == 0 || dims[k] <= 1) {
                continue;
            }
            LazyValue term = Ops.elementwise(Op.MUL, DType.I64, Ops.iota(type, k), Ops.node(Op.FULL, type, Attributes.NONE, Ops.scalar(strides[k])));
            index = Ops.elementwise(Op.ADD, DType.I64, index, term);
        }
        return index;
    }

    private static LazyValue gatherFlat(LazyValue flat, long offset, int[] dims, long[] strides) {
        int count = Math.toIntExact(Shape.of(dims).size());
        LazyValue index = Ops.reshape(flatIndices(offset, dims, strides), Shape.of(count));
        return Ops.node(Op.GATHER, new ValueType(flat.type().dtype(), Shape.of(count)), Attributes.Axes.of(0), flat, index);
    }

    /** The buffer's new contents after writing {@code value} through {@code view}, which does not cover it all. */
    static LazyValue write(LazyValue flat, TensorView view, LazyValue value) {
        int total = Math.toIntExact(flat.type().size());
        int count = Math.toIntExact(view.size());
        if (count == 0) {
            return flat;
        }
        LazyValue data = Ops.reshape(value, Shape.of(count));
        if (view.isContiguous()) {
            int start = Math.toIntExact(view.offset());
            List<LazyValue> parts = new ArrayList<>();
            if (start > 0) {
                parts.add(Ops.slice(flat, new int[] {0}, new int[] {start}, new int[] {1}));
            }
            parts.add(data);
            if (start + count < total) {
                parts.add(Ops.slice(flat, new int[] {start + count}, new int[] {total}, new int[] {1}));
            }
            return Ops.concat(0, parts);
        }
        DType dtype = flat.type().dtype();
        // scatter_add is numeric only: BOOL goes through I8 and back.
        DType carrier = dtype == DType.BOOL ? DType.I8 : dtype;
        LazyValue index = Ops.reshape(flatIndices(view.offset(), view.shape().dims(), view.strides()), Shape.of(count));
        ValueType whole = new ValueType(carrier, Shape.of(total));
        // -0.0 is the identity of floating addition (-0.0 + x == x for every x, -0.0 included), so placed values keep their bits.
        LazyValue base = Ops.full(whole, dtype.isFloating() ? -0.0 : 0);
        LazyValue placed = Ops.node(Op.SCATTER_ADD, whole, Attributes.Axes.of(0), base, index, Ops.cast(data, carrier));
        ValueType counts = new ValueType(DType.I32, Shape.of(total));
        LazyValue hits = Ops.node(Op.SCATTER_ADD, counts, Attributes.Axes.of(0), Ops.full(counts, 0), index,
                Ops.full(new ValueType(DType.I32, Shape.of(count)), 1));
        LazyValue written = Ops.elementwise(Op.GT, DType.BOOL, hits, Ops.full(counts, 0));
        return Ops.elementwise(Op.SELECT, dtype, written, Ops.cast(placed, dtype), flat);
    }
}
