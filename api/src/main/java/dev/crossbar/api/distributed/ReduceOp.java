package dev.crossbar.api.distributed;

/**
 * How {@link ProcessGroup#allReduce} and {@link ProcessGroup#reduceScatter} combine the ranks' elements.
 *
 * <p>Contributions are combined in rank order, so floating results are the same on every rank and in every run.
 * F16 and BF16 are combined in F32 and rounded once to the input type; integer types are combined exactly (with
 * two's-complement wrap-around, as the element-wise ops do).
 */
public enum ReduceOp {
    /** The sum of the contributions. */
    SUM,
    /** The sum divided by the number of ranks; floating types only. */
    AVG,
    /** The element-wise maximum; NaN wins. */
    MAX,
    /** The element-wise minimum; NaN wins. */
    MIN,
    /** The product of the contributions. */
    PROD;

    /**
     * Tells whether this operation is defined for integer element types.
     *
     * @return false for {@link #AVG}, whose integer result would have to be rounded
     */
    public boolean admitsIntegers() {
        return this != AVG;
    }
}
