package dev.crossbar.spi;

/** How a backend runs ops. */
public enum ExecutionMode {
    /** Each op runs when called (asynchronously on a device stream where there is one). */
    EAGER,
    /** Ops are recorded into a graph and compiled at materialization points. */
    LAZY_GRAPH
}
