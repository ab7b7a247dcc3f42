package dev.crossbar.examples.quickstart;

import dev.crossbar.api.DType;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.runtime.Crossbar;
import java.io.PrintStream;
import java.util.Locale;
import java.util.StringJoiner;

/**
 * Opens Crossbar on the backend its selection order picks (put another backend's jar on the path, or set
 * {@code -Dcrossbar.backend=NAME}, to change it without touching this code) and runs a matmul, a softmax and a few
 * reductions.
 */
public final class Quickstart {
    private Quickstart() {
    }

    /**
     * Runs the example on the selected backend.
     *
     * @param args ignored
     */
    public static void main(String[] args) {
        try (Crossbar crossbar = Crossbar.open()) {
            run(crossbar, System.out);
        }
    }

    /**
     * Runs the example on a runtime.
     *
     * @param crossbar the runtime
     * @param out where to print
     */
    public static void run(Crossbar crossbar, PrintStream out) {
        out.printf("Backend %s, device %s%n", crossbar.backendName(), crossbar.defaultDevice());
        try (TensorScope scope = crossbar.newScope()) {
            Tensor a = scope.fromArray(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
            Tensor b = scope.fromArray(new float[] {1, 0, 0, 1, 1, 1}, 3, 2);
            out.println("a =\n" + format(a));
            out.println("b =\n" + format(b));
            out.println("a @ b =\n" + format(a.matmul(b)));
            out.println("softmax(a) over each row =\n" + format(softmax(a)));
            out.println("column sums of a = " + format(a.sum(0)));
            out.println("row maxima of a = " + format(a.max(1)));
            out.println("argmax of each row of a = " + format(a.argmax(1, false)));
        }
    }

    /** Softmax along the last axis from primitives; subtracting the row maximum keeps exp from overflowing. */
    static Tensor softmax(Tensor x) {
        int[] lastAxis = {x.rank() - 1};
        Tensor e = x.sub(x.max(lastAxis, true)).exp();
        return e.div(e.sum(lastAxis, true));
    }

    /** Prints a tensor of rank 1 or 2 as rows of numbers. */
    static String format(Tensor t) {
        double[] values = t.cast(DType.F64).toDoubleArray();
        int columns = t.rank() == 0 ? 1 : t.shape().dim(t.rank() - 1);
        StringJoiner rows = new StringJoiner("\n");
        for (int start = 0; start < values.length; start += columns) {
            StringJoiner row = new StringJoiner(" ", "[", "]");
            for (int i = start; i < start + columns; i++) {
                row.add(String.format(Locale.ROOT, "%.4f", values[i]));
            }
            rows.add(row.toString());
        }
        return rows.toString();
    }
}
