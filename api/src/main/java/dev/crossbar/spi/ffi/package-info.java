/**
 * Native library lookup for backend plugins: {@link dev.crossbar.spi.ffi.NativeLibrary} opens a shared library for the
 * life of the JVM and binds its functions, turning every loader failure (not installed, missing symbol, native access
 * denied) into a {@link dev.crossbar.spi.ffi.LibraryUnavailableException} that says how to fix it. A backend's own
 * {@code internal.ffi} classes declare the C signatures and check the return codes.
 */
package dev.crossbar.spi.ffi;
