package dev.crossbar.spi.codegen;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * A kernel's complete, self-contained source in one dialect. The source starts with the shared prelude inside an
 * include guard, so several kernels of one dialect may be concatenated into one translation unit.
 *
 * @param name a readable name, such as {@code "add f32"}
 * @param dialect the dialect of the source
 * @param source the source text
 * @param entryPoint the unmangled symbol of the kernel function
 * @param parameters the kernel's parameters in order
 * @param sha256 the SHA-256 of the source's UTF-8 bytes in lower-case hex: the key for caching compiled code
 */
public record GeneratedKernel(String name, Dialect dialect, String source, String entryPoint, List<KernelParameter> parameters, String sha256) {

    /**
     * Checks the components and copies the parameter list.
     *
     * @param name a readable name
     * @param dialect the dialect
     * @param source the source text
     * @param entryPoint the kernel's symbol
     * @param parameters its parameters
     * @param sha256 the source's hash
     */
    public GeneratedKernel {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(dialect, "dialect is null");
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(entryPoint, "entryPoint is null");
        parameters = List.copyOf(parameters);
        if (!sha256.equals(sha256Of(source))) {
            throw new IllegalArgumentException("sha256 " + sha256 + " is not the hash of the source of " + name);
        }
    }

    /**
     * Creates a kernel and computes its hash. Backends use it for kernels they write themselves on top of
     * {@link KernelGenerator#prelude()}, so that those go through the same launch and cache code as generated ones.
     *
     * @param name a readable name
     * @param dialect the dialect of the source
     * @param source the complete source
     * @param entryPoint the kernel's symbol
     * @param parameters its parameters in order
     * @return the kernel
     */
    public static GeneratedKernel of(String name, Dialect dialect, String source, String entryPoint, List<KernelParameter> parameters) {
        return new GeneratedKernel(name, dialect, source, entryPoint, parameters, sha256Of(source));
    }

    private static String sha256Of(String source) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform provides SHA-256", e);
        }
    }
}
