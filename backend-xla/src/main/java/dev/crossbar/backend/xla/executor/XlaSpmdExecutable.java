package dev.crossbar.backend.xla.executor;

import java.lang.foreign.MemorySegment;
import java.util.List;

/** A compiled SPMD program: every replica runs it on its own arguments, and its collectives exchange values between them. */
public interface XlaSpmdExecutable extends AutoCloseable {
    /**
     * Runs the program once on every replica.
     *
     * @param arguments per replica (index = replica id), one row-major segment per parameter, as {@link XlaExecutable#execute}
     * @return per replica, one new row-major segment per result
     * @throws XlaExecutionException if the runtime fails or returns a value of another type or shape
     */
    List<List<MemorySegment>> execute(List<List<MemorySegment>> arguments);

    /** Frees the compiled program. */
    @Override
    void close();
}
