package dev.crossbar.backend.cpu.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.List;
import java.util.Locale;

/** A oneDNN function that returned a {@code dnnl_status_t} other than {@code dnnl_success}. */
public final class DnnlException extends CrossbarException {
    /** The names of {@code dnnl_status_t} in {@code dnnl_types.h} of oneDNN 2.6, by value. */
    private static final List<String> NAMES = List.of("dnnl_success", "dnnl_out_of_memory", "dnnl_invalid_arguments", "dnnl_unimplemented",
            "dnnl_iterator_ends", "dnnl_runtime_error", "dnnl_not_required");

    private final int status;

    /**
     * Creates the error.
     *
     * @param function the oneDNN function, such as {@code dnnl_primitive_desc_create}
     * @param status the status it returned
     * @param context what was being done, with the values involved
     */
    DnnlException(String function, int status, String context) {
        super(String.format(Locale.ROOT, "%s returned %s (%d) %s", function, name(status), status, context));
        this.status = status;
    }

    /**
     * Returns the symbolic name of a status.
     *
     * @param status a dnnl_status_t
     * @return its name, such as {@code dnnl_unimplemented}, or {@code UNKNOWN_dnnl_status_t(status)}
     */
    public static String name(int status) {
        return status >= 0 && status < NAMES.size() ? NAMES.get(status) : String.format(Locale.ROOT, "UNKNOWN_dnnl_status_t(%d)", status);
    }

    /**
     * Returns the status.
     *
     * @return the dnnl_status_t
     */
    public int status() {
        return status;
    }
}
