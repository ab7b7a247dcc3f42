package dev.crossbar.api;

import java.util.Locale;

/**
 * Element types a {@link Tensor} can hold.
 *
 * <p>Type promotion, used when an op combines two tensors of different types, follows one lattice
 * (the same shape as JAX's, without weak types): {@code BOOL < I8 < I32 < I64 < {F16, BF16} < F32 < F64}.
 * The promoted type of two types is their least upper bound: {@code I64 + F16 = F16}, {@code F16 + BF16 = F32},
 * {@code I32 + F32 = F32}. An integer never promotes a float to a wider float, so mixing types never silently
 * widens to {@code F64}; only an explicit {@code F64} operand gives an {@code F64} result.
 *
 * <p>A Java scalar combined with a tensor does not take part in promotion (it is "weak"): it takes the tensor's
 * type, except that a floating scalar combined with a {@code BOOL} or integer tensor gives {@code F32}.
 *
 * <p>The two 8-bit floating point types of the OCP FP8 specification, {@link #F8E4M3FN} and {@link #F8E5M2}, are
 * storage types ({@link #isStorageOnly()}): tensors of them are created, filled, moved, reshaped and converted, and
 * arithmetic happens after a cast to a wider type, as in PyTorch, whose {@code float8} types serve casts, copies and
 * the scaled matrix product. They are outside the promotion lattice: combining one with another type needs an explicit
 * {@code cast}, as in PyTorch and JAX. Conversions into them round to nearest even, see
 * {@link dev.crossbar.spi.Float8}.
 */
public enum DType {
    /** IEEE 754 binary32. */
    F32(4, Kind.FLOATING, 5),
    /** IEEE 754 binary64. */
    F64(8, Kind.FLOATING, 6),
    /** IEEE 754 binary16, stored in 16 bits; backends may compute in F32 and round to nearest even. */
    F16(2, Kind.FLOATING, 4),
    /** bfloat16 (8-bit exponent, 7-bit mantissa), stored in 16 bits; rounding is to nearest even. */
    BF16(2, Kind.FLOATING, 4),
    /** Signed 8-bit integer. */
    I8(1, Kind.INTEGER, 1),
    /** Signed 32-bit integer. */
    I32(4, Kind.INTEGER, 2),
    /** Signed 64-bit integer; also the type of indices produced by argmax. */
    I64(8, Kind.INTEGER, 3),
    /** Boolean stored in one byte (0 or 1); the result type of comparisons. */
    BOOL(1, Kind.BOOLEAN, 0),
    /**
     * OCP FP8 E4M3FN: 4 exponent bits (bias 7), 3 mantissa bits, no infinities, one NaN pattern per sign
     * ({@code S.1111.111}); the largest value is 448, the smallest subnormal 2^-9. A storage type.
     */
    F8E4M3FN(1, Kind.FLOATING, -1),
    /**
     * OCP FP8 E5M2: 5 exponent bits (bias 15), 2 mantissa bits, IEEE 754 infinities and NaNs; the largest finite value
     * is 57344, the smallest subnormal 2^-16. A storage type.
     */
    F8E5M2(1, Kind.FLOATING, -1);

    /** The three families of element types. */
    public enum Kind {
        /** Floating point types. */
        FLOATING,
        /** Signed integer types. */
        INTEGER,
        /** The boolean type. */
        BOOLEAN
    }

    private final int byteSize;
    private final Kind kind;
    private final int rank;

    DType(int byteSize, Kind kind, int rank) {
        this.byteSize = byteSize;
        this.kind = kind;
        this.rank = rank;
    }

    /**
     * Returns the storage size of one element.
     *
     * @return bytes per element
     */
    public int byteSize() {
        return byteSize;
    }

    /**
     * Returns the family of this type.
     *
     * @return floating, integer or boolean
     */
    public Kind kind() {
        return kind;
    }

    /**
     * Tells whether this is a floating point type.
     *
     * @return true for F16, BF16, F32, F64 and the two FP8 types
     */
    public boolean isFloating() {
        return kind == Kind.FLOATING;
    }

    /**
     * Tells whether this is a storage type: one that ops store, move and convert but do not compute on, and that
     * takes no part in implicit promotion.
     *
     * @return true for F8E4M3FN and F8E5M2
     */
    public boolean isStorageOnly() {
        return rank < 0; // outside the promotion lattice
    }

    /**
     * Tells whether this is a signed integer type.
     *
     * @return true for I8, I32 and I64
     */
    public boolean isInteger() {
        return kind == Kind.INTEGER;
    }

    /**
     * Returns the promoted type of two types, the least upper bound in the lattice described on this class.
     *
     * @param a one type
     * @param b another type
     * @return the type both are converted to before a binary op
     * @throws IllegalArgumentException if the types differ and one is a storage type, which never promotes implicitly
     */
    public static DType promote(DType a, DType b) {
        if (a == b) {
            return a;
        }
        if (a.isStorageOnly() || b.isStorageOnly()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s and %s have no implicit promotion: %s is a storage type; cast it explicitly first, e.g. t.cast(DType.F32)",
                    a, b, a.isStorageOnly() ? a : b));
        }
        if (a.rank == b.rank) {
            return F32; // F16 and BF16 share a rank: neither holds the other, F32 holds both
        }
        return a.rank > b.rank ? a : b;
    }

    /**
     * Returns the type of the result when a Java scalar is combined with a tensor of this type.
     *
     * @param floatingScalar whether the scalar is a floating point value
     * @return this type, or F32 when a floating scalar meets a boolean or integer tensor
     */
    public DType withScalar(boolean floatingScalar) {
        return floatingScalar && !isFloating() ? F32 : this;
    }

    /**
     * Returns the lower-case name used in messages, devices and files, such as {@code "bf16"}.
     *
     * @return the short name
     */
    public String shortName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
