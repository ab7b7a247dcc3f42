package dev.crossbar.api.distributed;

/** The code one rank of an SPMD run executes, when it returns nothing. */
@FunctionalInterface
public interface RankBody {
    /**
     * Runs one rank.
     *
     * @param rank the rank's context
     * @throws Exception any failure, reported to the launcher's caller
     */
    void run(RankContext rank) throws Exception;
}
