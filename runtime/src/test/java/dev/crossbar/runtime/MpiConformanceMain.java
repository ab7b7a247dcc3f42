package dev.crossbar.runtime;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.crossbar.runtime.internal.ffi.MpiCommunicator;
import java.io.PrintWriter;
import java.util.Locale;
import org.junit.platform.engine.TestExecutionResult;
import org.junit.platform.launcher.Launcher;
import org.junit.platform.launcher.TestExecutionListener;
import org.junit.platform.launcher.TestIdentifier;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;
import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import org.junit.platform.launcher.listeners.TestExecutionSummary;

/**
 * What each process of the mpirun job in {@link MpiCollectiveConformanceTest} runs: the collective conformance suite
 * ({@link MpiCollectiveConformance}) through the JUnit Platform launcher. Prints every failed or aborted case with its
 * reason ({@code rank R of N: ABORTED <case>: <reason>}), then one line
 * {@code rank R of N: tests T, succeeded S, failed F, aborted A}, and exits with 1 when a case failed.
 */
public final class MpiConformanceMain {
    private MpiConformanceMain() {
    }

    /**
     * Runs the suite in this process.
     *
     * @param args none
     */
    public static void main(String[] args) {
        MpiCommunicator mpi = MpiCommunicator.get();
        String prefix = String.format(Locale.ROOT, "rank %d of %d", mpi.rank(), mpi.size());
        SummaryGeneratingListener summary = new SummaryGeneratingListener();
        TestExecutionListener failures = new TestExecutionListener() {
            @Override
            public void executionFinished(TestIdentifier test, TestExecutionResult result) {
                if (test.isTest() && result.getStatus() != TestExecutionResult.Status.SUCCESSFUL) {
                    System.out.print(String.format(Locale.ROOT, "%s: %s %s: %s%n", prefix, result.getStatus(), test.getDisplayName(),
                            result.getThrowable().map(Throwable::getMessage).orElse("")));
                }
            }
        };
        Launcher launcher = LauncherFactory.create();
        launcher.execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(MpiCollectiveConformance.class)).build(), summary, failures);
        TestExecutionSummary result = summary.getSummary();
        if (result.getTotalFailureCount() > 0) {
            result.printFailuresTo(new PrintWriter(System.out, true), 30);
        }
        System.out.printf(Locale.ROOT, "%s: tests %d, succeeded %d, failed %d, aborted %d%n", prefix, result.getTestsFoundCount(),
                result.getTestsSucceededCount(), result.getTotalFailureCount(), result.getTestsAbortedCount());
        System.exit(result.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
