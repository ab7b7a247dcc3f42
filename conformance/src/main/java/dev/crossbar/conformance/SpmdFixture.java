package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.distributed.InProcessSpmd;
import dev.crossbar.api.distributed.RankFunction;
import dev.crossbar.api.distributed.SpmdException;
import dev.crossbar.api.distributed.SpmdOptions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Base of the kit's suites that run one rank per device of the backend under test with the in-process communicator;
 * a world larger than the backend's device count is reported as UNAVAILABLE.
 */
public abstract class SpmdFixture extends BackendFixture {

    /**
     * Returns the timeouts of the suite's runs.
     *
     * @return 60 s per collective, 5 min per run
     */
    protected SpmdOptions options() {
        return new SpmdOptions(Duration.ofSeconds(60), Duration.ofMinutes(5));
    }

    /**
     * Runs a function on every rank of a world and returns each rank's result, rethrowing a rank's assertion failure
     * as itself.
     *
     * @param worldSize the number of ranks, one per device
     * @param function what each rank computes
     * @param <T> the result type
     * @return the results, by rank
     */
    protected final <T> List<T> spmd(int worldSize, RankFunction<T> function) {
        assumeTrue(backend().devices().size() >= worldSize, () -> String.format(Locale.ROOT,
                "UNAVAILABLE: world size %d needs %d devices; backend '%s' has %d", worldSize, worldSize, backend().name(), backend().devices().size()));
        try {
            return InProcessSpmd.call(backend(), worldSize, options(), function);
        } catch (SpmdException e) {
            if (e.getCause() instanceof AssertionError a) {
                a.addSuppressed(e);
                throw a;
            }
            throw e;
        }
    }
}
