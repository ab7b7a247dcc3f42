package dev.crossbar.backend.rocm;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.spi.codegen.GeneratedKernel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.Function;

/**
 * Compiled kernels on disk, one AMDGPU code object per kernel source and processor, named by the source's SHA-256 and
 * the processor ({@code <sha256>-gfx90a_sramecc+_xnack-.co}), so a JVM start reuses what an earlier one compiled.
 * Files are written to a temporary name and moved into place, so a crash never leaves a truncated module behind.
 */
final class CompiledModuleCache {
    private final Path directory;
    private final String architecture;
    private final Function<GeneratedKernel, byte[]> compiler;

    /**
     * Creates the cache.
     *
     * @param directory where modules are kept; created when missing
     * @param architecture the processor as hiprtc's {@code --offload-arch} takes it, such as {@code gfx90a:xnack-}
     * @param compiler compiles a kernel to a code object for that processor
     */
    CompiledModuleCache(Path directory, String architecture, Function<GeneratedKernel, byte[]> compiler) {
        this.directory = directory;
        this.architecture = architecture;
        this.compiler = compiler;
    }

    /**
     * Returns a kernel's code object, compiling it on the first request ever made for its source and processor.
     *
     * @param kernel the kernel
     * @return the code object
     */
    synchronized byte[] codeObject(GeneratedKernel kernel) {
        Path file = directory.resolve(kernel.sha256() + "-" + architecture.replace(':', '_') + ".co");
        try {
            byte[] cached = Files.readAllBytes(file);
            return cached;
        } catch (NoSuchFileException missing) {
            byte[] code = compiler.apply(kernel);
            write(file, code);
            return code;
        } catch (IOException e) {
            throw new CrossbarException(String.format(Locale.ROOT, "cannot read the compiled module %s (%s); delete it or point crossbar.rocm.cache elsewhere",
                    file, e.getMessage()), e);
        }
    }

    private void write(Path file, byte[] code) {
        try {
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
            try {
                Files.write(temporary, code);
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new CrossbarException(String.format(Locale.ROOT,
                    "cannot write the compiled module %s (%s); make the directory writable or set crossbar.rocm.cache to one that is", file, e.getMessage()), e);
        }
    }
}
