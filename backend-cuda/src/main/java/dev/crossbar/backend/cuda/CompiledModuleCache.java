package dev.crossbar.backend.cuda;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.spi.codegen.GeneratedKernel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;
import java.util.function.Function;

/**
 * Compiled kernels on disk, one PTX file per kernel source and architecture, named by the source's SHA-256 and the
 * architecture ({@code <sha256>-compute_90.ptx}), so a JVM start reuses what an earlier one compiled. Files are
 * written to a temporary name and moved into place, so a crash never leaves a truncated module behind.
 */
final class CompiledModuleCache {
    private final Path directory;
    private final String architecture;
    private final Function<GeneratedKernel, String> compiler;
    private long hits;
    private long compilations;

    /**
     * Creates the cache.
     *
     * @param directory where modules are kept; created when missing
     * @param architecture the virtual architecture, such as {@code compute_90}
     * @param compiler compiles a kernel to PTX for that architecture
     */
    CompiledModuleCache(Path directory, String architecture, Function<GeneratedKernel, String> compiler) {
        this.directory = directory;
        this.architecture = architecture;
        this.compiler = compiler;
    }

    /**
     * Returns a kernel's PTX, compiling it on the first request ever made for its source and architecture.
     *
     * @param kernel the kernel
     * @return the PTX text
     */
    synchronized String ptx(GeneratedKernel kernel) {
        Path file = directory.resolve(kernel.sha256() + "-" + architecture + ".ptx");
        try {
            String cached = Files.readString(file, StandardCharsets.UTF_8);
            hits++;
            return cached;
        } catch (NoSuchFileException missing) {
            String ptx = compiler.apply(kernel);
            compilations++;
            write(file, ptx);
            return ptx;
        } catch (IOException e) {
            throw new CrossbarException(String.format(Locale.ROOT, "cannot read the compiled module %s (%s); delete it or point crossbar.cuda.cache elsewhere",
                    file, e.getMessage()), e);
        }
    }

    /**
     * Returns how many requests were served from disk.
     *
     * @return the count
     */
    synchronized long hits() {
        return hits;
    }

    /**
     * Returns how many kernels were compiled.
     *
     * @return the count
     */
    synchronized long compilations() {
        return compilations;
    }

    private void write(Path file, String ptx) {
        try {
            Files.createDirectories(directory);
            Path temporary = Files.createTempFile(directory, file.getFileName().toString(), ".tmp");
            try {
                Files.writeString(temporary, ptx, StandardCharsets.UTF_8);
                Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temporary);
            }
        } catch (IOException e) {
            throw new CrossbarException(String.format(Locale.ROOT,
                    "cannot write the compiled module %s (%s); make the directory writable or set crossbar.cuda.cache to one that is", file, e.getMessage()), e);
        }
    }
}
