package dev.crossbar.spi.codegen;

/**
 * The helpers every generated kernel shares: fixed-width type names, the shape and layout structs, F16 and BF16
 * conversions rounding to nearest even, saturating float-to-integer conversions, Java's max, min and pow rules,
 * Philox4x32-10, and compare-and-swap adds for 8- and 16-bit elements. It sits in an include guard so that kernels
 * of one dialect can share a translation unit.
 */
final class Prelude {
    private Prelude() {
    }

    static String source(Dialect dialect) {
        String df = dialect.deviceFunction();
        String global = dialect.globalPointer();
        StringBuilder s = new StringBuilder(dialect.preamble());
        s.append("""
                #ifndef CROSSBAR_PRELUDE
                #define CROSSBAR_PRELUDE
                typedef signed char cb_i8;
                typedef int cb_i32;
                typedef LONG cb_i64;
                typedef unsigned char cb_bool;
                typedef unsigned short cb_u16;
                typedef unsigned int cb_u32;
                typedef unsigned LONG cb_u64;
                #define CB_MAX_RANK 8
                typedef struct { cb_i64 rank; cb_i64 size[CB_MAX_RANK]; } cb_dims;
                typedef struct { cb_i64 offset; cb_i64 stride[CB_MAX_RANK]; } cb_layout;

                """.replace("LONG", dialect.signed64()));
        s.append("""
                DF float cb_f32_from_bits(cb_u32 bits) { union { cb_u32 u; float f; } v; v.u = bits; return v.f; }
                DF cb_u32 cb_bits_of_f32(float value) { union { float f; cb_u32 u; } v; v.f = value; return v.u; }

                /* F16 (IEEE binary16) and BF16 are stored as raw 16 bits and computed in float. */
                DF float cb_f16_to_f32(cb_u16 f16) {
                  cb_u32 sign = (cb_u32)(f16 & 0x8000u) << 16;
                  cb_u32 exponent = (f16 >> 10) & 0x1Fu;
                  cb_u32 mantissa = f16 & 0x3FFu;
                  if (exponent == 0x1Fu) return cb_f32_from_bits(sign | 0x7F800000u | (mantissa << 13));
                  if (exponent == 0u) return cb_f32_from_bits(sign | cb_bits_of_f32((float)mantissa * 5.9604644775390625e-8f));
                  return cb_f32_from_bits(sign | ((exponent + 112u) << 23) | (mantissa << 13));
                }

                /* Rounds to nearest even (F. Giesen, float_to_half_fast3_rtne); NaN becomes the quiet NaN 0x7E00 with its sign. */
                DF cb_u16 cb_f32_to_f16(float value) {
                  cb_u32 bits = cb_bits_of_f32(value);
                  cb_u32 sign = (bits >> 16) & 0x8000u;
                  cb_u32 magnitude = bits & 0x7FFFFFFFu;
                  cb_u32 f16;
                  if (magnitude >= 0x47800000u) {
                    f16 = magnitude > 0x7F800000u ? 0x7E00u : 0x7C00u;
                  } else if (magnitude < 0x38800000u) {
                    /* F16 subnormals: adding 0.5 lines the value up on their grid; the float addition rounds to nearest even. */
                    f16 = cb_bits_of_f32(cb_f32_from_bits(magnitude) + 0.5f) - 0x3F000000u;
                  } else {
                    cb_u32 odd = (magnitude >> 13) & 1u;
                    f16 = (magnitude + 0xC8000FFFu + odd) >> 13;
                  }
                  return (cb_u16)(sign | f16);
                }

                DF float cb_bf16_to_f32(cb_u16 bf16) { return cb_f32_from_bits((cb_u32)bf16 << 16); }

                /* Rounds to nearest even; a NaN keeps its sign and high payload and gets the quiet bit. */
                DF cb_u16 cb_f32_to_bf16(float value) {
                  cb_u32 bits = cb_bits_of_f32(value);
                  if ((bits & 0x7FFFFFFFu) > 0x7F800000u) return (cb_u16)((bits >> 16) | 0x0040u);
                  return (cb_u16)((bits + 0x7FFFu + ((bits >> 16) & 1u)) >> 16);
                }

                /* Narrows rounding to odd, so the second rounding to F16 or BF16 is the correctly rounded one (Boldo and Melquiond 2008). */
                DF float cb_f64_to_f32_odd(double value) {
                  float nearest = (float)value;
                  cb_u32 bits = cb_bits_of_f32(nearest);
                  if ((bits & 0x7F800000u) != 0x7F800000u && (double)nearest != value && (bits & 1u) == 0u) {
                    double magnitude = value < 0.0 ? -value : value;
                    double nearestMagnitude = nearest < 0.0f ? -(double)nearest : (double)nearest;
                    return cb_f32_from_bits(magnitude > nearestMagnitude ? bits + 1u : bits - 1u);
                  }
                  return nearest;
                }
                DF cb_u16 cb_f64_to_f16(double value) { return cb_f32_to_f16(cb_f64_to_f32_odd(value)); }
                DF cb_u16 cb_f64_to_bf16(double value) { return cb_f32_to_bf16(cb_f64_to_f32_odd(value)); }

                /* Floats to integers truncate toward zero and saturate; NaN gives 0 (Java's casts). */
                DF cb_i64 cb_f64_to_i64(double value) {
                  if (value != value) return 0;
                  if (value >= 9223372036854775807.0) return 0x7FFFFFFFFFFFFFFFLL;
                  if (value <= -9223372036854775808.0) return -0x7FFFFFFFFFFFFFFFLL - 1;
                  return (cb_i64)value;
                }
                DF cb_i32 cb_f64_to_i32(double value) {
                  if (value != value) return 0;
                  if (value >= 2147483647.0) return 2147483647;
                  if (value <= -2147483648.0) return -2147483647 - 1;
                  return (cb_i32)value;
                }
                DF cb_i8 cb_f64_to_i8(double value) {
                  if (value != value) return 0;
                  if (value >= 127.0) return 127;
                  if (value <= -128.0) return -128;
                  return (cb_i8)(cb_i32)value;
                }

                """);
        for (String type : new String[] {"f32", "f64"}) {
            boolean single = type.equals("f32");
            String t = single ? "float" : "double";
            String zero = single ? "0.0f" : "0.0";
            String one = single ? "1.0f" : "1.0";
            s.append("""
                    /* Java's Math.max and min: NaN wins, and -0 is below +0. */
                    DF T cb_java_max_X(T a, T b) {
                      if (a != a || b != b) return a + b;
                      if (a == b) return a == ZERO ? a + b : a;
                      return a > b ? a : b;
                    }
                    DF T cb_java_min_X(T a, T b) {
                      if (a != a || b != b) return a + b;
                      if (a == b) return a == ZERO ? -(-a - b) : a;
                      return a < b ? a : b;
                    }
                    /* Java's Math.pow: a NaN exponent gives NaN, and so does (+-1) to an infinite power. */
                    DF T cb_java_pow_X(T a, T b) {
                      if (b != b) return b;
                      if ((a == ONE || a == -ONE) && b - b != b - b) return b - b;
                      return POW(a, b);
                    }

                    """.replace("T ", t + " ").replace("_X", "_" + type).replace("ZERO", zero).replace("ONE", one).replace("POW", dialect.math("pow", single)));
        }
        s.append("""
                /* Philox4x32-10 (Salmon et al., SC'11) exactly as dev.crossbar.spi.Philox: counter {lo, hi, 0, 0} of the block, key {lo, hi} of the seed. */
                DF void cb_philox(cb_u64 seed, cb_u64 block, cb_u32* words) {
                  cb_u32 c0 = (cb_u32)block, c1 = (cb_u32)(block >> 32), c2 = 0u, c3 = 0u;
                  cb_u32 k0 = (cb_u32)seed, k1 = (cb_u32)(seed >> 32);
                  for (int round = 0; round < 10; ++round) {
                    cb_u64 p0 = (cb_u64)0xD2511F53u * c0;
                    cb_u64 p1 = (cb_u64)0xCD9E8D57u * c2;
                    cb_u32 n0 = (cb_u32)(p1 >> 32) ^ c1 ^ k0;
                    cb_u32 n1 = (cb_u32)p1;
                    cb_u32 n2 = (cb_u32)(p0 >> 32) ^ c3 ^ k1;
                    cb_u32 n3 = (cb_u32)p0;
                    c0 = n0; c1 = n1; c2 = n2; c3 = n3;
                    k0 += 0x9E3779B9u; k1 += 0xBB67AE85u;
                  }
                  words[0] = c0; words[1] = c1; words[2] = c2; words[3] = c3;
                }

                """);
        narrowAtomicAdd(s, dialect, "f16", "cb_u16", 16, "float", "cb_f32_to_f16(cb_f16_to_f32((cb_u16)current) + value)");
        narrowAtomicAdd(s, dialect, "bf16", "cb_u16", 16, "float", "cb_f32_to_bf16(cb_bf16_to_f32((cb_u16)current) + value)");
        narrowAtomicAdd(s, dialect, "i8", "cb_i8", 8, "cb_i32", "(cb_u32)(current + (cb_u32)value)");
        if (dialect == Dialect.OPENCL) {
            floatAtomicAdds(s);
        }
        s.append("#endif\n");
        return s.toString().replace("DF ", df + " ").replace("GLOBAL ", global);
    }

    /** OpenCL 1.2 has integer atomics only: F32 and F64 adds are compare-and-swap loops on the element's bits. */
    private static void floatAtomicAdds(StringBuilder s) {
        for (String[] t : new String[][] {{"f32", "float", "cb_u32", "atomic_cmpxchg", "uint"}, {"f64", "double", "cb_u64", "atom_cmpxchg", "ulong"}}) {
            s.append("""
                    DF void cb_atomic_add_X(GLOBAL T* address, T value) {
                      volatile GLOBAL W* word = (volatile GLOBAL W*)address;
                      W old = *word;
                      W assumed;
                      do {
                        assumed = old;
                        old = CAS(word, assumed, as_BITS(as_T(assumed) + value));
                      } while (old != assumed);
                    }

                    """.replace("_X", "_" + t[0]).replace("BITS", t[4]).replace("CAS", t[3]).replace("T", t[1]).replace("W", t[2]));
        }
    }

    /** An atomic add for an element narrower than 32 bits: a compare-and-swap loop on the word that contains it. */
    private static void narrowAtomicAdd(StringBuilder s, Dialect dialect, String type, String storage, int bits, String valueType, String updated) {
        String mask = bits == 16 ? "0xFFFFu" : "0xFFu";
        String lane = bits == 16 ? "2u" : "3u";
        s.append("DF void cb_atomic_add_").append(type).append("(GLOBAL ").append(storage).append("* address, ").append(valueType).append(" value) {\n")
                .append("  GLOBAL cb_u32* word = (GLOBAL cb_u32*)((cb_u64)address & ~(cb_u64)3);\n")
                .append("  cb_u32 shift = (cb_u32)((cb_u64)address & ").append(lane).append(") * 8u;\n")
                .append("  cb_u32 old = *word;\n")
                .append("  cb_u32 assumed;\n")
                .append("  do {\n")
                .append("    assumed = old;\n")
                .append("    cb_u32 current = (assumed >> shift) & ").append(mask).append(";\n")
                .append("    cb_u32 updated = (cb_u32)(").append(updated).append(") & ").append(mask).append(";\n")
                .append("    old = ").append(dialect.atomicCompareAndSwap32("word", "assumed", "(assumed & ~(" + mask + " << shift)) | (updated << shift)")).append(";\n")
                .append("  } while (old != assumed);\n")
                .append("}\n\n");
    }
}
