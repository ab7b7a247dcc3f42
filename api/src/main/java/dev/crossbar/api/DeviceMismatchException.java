package dev.crossbar.api;

import java.util.Locale;

/** Thrown when an op is given tensors that live on different devices. */
public class DeviceMismatchException extends CrossbarException {
    /**
     * Creates the error.
     *
     * @param op the op
     * @param first the device of the first tensor
     * @param second the device of the other tensor
     */
    public DeviceMismatchException(String op, Device first, Device second) {
        super(String.format(Locale.ROOT, "%s: tensors are on different devices, %s and %s; move one with t.to(device)", op, first, second));
    }
}
