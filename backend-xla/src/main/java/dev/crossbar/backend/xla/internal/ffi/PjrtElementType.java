package dev.crossbar.backend.xla.internal.ffi;

import dev.crossbar.api.DType;
import java.util.Locale;
import java.util.Optional;

/** {@code PJRT_Buffer_Type}, in its C order (the ordinal is the C value), with the Crossbar dtype of each type that has one. */
public enum PjrtElementType {
    /** Not a type. */
    INVALID(null),
    /** Boolean. */
    PRED(DType.BOOL),
    /** Signed 8-bit. */
    S8(DType.I8),
    /** Signed 16-bit. */
    S16(null),
    /** Signed 32-bit. */
    S32(DType.I32),
    /** Signed 64-bit. */
    S64(DType.I64),
    /** Unsigned 8-bit. */
    U8(null),
    /** Unsigned 16-bit. */
    U16(null),
    /** Unsigned 32-bit. */
    U32(null),
    /** Unsigned 64-bit. */
    U64(null),
    /** IEEE binary16. */
    F16(DType.F16),
    /** IEEE binary32. */
    F32(DType.F32),
    /** IEEE binary64. */
    F64(DType.F64),
    /** bfloat16. */
    BF16(DType.BF16),
    /** Complex of two F32. */
    C64(null),
    /** Complex of two F64. */
    C128(null),
    /** 8-bit float. */
    F8E5M2(null),
    /** 8-bit float. */
    F8E4M3FN(null),
    /** 8-bit float. */
    F8E4M3B11FNUZ(null),
    /** 8-bit float. */
    F8E5M2FNUZ(null),
    /** 8-bit float. */
    F8E4M3FNUZ(null),
    /** Signed 4-bit. */
    S4(null),
    /** Unsigned 4-bit. */
    U4(null),
    /** A token. */
    TOKEN(null),
    /** Signed 2-bit. */
    S2(null),
    /** Unsigned 2-bit. */
    U2(null),
    /** 8-bit float. */
    F8E4M3(null),
    /** 8-bit float. */
    F8E3M4(null),
    /** 8-bit exponent-only float. */
    F8E8M0FNU(null),
    /** 4-bit float. */
    F4E2M1FN(null),
    /** Signed 1-bit. */
    S1(null),
    /** Unsigned 1-bit. */
    U1(null);

    private final DType dtype;

    PjrtElementType(DType dtype) {
        this.dtype = dtype;
    }

    /**
     * Returns the Crossbar dtype stored in this PJRT type.
     *
     * @return the dtype, or empty when Crossbar has none for it
     */
    public Optional<DType> dtype() {
        return Optional.ofNullable(dtype);
    }

    /**
     * Returns the PJRT type that stores a Crossbar dtype.
     *
     * @param dtype the dtype
     * @return its PJRT type
     */
    public static PjrtElementType of(DType dtype) {
        for (PjrtElementType type : values()) {
            if (type.dtype == dtype) {
                return type;
            }
        }
        throw new IllegalArgumentException("no PJRT_Buffer_Type for " + dtype);
    }

    /**
     * Returns the type of a C value.
     *
     * @param value a {@code PJRT_Buffer_Type} value
     * @return the type
     * @throws PjrtPluginException if the value is beyond the types of pjrt_c_api.h 0.94
     */
    static PjrtElementType ofValue(int value) {
        if (value < 0 || value >= values().length) {
            throw new PjrtPluginException(String.format(Locale.ROOT, "the PJRT plugin returned PJRT_Buffer_Type %d, which pjrt_c_api.h 0.94 does not define", value));
        }
        return values()[value];
    }
}
