package dev.crossbar.runtime;

import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;

import dev.crossbar.runtime.internal.ffi.MpiCommunicator;
import dev.crossbar.api.Device;
import dev.crossbar.api.distributed.CollectiveMismatchException;
import dev.crossbar.api.distributed.CollectiveTimeoutException;
import dev.crossbar.api.distributed.ProcessGroup;
import dev.crossbar.api.distributed.Work;
import dev.crossbar.spi.CommunicatorBootstrap;
import java.io.PrintWriter;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
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
 * ({@code rank R of N: bootstrap id <hex>}), then what the handshakes of a device communicator reported
 * ({@code rank R of N: handshake mismatch #1: <call> / <call>; handshake timeout #0: missing [<rank>]}), then what the
 * groups whose communicators were created in crossed orders reported ({@code rank R of N: crossed creations: ...}), then one line
 * {@code rank R of N: tests T, succeeded S, failed F, aborted A}, and exits with 1 when a case failed.
 */
public final class MpiConformanceMain {
    private MpiConformanceMain() {
    }

    /**
     * The handshakes a device communicator makes before each collective ({@link CommunicatorBootstrap#agree}): equal
     * calls pass; a different call on rank 0 fails every rank naming both; after a barrier, a rank that comes 5 s late
     * to a group with a 1.5 s timeout is named by the others, and fails itself when it comes. A last handshake keeps
     * every process until all are done.
     */
    private static String handshakes(MpiCommunicator mpi, CommunicatorBootstrap bootstrap, List<Integer> ranks, Device device) {
        bootstrap.agree("allReduce", "SUM, f32[4]", 0);
        String mismatch;
        try {
            bootstrap.agree(mpi.rank() == 0 ? "allReduce" : "allGather", "f32[4]", 1);
            mismatch = "no mismatch reported";
        } catch (CollectiveMismatchException e) {
            mismatch = String.format(Locale.ROOT, "handshake mismatch #%d: %s / %s", e.sequence(), e.firstCall(), e.secondCall());
        }
        CommunicatorBootstrap impatient = mpi.bootstrap("impatient", ranks, "impatient " + ranks, device, Duration.ofMillis(1_500));
        bootstrap.agree("barrier", "", 2);
        String timeout;
        try {
            if (mpi.rank() == mpi.size() - 1) {
                Thread.sleep(5_000);
            }
            impatient.agree("barrier", "", 0);
            timeout = "no timeout reported";
        } catch (CollectiveTimeoutException e) {
            timeout = String.format(Locale.ROOT, "handshake timeout #%d: missing %s", e.sequence(), e.missingRanks());
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
        bootstrap.agree("barrier", "", 3);
        return mismatch + "; " + timeout;
    }

    /**
     * Two groups of ranks 0 and 1 whose first collectives (barriers, which need the groups' communicators) complete
     * their handshakes in opposite orders on the two ranks: rank 1 sees only {@code crossed-second} complete (rank 0
     * announces {@code crossed-first} a second later), while rank 0, by then, sees both and takes {@code crossed-first}
     * first (the order it keeps its groups in). Had {@code MPI_Comm_create_group} run where the handshakes complete,
     * each rank would wait inside MPI for the other to join a different group, for ever; it runs on threads of its
     * own, so both barriers complete. Ranks above 1 only take part in the world barriers around it.
     */
    private static String crossedCreations(MpiCommunicator mpi, List<Integer> ranks, Device device) throws InterruptedException {
        ProcessGroup world = mpi.group("world", ranks, "world " + ranks, device, Duration.ofSeconds(60));
        world.barrier();
        String outcome = "not a member";
        if (mpi.rank() < 2) {
            List<Integer> pair = List.of(0, 1);
            ProcessGroup first = mpi.group("crossed-first", pair, "crossed-first " + pair, device, Duration.ofSeconds(20));
            ProcessGroup second = mpi.group("crossed-second", pair, "crossed-second " + pair, device, Duration.ofSeconds(20));
            if (mpi.rank() == 0) {
                Work<Void> later = second.barrierAsync();
                Thread.sleep(2_000);
                first.barrierAsync().await();
                later.await();
            } else {
                Work<Void> earlier = first.barrierAsync();
                Thread.sleep(1_000);
                second.barrierAsync().await();
                earlier.await();
            }
            outcome = "both barriers completed";
        }
        world.barrier();
        return "crossed creations: " + outcome;
    }

    /**
     * Runs the suite in this process.
     *
     * @param args none
     */
    public static void main(String[] args) {
        MpiCommunicator mpi = MpiCommunicator.get();
        String prefix = String.format(Locale.ROOT, "rank %d of %d", mpi.rank(), mpi.size());
        List<Integer> ranks = IntStream.range(0, mpi.size()).boxed().toList();
        Device device = new Device("cpu", mpi.localRank());
        String crossed;
        try {
            crossed = crossedCreations(mpi, ranks, device);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
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
        CommunicatorBootstrap bootstrap = mpi.bootstrap("bootstrap", ranks, "bootstrap " + ranks, device, Duration.ofSeconds(30));
        byte[] id = bootstrap.shareFromRankZero(() -> new SecureRandom().generateSeed(128));
        System.out.print(String.format(Locale.ROOT, "%s: bootstrap id %s%n", prefix, HexFormat.of().formatHex(id)));
        System.out.print(String.format(Locale.ROOT, "%s: %s%n", prefix, handshakes(mpi, bootstrap, ranks, device)));
        System.out.print(String.format(Locale.ROOT, "%s: %s%n", prefix, crossed));
        System.out.printf(Locale.ROOT, "%s: tests %d, succeeded %d, failed %d, aborted %d%n", prefix, result.getTestsFoundCount(),
                result.getTestsSucceededCount(), result.getTotalFailureCount(), result.getTestsAbortedCount());
        System.exit(result.getTotalFailureCount() == 0 ? 0 : 1);
    }
}
