package dev.crossbar.api.sharding;

/**
 * How {@link Fsdp#fullyShard} shards a unit, as the arguments of FSDP2's {@code fully_shard}.
 *
 * @param reshardAfterForward free the gathered parameters after the unit's forward and gather them again for its
 *     backward (true, the default), or keep them from forward to backward (false: less communication, more memory).
 *     A unit that contains other sharded units (the root) always keeps them, as FSDP2 does for its root
 * @param mixedPrecision the compute and reduction types, or null to compute and reduce in the parameters' own type
 * @param prefetch start the next unit's all-gather while this unit computes, in forward and in backward (true by
 *     default)
 */
public record FsdpOptions(boolean reshardAfterForward, MixedPrecision mixedPrecision, boolean prefetch) {
    /**
     * Returns FSDP2's defaults: reshard after forward, full precision, prefetch.
     *
     * @return the options
     */
    public static FsdpOptions defaults() {
        return new FsdpOptions(true, null, true);
    }

    /**
     * Returns these options with another resharding choice.
     *
     * @param reshard whether to free the gathered parameters after forward
     * @return the new options
     */
    public FsdpOptions withReshardAfterForward(boolean reshard) {
        return new FsdpOptions(reshard, mixedPrecision, prefetch);
    }

    /**
     * Returns these options with a mixed-precision policy.
     *
     * @param policy the policy, or null for full precision
     * @return the new options
     */
    public FsdpOptions withMixedPrecision(MixedPrecision policy) {
        return new FsdpOptions(reshardAfterForward, policy, prefetch);
    }

    /**
     * Returns these options with prefetching on or off.
     *
     * @param enabled whether to prefetch the next unit's all-gather
     * @return the new options
     */
    public FsdpOptions withPrefetch(boolean enabled) {
        return new FsdpOptions(reshardAfterForward, mixedPrecision, enabled);
    }
}
