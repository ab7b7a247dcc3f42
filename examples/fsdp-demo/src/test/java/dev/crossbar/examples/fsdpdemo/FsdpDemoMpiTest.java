package dev.crossbar.examples.fsdpdemo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.Generator;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.checkpoint.Checkpoint;
import dev.crossbar.api.checkpoint.CheckpointIndex;
import dev.crossbar.api.nn.Gpt;
import dev.crossbar.api.nn.Parameter;
import dev.crossbar.runtime.Crossbar;
import dev.crossbar.runtime.MpirunCommand;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as an Open MPI job, one rank per process, its collectives through MPI: two processes reach the losses of
 * the in-process two-device run, and when one of three processes is killed during training the other two fail with a
 * diagnostic naming the collective, its sequence number and the dead rank within the collective timeout, exit
 * non-zero, and leave the last periodic checkpoint intact.
 */
class FsdpDemoMpiTest {
    /** A one-block model, small batches: seconds per run. Warmup is a tenth of the steps, as the command line sets it. */
    private static final List<String> MODEL = List.of("--batch", "12", "--width", "32", "--layers", "1", "--heads", "2", "--lr", "1e-2",
            "--held-out", "50", "--seed", "1");
    /**
     * The largest relative difference allowed between a step's loss in the MPI job and in the in-process run. Both sum
     * two ranks' contributions (commutative, so the same bits) and divide by two; only the kernels' thread split could
     * differ between one JVM and two.
     */
    private static final double LOSS_TOLERANCE = 1e-6;
    /**
     * Both runs use the pure-Java matmul: whether OpenBLAS or oneDNN may be called depends on each JVM's native-access
     * grant, and a different kernel rounds differently, which twenty training steps amplify beyond the tolerance.
     */
    private static final String MATMUL_PATH_PROPERTY = "crossbar.cpu.matmul";
    /** The same setting for the MPI job's processes, which inherit mpirun's environment. */
    private static final String MATMUL_PATH_VARIABLE = "CROSSBAR_CPU_MATMUL";
    private static final String MATMUL_PATH = "java";
    private static final Pattern LOSSES = Pattern.compile("(?m)^losses (.*)$");

    @BeforeEach
    void needsMpirun() {
        assumeTrue(MpirunCommand.find().isPresent(), "mpirun is not on the PATH; install Open MPI (Debian: apt-get install openmpi-bin libopenmpi-dev)");
    }

    @Test
    void twoProcessesReachTheLossesOfTheInProcessTwoDeviceRun(@TempDir Path dir) throws Exception {
        int steps = 20;
        Run mpi = launch(2, List.of(), dir.resolve("mpi"), "--steps", Integer.toString(steps), "--print-losses");
        assertEquals(0, mpi.exitCode(), "the MPI job failed:\n" + mpi.log());
        Matcher m = LOSSES.matcher(mpi.log());
        assertTrue(m.find(), "rank 0 prints the losses:\n" + mpi.log());
        double[] launched = Arrays.stream(m.group(1).split(",")).mapToDouble(Double::parseDouble).toArray();
        assertTrue(mpi.log().contains("FSDP on 2 ranks: backend cpu"), mpi.log());

        System.setProperty("java.awt.headless", "true");
        FsdpTraining.Settings settings = new FsdpTraining.Settings(steps, 1, 12, 32, 1, 2, 1e-2, steps / 10, 50, false,
                dir.resolve("in-process").resolve("checkpoint"), 0);
        List<FsdpTraining.RankReport> reports;
        try (PrintStream quiet = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8)) {
            reports = FsdpDemo.run(Crossbar.builder().backend("cpu").property(MATMUL_PATH_PROPERTY, MATMUL_PATH), 2, settings, dir.resolve("in-process"), quiet, false);
        }
        double[] inProcess = reports.getFirst().losses();
        assertEquals(steps, launched.length, "one loss per step");
        for (int step = 0; step < steps; step++) {
            double relative = Math.abs(launched[step] - inProcess[step]) / Math.abs(inProcess[step]);
            assertTrue(relative <= LOSS_TOLERANCE, String.format(Locale.ROOT, "step %d: MPI loss %s, in-process %s, relative difference %.3g > %.0e",
                    step, launched[step], inProcess[step], relative, LOSS_TOLERANCE));
        }
        assertTrue(inProcess[steps - 1] < inProcess[0], "the loss falls: " + Arrays.toString(inProcess));
    }

    @Test
    void aKilledRankMakesTheOthersFailWithTheDiagnosticAndLeavesTheLastCheckpointIntact(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("out");
        Path checkpoint = out.resolve("checkpoint");
        // --enable-recovery: mpirun must not kill the survivors itself when rank 2 dies; they have to notice. It then
        // reports success whatever the processes' exit codes, so each rank's JVM runs under a shell that writes its
        // exit code to exit-<rank>.
        List<String> command = new ArrayList<>(command(3, List.of("-Dcrossbar.collective.timeout=5"), out, "--steps", "2000", "--checkpoint-every", "5"));
        command.add(1, "--enable-recovery");
        int java = command.indexOf(ProcessHandle.current().info().command().orElseThrow());
        command.addAll(java, List.of("sh", "-c", "\"$@\"; echo $? > " + dir + "/exit-$OMPI_COMM_WORLD_RANK", "rank"));
        Process job = new ProcessBuilder(command).redirectErrorStream(true).start();
        CompletableFuture<String> log = read(job.getInputStream());
        try {
            waitFor(() -> Files.exists(checkpoint.resolve(Checkpoint.INDEX_FILE)), 180, "the first periodic checkpoint", job, log);
            ProcessHandle rank2 = waitForProcess(job, 2);
            long killed = System.nanoTime();
            assertTrue(rank2.destroyForcibly(), "SIGKILL to rank 2 (pid " + rank2.pid() + ")");
            assertTrue(job.waitFor(60, TimeUnit.SECONDS), "the survivors must stop within the 5 s collective timeout and a margin:\n" + partial(log));
            double seconds = (System.nanoTime() - killed) / 1e9;
            String output = log.get(30, TimeUnit.SECONDS);
            assertTrue(seconds < 30, String.format(Locale.ROOT, "the job ended %.1f s after the kill:%n%s", seconds, output));
            // A survivor either times out itself or hears first that the other survivor timed out in the same collective
            // (its timer started a moment earlier) and fails with that rank's diagnostic; both name the collective,
            // its sequence number and rank 2.
            String stuckOnRank2 = "timed out after PT5S.*?(rank 2 never called it|transfer with ranks \\[[0-9, ]*2\\] did not complete)";
            for (int survivor = 0; survivor < 2; survivor++) {
                Pattern diagnostic = Pattern.compile("Rank " + survivor + " of 3 failed: \\S*Collective(Timeout)?Exception: (\\w+) #(\\d+) on world \\[0, 1, 2\\] "
                        + "(" + stuckOnRank2 + "|cannot complete: rank " + (1 - survivor) + " failed: \\S*CollectiveTimeoutException: \\2 #\\3 on world \\[0, 1, 2\\] "
                        + stuckOnRank2 + ")");
                assertTrue(diagnostic.matcher(output).find(), "rank " + survivor + " names the collective, its sequence number and rank 2:\n" + output);
            }
            for (int survivor = 0; survivor < 2; survivor++) {
                String code = Files.readString(dir.resolve("exit-" + survivor)).strip();
                assertNotEquals("0", code, "rank " + survivor + " exits non-zero:\n" + output);
            }
        } finally {
            job.descendants().forEach(ProcessHandle::destroyForcibly);
            job.destroyForcibly();
        }

        CheckpointIndex index = Checkpoint.readIndex(checkpoint);
        int step = Integer.parseInt(index.metadata().get("step"));
        assertTrue(step >= 5 && step % 5 == 0, "the checkpoint is one of the periodic saves: step " + step);
        assertEquals(3, index.worldSize(), "saved by the three ranks");
        try (Crossbar crossbar = Crossbar.builder().backend("cpu").build(); TensorScope scope = crossbar.newScope()) {
            Gpt.Config config = new FsdpTraining.Settings(5, 1, 12, 32, 1, 2, 1e-2, 0, 50, false, checkpoint, 5).modelConfig();
            Gpt model = new Gpt(scope, new Generator(9), config);
            Checkpoint.load(checkpoint, model, null);
            for (Parameter p : model.parameters()) {
                for (float v : p.value().toFloatArray()) {
                    assertTrue(Float.isFinite(v), "every loaded value is finite: " + p);
                }
            }
        }
    }

    // ---------------------------------------------------------------- launching

    private record Run(int exitCode, String log) {
    }

    private static Run launch(int processes, List<String> jvmOptions, Path out, String... options) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command(processes, jvmOptions, out, options)).redirectErrorStream(true);
        builder.environment().put(MATMUL_PATH_VARIABLE, MATMUL_PATH);
        Process job = builder.start();
        CompletableFuture<String> log = read(job.getInputStream());
        boolean finished = job.waitFor(5, TimeUnit.MINUTES);
        if (!finished) {
            job.descendants().forEach(ProcessHandle::destroyForcibly);
            job.destroyForcibly();
        }
        String output = log.get(30, TimeUnit.SECONDS);
        assertTrue(finished, "the MPI job did not finish within 5 minutes:\n" + output);
        return new Run(job.exitValue(), output);
    }

    /**
     * mpirun running the demo's main class, with the test model's options, on the class path made of this test's
     * module path and class path (the backends are found through META-INF/services there). The Vector API module and
     * the matmul path are fixed as in the in-process run, so both runs use the same cpu kernels.
     */
    private static List<String> command(int processes, List<String> jvmOptions, Path out, String... options) {
        List<String> program = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "--enable-native-access=ALL-UNNAMED", "--add-modules", "jdk.incubator.vector", "-Xmx512m", "-Djava.awt.headless=true"));
        program.addAll(jvmOptions);
        String modulePath = System.getProperty("jdk.module.path", "");
        String classPath = modulePath.isBlank() ? System.getProperty("java.class.path") : modulePath + File.pathSeparator + System.getProperty("java.class.path");
        program.addAll(List.of("-cp", classPath, FsdpDemo.class.getName()));
        program.addAll(MODEL);
        program.addAll(List.of("--out", out.toString()));
        program.addAll(List.of(options));
        return MpirunCommand.of(processes, List.of(), program);
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

    private static String partial(CompletableFuture<String> log) {
        return log.isDone() ? log.join() : "(output still open)";
    }

    private interface Condition {
        boolean holds() throws Exception;
    }

    private static void waitFor(Condition condition, int seconds, String what, Process job, CompletableFuture<String> log) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (!condition.holds()) {
            assertTrue(job.isAlive(), "the job ended before " + what + ":\n" + partial(log));
            assertTrue(System.nanoTime() < deadline, "no " + what + " within " + seconds + " s:\n" + partial(log));
            Thread.sleep(100);
        }
    }

    /** The process of one rank among mpirun's descendants, found by the rank mpirun put in its environment. */
    private static ProcessHandle waitForProcess(Process job, int rank) throws Exception {
        for (ProcessHandle p : job.descendants().toList()) {
            Optional<String> environment = environment(p);
            if (environment.isPresent() && environment.get().contains("\0OMPI_COMM_WORLD_RANK=" + rank + "\0")
                    && p.info().command().map(c -> c.endsWith("java")).orElse(false)) {
                return p;
            }
        }
        throw new AssertionError("no java process of rank " + rank + " among mpirun's descendants " + job.descendants().toList());
    }

    private static Optional<String> environment(ProcessHandle p) {
        try {
            return Optional.of("\0" + Files.readString(Path.of("/proc", Long.toString(p.pid()), "environ"), StandardCharsets.ISO_8859_1));
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
