package dev.crossbar.spi.codegen;

import dev.crossbar.spi.TensorView;
import java.util.Arrays;

/**
 * The arguments that describe a reduction's input to a generated reduce kernel: the input over the output's shape
 * (reduced axes with stride 0), and the reduced axes as a shape of their own with the input's strides along them.
 *
 * @param kept the input's layout over the output's shape
 * @param reducedShape the sizes of the reduced axes, in order
 * @param reduced the input's strides along the reduced axes, with offset 0
 */
public record ReductionDescriptors(LayoutDescriptor kept, ShapeDescriptor reducedShape, LayoutDescriptor reduced) {

    /**
     * Splits an input's axes into kept and reduced ones.
     *
     * @param in the input
     * @param axes the reduced axes, sorted and distinct
     * @return the descriptors
     */
    public static ReductionDescriptors of(TensorView in, int[] axes) {
        long[] keptStrides = in.strides();
        long[] reducedSizes = new long[axes.length];
        long[] reducedStrides = new long[axes.length];
        for (int i = 0; i < axes.length; i++) {
            if (i > 0 && axes[i] <= axes[i - 1]) {
                throw new IllegalArgumentException("reduced axes " + Arrays.toString(axes) + " are not sorted and distinct");
            }
            reducedSizes[i] = in.shape().dim(axes[i]);
            reducedStrides[i] = in.stride(axes[i]);
            keptStrides[axes[i]] = 0;
        }
        return new ReductionDescriptors(new LayoutDescriptor(in.offset(), keptStrides), new ShapeDescriptor(reducedSizes),
                new LayoutDescriptor(0, reducedStrides));
    }
}
