package dev.crossbar.conformance;

/** The outcome of one (op, dtype) cell of a backend in a conformance run, as written to the results file. */
public enum CellResult {
    /** Declared, run, and matched the reference. */
    PASS,
    /** Declared and run, but a result or an error did not conform. */
    FAIL,
    /** Admitted by the op but not declared by the backend; running it threw the expected UnsupportedOpException. */
    UNSUPPORTED,
    /** Declared, but its check needs another cell the backend does not declare, so it could not be verified. */
    UNVERIFIED,
    /** The backend's probe reported it cannot run on this machine; nothing was run. */
    UNAVAILABLE
}
