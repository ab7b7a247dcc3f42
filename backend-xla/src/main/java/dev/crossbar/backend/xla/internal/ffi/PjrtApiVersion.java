package dev.crossbar.backend.xla.internal.ffi;

/**
 * The {@code PJRT_Api_Version} a plugin reports.
 *
 * @param major the major version
 * @param minor the minor version
 */
public record PjrtApiVersion(int major, int minor) {}
