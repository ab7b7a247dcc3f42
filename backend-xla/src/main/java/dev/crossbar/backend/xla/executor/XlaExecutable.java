package dev.crossbar.backend.xla.executor;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** A compiled module, run with host arguments and returning host results. */
public interface XlaExecutable extends AutoCloseable {
    /**
     * Runs the module.
     *
     * @param arguments one row-major segment per parameter, in native byte order, of exactly the parameter's size
     * @return one new row-major segment per result, checked against the result types given at compilation
     * @throws XlaExecutionException if the runtime fails or returns a value of another type or shape
     */
    List<MemorySegment> execute(List<MemorySegment> arguments);

    /** Frees the compiled program. */
    @Override
    void close();
}
