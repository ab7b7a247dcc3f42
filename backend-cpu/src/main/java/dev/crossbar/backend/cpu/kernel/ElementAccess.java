package dev.crossbar.backend.cpu.kernel;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Float8;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Reads and writes one element of each type in host memory (native byte order), as a double, as a long (exact for
 * integers), or as raw bits; indices are in elements.
 */
enum ElementAccess {
    F32(DType.F32) {
        @Override
        double load(MemorySegment m, long i) {
            return m.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
        }

        @Override
        void store(MemorySegment m, long i, double v) {
            m.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) v);
        }

        @Override
        void storeLong(MemorySegment m, long i, long v) {
            m.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) v);
        }
    },
    F64(DType.F64) {
        @Override
        double load(MemorySegment m, long i) {
            return m.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i);
        }

        @Override
        void store(MemorySegment m, long i, double v) {
            m.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, v);
        }

        @Override
        void storeLong(MemorySegment m, long i, long v) {
            m.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, (double) v);
        }
    },
    F16(DType.F16) {
        @Override
        double load(MemorySegment m, long i) {
            return Float.float16ToFloat(m.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
        }

        @Override
        void store(MemorySegment m, long i, double v) {
            m.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, HalfFloats.doubleToF16(v));
        }
    },
    BF16(DType.BF16) {
        @Override
        double load(MemorySegment m, long i) {
            return HalfFloats.bf16ToFloat(m.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i));
        }

        @Override
        void store(MemorySegment m, long i, double v) {
            m.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, HalfFloats.doubleToBf16(v));
        }
    },
    I8(DType.I8) {
        @Override
        long loadLong(MemorySegment m, long i) {
            return m.get(ValueLayout.JAVA_BYTE, i);
        }

        @Override
        void store(MemorySegment m, long i, double v) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) Math.clamp((long) v, Byte.MIN_VALUE, Byte.MAX_VALUE));
        }

        @Override
        void storeLong(MemorySegment m, long i, long v) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) v);
        }
    },
    I32(DType.I32) {
        @Override
        long loadLong(MemorySegment m, long i) {
            return m.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
        }

        @Override
        void store(MemorySegment m, long i, double v) {
            m.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, (int) v);
        }

        @Override
        void storeLong(MemorySegment m, long i, long v) {
            m.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, (int) v);
        }
    },
    I64(DType.I64) {
        @Override
        long loadLong(MemorySegment m, long i) {
            return m.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
        }

        @Override
        void store(MemorySegment m, long i, double v) {
            m.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, (long) v);
        }

        @Override
        void storeLong(MemorySegment m, long i, long v) {
            m.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, v);
        }
    },
    /** FP8 types use the default methods below, which read and write through {@link Float8}. */
    F8E4M3FN(DType.F8E4M3FN),
    F8E5M2(DType.F8E5M2),
    BOOL(DType.BOOL) {
        @Override
        long loadLong(MemorySegment m, long i) {
            return m.get(ValueLayout.JAVA_BYTE, i) != 0 ? 1 : 0;
        }

        @Override
        void store(MemorySegment m, long i, double v) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
        }

        @Override
        void storeLong(MemorySegment m, long i, long v) {
            m.set(ValueLayout.JAVA_BYTE, i, (byte) (v != 0 ? 1 : 0));
        }
    };

    private final DType dtype;

    ElementAccess(DType dtype) {
        this.dtype = dtype;
    }

    static ElementAccess of(DType dtype) {
        return switch (dtype) {
            case F32 -> F32;
            case F64 -> F64;
            case F16 -> F16;
            case BF16 -> BF16;
            case I8 -> I8;
            case I32 -> I32;
            case I64 -> I64;
            case BOOL -> BOOL;
            case F8E4M3FN -> F8E4M3FN;
            case F8E5M2 -> F8E5M2;
        };
    }

    /** Reads an element as a double; integers and BOOL convert exactly up to 2^53, FP8 decodes exactly. */
    double load(MemorySegment m, long i) {
        return dtype.isStorageOnly() ? Float8.decode(dtype, m.get(ValueLayout.JAVA_BYTE, i)) : loadLong(m, i);
    }

    /**
     * Writes a double: floats round to nearest even (FP8 as {@link Float8} states, the default here), integers truncate
     * toward zero and saturate (NaN gives 0), BOOL takes {@code v != 0}.
     */
    void store(MemorySegment m, long i, double v) {
        m.set(ValueLayout.JAVA_BYTE, i, Float8.encode(dtype, v));
    }

    /** Reads an element as a long: exact for integers, 0 or 1 for BOOL, truncating and saturating for floats. */
    long loadLong(MemorySegment m, long i) {
        return (long) load(m, i);
    }

    /** Writes a long: integers wrap to their width, floats round to nearest even (FP8 by default here), BOOL takes {@code v != 0}. */
    void storeLong(MemorySegment m, long i, long v) {
        store(m, i, v);
    }

    /** Reads an element's bits unchanged, for moves that must not touch values (NaN payloads included). */
    final long loadBits(MemorySegment m, long i) {
        return switch (dtype.byteSize()) {
            case 1 -> m.get(ValueLayout.JAVA_BYTE, i);
            case 2 -> m.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i);
            case 4 -> m.getAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i);
            default -> m.getAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i);
        };
    }

    /** Writes bits read by {@link #loadBits}. */
    final void storeBits(MemorySegment m, long i, long bits) {
        switch (dtype.byteSize()) {
            case 1 -> m.set(ValueLayout.JAVA_BYTE, i, (byte) bits);
            case 2 -> m.setAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i, (short) bits);
            case 4 -> m.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED, i, (int) bits);
            default -> m.setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED, i, bits);
        }
    }
}
