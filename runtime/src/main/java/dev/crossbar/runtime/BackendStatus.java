package dev.crossbar.runtime;

/** What discovery found out about one backend plugin. */
public enum BackendStatus {
    /** The plugin loaded and its probe found devices: it can be selected. */
    AVAILABLE,
    /** The plugin loaded but its probe reported why it cannot run here, such as a missing native library. */
    UNAVAILABLE,
    /** The plugin was built against another SPI version and was not used. */
    INCOMPATIBLE_SPI,
    /** The plugin failed to load or broke its contract (its constructor or probe threw). */
    BROKEN
}
