/**
 * Device memory for backend plugins: a {@link dev.crossbar.spi.memory.CachingAllocator} that keeps freed blocks of one
 * stream for reuse over a small {@link dev.crossbar.spi.memory.CachingAllocator.DeviceMemory} interface, and the
 * {@link dev.crossbar.spi.memory.MemoryStats} a backend reports to the runtime's accounting.
 */
package dev.crossbar.spi.memory;
