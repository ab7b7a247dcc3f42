package dev.crossbar.runtime;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.crossbar.runtime.internal.ffi.MpiCommunicator;
import dev.crossbar.api.Device;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.stream.IntStream;
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
 * reason ({@code rank R of N: ABORTED <case>: <reason>}), then the id rank 0 shared through the communicator bootstrap
 * ({@code rank R of N: bootstrap id <hex>}), then one line
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
        // The bootstrap a device backend's communicator factory gets: rank 0's random id reaches every rank.
        byte[] id = mpi.bootstrap("bootstrap", IntStream.range(0, mpi.size()).boxed().toList(), new Device("cpu", mpi.localRank()), Duration.ofSeconds(30))
                .shareFromRankZero(() -> new SecureRandom().generateSeed(128));
        System.out.print(String.format(Locale.ROOT, "%s: bootstrap id %s%n", prefix, HexFormat.of().formatHex(id)));
        System.out.printf(Locale.ROOT, "%s: tests %d, succeeded %d, failed %d, aborted %d%n", prefix, result.getTestsFoundCount(),
                result.getTestsSucceededCount(), result.getTotalFailureCount(), result.getTestsAbortedCount());
        System.exit(result.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
