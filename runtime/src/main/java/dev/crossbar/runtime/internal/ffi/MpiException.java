package dev.crossbar.runtime.internal.ffi;

import dev.crossbar.api.CrossbarException;
import java.util.List;
import java.util.Locale;

/**
 * An MPI function failed, or Open MPI cannot be used. The message names the function, the error code, its error class
 * by its {@code mpi.h} name (such as {@code MPI_ERR_TRUNCATE}) and {@code MPI_Error_string}'s description.
 */
public final class MpiException extends CrossbarException {
    /** mpi.h's error classes {@code MPI_SUCCESS (0)} to {@code MPI_ERR_WIN (53)}, indexed by value. */
    private static final List<String> CLASS_NAMES = List.of("MPI_SUCCESS", "MPI_ERR_BUFFER", "MPI_ERR_COUNT", "MPI_ERR_TYPE", "MPI_ERR_TAG",
            "MPI_ERR_COMM", "MPI_ERR_RANK", "MPI_ERR_REQUEST", "MPI_ERR_ROOT", "MPI_ERR_GROUP", "MPI_ERR_OP", "MPI_ERR_TOPOLOGY", "MPI_ERR_DIMS",
            "MPI_ERR_ARG", "MPI_ERR_UNKNOWN", "MPI_ERR_TRUNCATE", "MPI_ERR_OTHER", "MPI_ERR_INTERN", "MPI_ERR_IN_STATUS", "MPI_ERR_PENDING",
            "MPI_ERR_ACCESS", "MPI_ERR_AMODE", "MPI_ERR_ASSERT", "MPI_ERR_BAD_FILE", "MPI_ERR_BASE", "MPI_ERR_CONVERSION", "MPI_ERR_DISP",
            "MPI_ERR_DUP_DATAREP", "MPI_ERR_FILE_EXISTS", "MPI_ERR_FILE_IN_USE", "MPI_ERR_FILE", "MPI_ERR_INFO_KEY", "MPI_ERR_INFO_NOKEY",
            "MPI_ERR_INFO_VALUE", "MPI_ERR_INFO", "MPI_ERR_IO", "MPI_ERR_KEYVAL", "MPI_ERR_LOCKTYPE", "MPI_ERR_NAME", "MPI_ERR_NO_MEM",
            "MPI_ERR_NOT_SAME", "MPI_ERR_NO_SPACE", "MPI_ERR_NO_SUCH_FILE", "MPI_ERR_PORT", "MPI_ERR_QUOTA", "MPI_ERR_READ_ONLY",
            "MPI_ERR_RMA_CONFLICT", "MPI_ERR_RMA_SYNC", "MPI_ERR_SERVICE", "MPI_ERR_SIZE", "MPI_ERR_SPAWN", "MPI_ERR_UNSUPPORTED_DATAREP",
            "MPI_ERR_UNSUPPORTED_OPERATION", "MPI_ERR_WIN");

    private final int code;
    private final String errorClass;

    MpiException(String function, int code, int errorClass, String description) {
        super(String.format(Locale.ROOT, "%s failed: %s (%d): %s", function, className(errorClass), code, description));
        this.code = code;
        this.errorClass = className(errorClass);
    }

    MpiException(String message, Throwable cause) {
        super(message, cause);
        this.code = -1;
        this.errorClass = "";
    }

    /**
     * Returns the error code the function returned.
     *
     * @return the code, or -1 when Open MPI could not be loaded
     */
    public int code() {
        return code;
    }

    /**
     * Returns the error class of the code by its mpi.h name.
     *
     * @return a name such as {@code MPI_ERR_TRUNCATE}, or empty when Open MPI could not be loaded
     */
    public String errorClass() {
        return errorClass;
    }

    static String className(int errorClass) {
        if (errorClass >= 0 && errorClass < CLASS_NAMES.size()) {
            return CLASS_NAMES.get(errorClass);
        }
        return switch (errorClass) {
            case 68 -> "MPI_ERR_RMA_RANGE";
            case 69 -> "MPI_ERR_RMA_ATTACH";
            case 70 -> "MPI_ERR_RMA_FLAVOR";
            case 71 -> "MPI_ERR_RMA_SHARED";
            default -> "MPI error class " + errorClass;
        };
    }
}
