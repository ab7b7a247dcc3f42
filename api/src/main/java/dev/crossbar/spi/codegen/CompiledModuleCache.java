package dev.crossbar.spi.codegen;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.checkpoint.AtomicFiles;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.function.Function;

/**
 * Compiled kernels on disk, one file per kernel source and target architecture, named by the source's SHA-256 and
 * the architecture ({@code <sha256>-compute_90.ptx}, {@code <sha256>-gfx90a_xnack-.co}), so a JVM start reuses what
 * an earlier one compiled. Files are written with {@link AtomicFiles}, so a crash never leaves a truncated module.
 * The GPU backends keep one per device: PTX from NVRTC, AMDGPU code objects from hiprtc.
 */
public final class CompiledModuleCache {
    private final Path directory;
    private final String architecture;
    private final String extension;
    private final String directoryProperty;
    private final Function<GeneratedKernel, byte[]> compiler;

    /**
     * Creates a cache over a directory, created when the first module is written.
     *
     * @param directory where the compiled modules are kept
     * @param architecture the target, such as {@code compute_90} or {@code gfx90a:xnack-}; a {@code ':'} becomes
     *     {@code '_'} in file names
     * @param extension the files' extension without the dot, such as {@code ptx} or {@code co}
     * @param directoryProperty the property that chooses the directory, named in error messages
     * @param compiler compiles a kernel for that architecture
     */
    public CompiledModuleCache(Path directory, String architecture, String extension, String directoryProperty,
            Function<GeneratedKernel, byte[]> compiler) {
        this.directory = Objects.requireNonNull(directory, "directory is null");
        this.architecture = Objects.requireNonNull(architecture, "architecture is null");
        this.extension = Objects.requireNonNull(extension, "extension is null");
        this.directoryProperty = Objects.requireNonNull(directoryProperty, "directoryProperty is null");
        this.compiler = Objects.requireNonNull(compiler, "compiler is null");
    }

    /**
     * Returns a kernel's compiled module, compiling it on the first request ever made for its source and architecture.
     *
     * @param kernel the kernel
     * @return the module's bytes
     * @throws CrossbarException if the cached file cannot be read or the compiled one cannot be written, naming the
     *     file and the property that moves the cache
     */
    public synchronized byte[] module(GeneratedKernel kernel) {
        Path file = directory.resolve(kernel.sha256() + "-" + architecture.replace(':', '_') + "." + extension);
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException missing) {
            byte[] module = compiler.apply(kernel);
            write(file, module);
            return module;
        } catch (IOException e) {
            throw new CrossbarException(String.format(Locale.ROOT, "cannot read the compiled module %s (%s); delete it or point %s elsewhere",
                    file, e.getMessage(), directoryProperty), e);
        }
    }

    private void write(Path file, byte[] module) {
        try {
            Files.createDirectories(directory);
            AtomicFiles.write(file, channel -> {
                ByteBuffer bytes = ByteBuffer.wrap(module);
                while (bytes.hasRemaining()) {
                    channel.write(bytes);
                }
            });
        } catch (IOException e) {
            throw new CrossbarException(String.format(Locale.ROOT,
                    "cannot write the compiled module %s (%s); make the directory writable or set %s to one that is", file, e.getMessage(),
                    directoryProperty), e);
        }
    }
}
