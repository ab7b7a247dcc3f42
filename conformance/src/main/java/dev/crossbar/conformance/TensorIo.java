package dev.crossbar.conformance;

import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Moves {@link HostArray}s in and out of tensors without running any kernel of the backend under test where the API
 * allows it, so a cell's check exercises that cell and not the cast kernels.
 */
final class TensorIo {
    private final boolean hostMemory;

    /** @param hostMemory whether the backend's buffers are host memory, readable through {@link Tensor#asSegment()} */
    TensorIo(boolean hostMemory) {
        this.hostMemory = hostMemory;
    }

    /** Creates a tensor of {@code dtype} holding {@code values}, each of which must be a value of that type. */
    static Tensor upload(TensorScope scope, HostArray values, DType dtype) {
        double[] v = values.values();
        int n = v.length;
        MemorySegment segment = switch (dtype) {
            case F64 -> MemorySegment.ofArray(v.clone());
            case F32 -> {
                float[] a = new float[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (float) exact(dtype, v[i]);
                }
                yield MemorySegment.ofArray(a);
            }
            case F16, BF16 -> {
                short[] a = new short[n];
                for (int i = 0; i < n; i++) {
                    a[i] = dtype == DType.F16 ? DTypeValues.f16Bits(v[i]) : DTypeValues.bf16Bits(v[i]);
                }
                yield MemorySegment.ofArray(a);
            }
            case I8, BOOL -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (byte) exact(dtype, v[i]);
                }
                yield MemorySegment.ofArray(a);
            }
            case F8E4M3FN, F8E5M2 -> {
                byte[] a = new byte[n];
                for (int i = 0; i < n; i++) {
                    a[i] = DTypeValues.f8Bits(dtype, v[i]);
                }
                yield MemorySegment.ofArray(a);
            }
            case I32 -> {
                int[] a = new int[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (int) exact(dtype, v[i]);
                }
                yield MemorySegment.ofArray(a);
            }
            case I64 -> {
                long[] a = new long[n];
                for (int i = 0; i < n; i++) {
                    a[i] = (long) exact(dtype, v[i]);
                }
                yield MemorySegment.ofArray(a);
            }
        };
        return scope.fromSegment(segment, dtype, values.shape());
    }

    /**
     * Reads a tensor's elements. F32, F64, I32, I64 and BOOL are read in their own type; F16, BF16, I8 and the FP8
     * types through the host segment when the memory is host memory, else through an exact cast to F32 or I32.
     */
    HostArray download(Tensor t) {
        Shape shape = t.shape();
        double[] values = switch (t.dtype()) {
            case F64 -> t.toDoubleArray();
            case F32 -> toDoubles(t.toFloatArray());
            case I32 -> toDoubles(t.toIntArray());
            case I64 -> {
                long[] a = t.toLongArray();
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    d[i] = a[i];
                }
                yield d;
            }
            case BOOL -> {
                boolean[] a = t.toBooleanArray();
                double[] d = new double[a.length];
                for (int i = 0; i < a.length; i++) {
                    d[i] = a[i] ? 1 : 0;
                }
                yield d;
            }
            case F16, BF16, I8, F8E4M3FN, F8E5M2 -> hostMemory ? readSegment(t) : readThroughCast(t);
        };
        return new HostArray(shape, values);
    }

    private static double[] readSegment(Tensor t) {
        try (Tensor c = t.contiguous()) {
            MemorySegment s = c.asSegment();
            double[] d = new double[Math.toIntExact(c.size())];
            for (int i = 0; i < d.length; i++) {
                d[i] = switch (c.dtype()) {
                    case F16 -> DTypeValues.fromF16Bits(s.getAtIndex(ValueLayout.JAVA_SHORT, i));
                    case BF16 -> DTypeValues.fromBf16Bits(s.getAtIndex(ValueLayout.JAVA_SHORT, i));
                    case F8E4M3FN, F8E5M2 -> DTypeValues.fromF8Bits(c.dtype(), s.get(ValueLayout.JAVA_BYTE, i));
                    default -> s.get(ValueLayout.JAVA_BYTE, i);
                };
            }
            return d;
        }
    }

    private static double[] readThroughCast(Tensor t) {
        try (Tensor wide = t.cast(t.dtype() == DType.I8 ? DType.I32 : DType.F32)) {
            return wide.dtype() == DType.I32 ? toDoubles(wide.toIntArray()) : toDoubles(wide.toFloatArray());
        }
    }

    private static double exact(DType dtype, double v) {
        if (!DTypeValues.isRepresentable(dtype, v)) {
            throw new IllegalArgumentException(v + " is not a " + dtype + " value; inputs must be rounded to their type first");
        }
        return v;
    }

    private static double[] toDoubles(float[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }

    private static double[] toDoubles(int[] a) {
        double[] d = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            d[i] = a[i];
        }
        return d;
    }
}
