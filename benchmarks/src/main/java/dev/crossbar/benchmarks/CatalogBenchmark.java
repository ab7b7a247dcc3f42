package dev.crossbar.benchmarks;

import dev.crossbar.runtime.Crossbar;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * What every JMH benchmark of this module shares: one {@link Catalog} workload per trial, built on the cpu backend
 * (the matmul path follows {@code -Dcrossbar.cpu.matmul}, which the forked JVM inherits from the JMH command line).
 * Run with {@code -prof gc} to see the garbage per operation ({@code gc.alloc.rate.norm}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED", "-Dguice_bytecode_gen_option=DISABLED"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public abstract class CatalogBenchmark {
    private Crossbar crossbar;
    /** The workload of this trial. */
    protected Workload workload;

    /** @return the {@link Catalog} name of this trial's workload (the subclass's {@code @Param}) */
    protected abstract String workloadName();

    /** Builds the runtime and the workload. */
    @Setup(Level.Trial)
    public void setUp() {
        crossbar = Crossbar.builder().backend("cpu").build();
        workload = Catalog.create(workloadName(), crossbar);
    }

    /** Frees the workload and the runtime. */
    @TearDown(Level.Trial)
    public void tearDown() {
        workload.close();
        crossbar.close();
    }
}
