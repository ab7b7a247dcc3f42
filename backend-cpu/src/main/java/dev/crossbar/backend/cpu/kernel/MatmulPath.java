package dev.crossbar.backend.cpu.kernel;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * The cpu backend's matrix-product implementations, one of which {@value #PROPERTY} may force. A forced native path
 * serves the element types its library computes (OpenBLAS: F32; oneDNN: F32 and BF16) and leaves the others to
 * {@link #JAVA}.
 */
public enum MatmulPath {
    /**
     * The fastest present: oneDNN for BF16; for F32 products that are not tiny, OpenBLAS when it recognised the CPU,
     * else oneDNN; else {@link #JAVA}.
     */
    AUTO,
    /** The Vector API kernel; without the incubator module, the scalar blocked kernel. */
    JAVA,
    /** OpenBLAS's {@code cblas_sgemm}, for F32. */
    OPENBLAS,
    /** oneDNN's matmul primitive, for F32 and BF16 (on AMX where present). */
    ONEDNN;

    /** The property that forces a path: {@code auto} (the default), {@code java}, {@code openblas} or {@code onednn}. */
    public static final String PROPERTY = "crossbar.cpu.matmul";

    /**
     * Parses a value of {@value #PROPERTY}.
     *
     * @param value the setting, in any case
     * @return the path
     * @throws IllegalArgumentException if it names none
     */
    public static MatmulPath parse(String value) {
        String name = value.strip().toUpperCase(Locale.ROOT);
        for (MatmulPath path : values()) {
            if (path.name().equals(name)) {
                return path;
            }
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be one of %s, got '%s'", PROPERTY,
                Arrays.stream(values()).map(MatmulPath::propertyValue).collect(Collectors.joining(", ")), value));
    }

    /**
     * Returns the value of {@value #PROPERTY} that selects this path.
     *
     * @return the lower-case name, such as {@code onednn}
     */
    public String propertyValue() {
        return name().toLowerCase(Locale.ROOT);
    }
}
