package dev.crossbar.spi.kernel;

/**
 * Common supertype of kernel interfaces. A kernel class implements the interface of its op
 * ({@link dev.crossbar.spi.Op#kernelType()}) and carries {@link dev.crossbar.spi.Kernel} annotations naming the
 * cells it serves. Inputs arrive with a common element type, shapes already checked and broadcast; outputs are
 * row-major views the API allocated.
 */
public interface OpKernel {
}
