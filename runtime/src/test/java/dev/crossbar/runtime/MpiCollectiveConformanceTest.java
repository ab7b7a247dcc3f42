package dev.crossbar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The collective conformance suite under mpirun: 2 and 3 processes, one rank each, every collective and dtype, lengths
 * the world sizes do not divide, timeouts, mismatches and a failing rank, with the collectives carried by Open MPI.
 * Every process must report every case it ran as passed; world sizes up to the job's run (1 to 3), larger ones are
 * unavailable there. Then the bootstrap of device communicators: the id rank 0 makes reaches every rank, and the
 * handshake before each of their collectives names a mismatched call and a missing rank on every rank.
 */
class MpiCollectiveConformanceTest {
    private static final Pattern ABORTED = Pattern.compile("rank \\d+ of \\d+: ABORTED (.*)");
    private static final Pattern WORLD = Pattern.compile("world (\\d+)");
    private static final Pattern NEEDS = Pattern.compile("needs (\\d+) devices");
    private static final Pattern BOOTSTRAP = Pattern.compile("bootstrap id ([0-9a-f]+)");
    private static final Pattern CROSSED = Pattern.compile("rank \\d+ of \\d+: crossed creations: (.*)");
    private static final Pattern HANDSHAKES = Pattern.compile("rank \\d+ of \\d+: (handshake mismatch.*)");
    private static final Pattern SUMMARY = Pattern.compile("rank (\\d+) of (\\d+): tests (\\d+), succeeded (\\d+), failed (\\d+), aborted (\\d+)");

    @ParameterizedTest(name = "{0} processes")
    @ValueSource(ints = {2, 3})
    void everyProcessPassesTheCollectiveConformanceSuite(int processes, @TempDir Path outputs) throws Exception {
        assumeTrue(MpirunCommand.find().isPresent(), "mpirun is not on the PATH; install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev)");
        String java = ProcessHandle.current().info().command().orElseThrow();
        List<String> command = new ArrayList<>(MpirunCommand.of(processes, List.of(), List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
                "-cp", System.getProperty("java.class.path"), MpiConformanceMain.class.getName())));
        // Each rank's output in its own file, <outputs>/1/rank.<r>/stdout, so the ranks' lines do not interleave.
        command.addAll(1, List.of("--output-filename", outputs.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> output = read(process.getInputStream());
        boolean finished = process.waitFor(10, TimeUnit.MINUTES);
        String stacks = "";
        if (!finished) {
            stacks = crossbarStacks(process, Path.of(java).resolveSibling("jcmd"));
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
        }
        String log = output.get(30, TimeUnit.SECONDS);
        assertTrue(finished, "mpirun did not finish within 10 minutes; where the ranks' threads were:\n" + stacks + "\nmpirun's output:\n" + log);
        assertEquals(0, process.exitValue(), "mpirun's exit code; its output:\n" + log);
        String sharedId = null;
        for (int rank = 0; rank < processes; rank++) {
            String ranksLog = Files.readString(outputs.resolve("1").resolve("rank." + rank).resolve("stdout"));
            Matcher m = SUMMARY.matcher(ranksLog);
            assertTrue(m.find(), "rank " + rank + " reports a summary:\n" + ranksLog);
            int tests = Integer.parseInt(m.group(3));
            int succeeded = Integer.parseInt(m.group(4));
            int aborted = Integer.parseInt(m.group(6));
            assertEquals(Integer.toString(rank), m.group(1));
            assertEquals(processes, Integer.parseInt(m.group(2)), "world size reported by MPI");
            assertEquals("0", m.group(5), "failed cases on rank " + rank + ":\n" + ranksLog);
            assertEquals(tests, succeeded + aborted, "every case passed or was unavailable on rank " + rank);
            assertTrue(succeeded > 0, "rank " + rank + " ran no case:\n" + ranksLog);
            Matcher id = BOOTSTRAP.matcher(ranksLog);
            assertTrue(id.find(), "rank " + rank + " reports the bootstrap id:\n" + ranksLog);
            assertEquals(256, id.group(1).length(), "a 128-byte id in hex");
            if (sharedId == null) {
                sharedId = id.group(1);
            }
            assertEquals(sharedId, id.group(1), "rank " + rank + " received rank 0's id");
            Matcher handshakes = HANDSHAKES.matcher(ranksLog);
            assertTrue(handshakes.find(), "rank " + rank + " reports its handshakes:\n" + ranksLog);
            assertEquals(String.format(Locale.ROOT, "handshake mismatch #1: allReduce(f32[4]) from rank 0 / allGather(f32[4]) from rank 1; "
                    + "handshake timeout #0: missing [%d]", processes - 1), handshakes.group(1), "rank " + rank + "'s handshakes");
            Matcher crossed = CROSSED.matcher(ranksLog);
            assertTrue(crossed.find(), "rank " + rank + " reports the crossed creations:\n" + ranksLog);
            assertEquals(rank < 2 ? "both barriers completed" : "not a member", crossed.group(1), "rank " + rank + "'s crossed creations");
            // Only worlds larger than the job may be unavailable: every world size 1 .. processes of every case ran.
            Matcher abort = ABORTED.matcher(ranksLog);
            while (abort.find()) {
                Matcher world = WORLD.matcher(abort.group(1));
                Matcher needs = NEEDS.matcher(abort.group(1));
                int needed;
                if (world.find()) {
                    needed = Integer.parseInt(world.group(1));
                } else {
                    assertTrue(needs.find(), "aborted for another reason: " + abort.group());
                    needed = Integer.parseInt(needs.group(1));
                }
                assertTrue(needed > processes, String.format(Locale.ROOT, "a case that fits in %d processes was not run: %s", processes, abort.group()));
            }
        }
    }

    /** The stacks of the threads that run Crossbar code in each rank's JVM, for a job that hangs. */
    private static String crossbarStacks(Process mpirun, Path jcmd) {
        StringBuilder stacks = new StringBuilder();
        mpirun.descendants().filter(p -> p.info().command().map(c -> c.endsWith("java")).orElse(false)).forEach(rank -> {
            stacks.append("process ").append(rank.pid()).append(":\n");
            try {
                Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(rank.pid()), "Thread.print").redirectErrorStream(true).start();
                String threads = read(dump.getInputStream()).get(60, TimeUnit.SECONDS);
                for (String thread : threads.split("\n\n")) {
                    if (thread.contains("dev.crossbar")) {
                        stacks.append(thread).append("\n\n");
                    }
                }
            } catch (IOException | InterruptedException | ExecutionException | TimeoutException e) {
                stacks.append("cannot dump its threads: ").append(e).append('\n');
            }
        });
        return stacks.toString();
    }

    private static CompletableFuture<String> read(InputStream in) {
        return CompletableFuture.supplyAsync(() -> {
            try (in) {
                return new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return "cannot read the output: " + e;
            }
        });
    }
}
