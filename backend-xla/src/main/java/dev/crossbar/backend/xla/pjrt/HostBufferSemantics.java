package dev.crossbar.backend.xla.pjrt;

/**
 * {@code PJRT_HostBufferSemantics}: how long a plugin may read the host memory a buffer is created from. Crossbar
 * stages every host array in memory of its own, which it keeps until the plugin's {@code done_with_host_buffer} event
 * says the memory is no longer read, so the caller's array is free as soon as {@link PjrtClient#toDevice} returns
 * whichever semantics is chosen. The constants are in C order.
 */
public enum HostBufferSemantics {
    /** The plugin copies during the call. */
    IMMUTABLE_ONLY_DURING_CALL,
    /** The plugin may read the memory until the transfer completes, asynchronously. */
    IMMUTABLE_UNTIL_TRANSFER_COMPLETES,
    /** The buffer may alias the memory for its whole life (read-only); the staging memory lives as long as the buffer. */
    IMMUTABLE_ZERO_COPY
}
