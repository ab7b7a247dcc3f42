package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossbar.api.distributed.InProcessSpmd;
import dev.crossbar.api.distributed.SpmdException;
import dev.crossbar.api.distributed.SpmdOptions;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.CommunicatorFactory;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The backend process groups of an {@link InProcessSpmd} run are released however the run ends: closed after a body
 * returns, aborted and then closed after a rank fails, each once.
 */
class InProcessSpmdBackendGroupsTest {
    private static final SpmdOptions OPTIONS = new SpmdOptions(Duration.ofSeconds(30), Duration.ofMinutes(1));

    /** What happened to each backend communicator, in order: "world [0, 1] of rank 0: abort", "... close". */
    private final List<String> lifecycle = Collections.synchronizedList(new ArrayList<>());
    /** Counts down as each rank's world group is created, so that a rank fails only once both exist. */
    private final CountDownLatch worldGroups = new CountDownLatch(2);
    @TempDir
    static Path modules;

    private final StreamBackend devices = HostGpuRuntime.backend(2, new HostNccl(), modules);
    /** The host devices, whose communicators are the recording ones. */
    private final Backend backend = (Backend) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Backend.class},
            (proxy, method, arguments) -> {
                if (method.getName().equals("communicators")) {
                    return Optional.of((CommunicatorFactory) (membership, bootstrap) -> recording(membership));
                }
                try {
                    return method.invoke(devices, arguments);
                } catch (InvocationTargetException e) {
                    throw e.getCause();
                }
            });

    @AfterEach
    void closeBackend() {
        backend.close();
    }

    /** A communicator that runs no collective and records its aborts and closes. */
    private CommunicatorFactory.Communicator recording(CommunicatorFactory.Membership membership) {
        String name = membership.name() + " of rank " + membership.globalRank();
        worldGroups.countDown();
        InvocationHandler handler = (proxy, method, arguments) -> switch (method.getName()) {
            case "membership" -> membership;
            case "abort", "close" -> {
                lifecycle.add(name + ": " + method.getName());
                yield null;
            }
            case "toString" -> name;
            default -> {
                if (method.isDefault()) {
                    yield InvocationHandler.invokeDefault(proxy, method, arguments);
                }
                throw new UnsupportedOperationException(method.getName() + " is not needed by this test");
            }
        };
        return (CommunicatorFactory.Communicator) Proxy.newProxyInstance(getClass().getClassLoader(),
                new Class<?>[] {CommunicatorFactory.Communicator.class}, handler);
    }

    @Test
    void aRunThatReturnsClosesEveryGroupOnce() {
        InProcessSpmd.run(backend, 2, OPTIONS, rank -> rank.group(List.of(0, 1)));

        assertEquals(List.of("world [0, 1] of rank 0: close", "world [0, 1] of rank 1: close"), lifecycle.stream().sorted().toList());
    }

    @Test
    void aFailedRunAbortsAndThenClosesTheGroupsOfEveryRank() {
        SpmdException e = assertThrows(SpmdException.class, () -> InProcessSpmd.run(backend, 2, OPTIONS, rank -> {
            if (rank.rank() == 1) {
                worldGroups.await();
                throw new IllegalStateException("rank 1 gives up");
            }
            Thread.sleep(OPTIONS.totalTimeout().toMillis());
        }));

        assertInstanceOf(IllegalStateException.class, e.getCause());
        for (int r = 0; r < 2; r++) {
            String group = "world [0, 1] of rank " + r;
            assertEquals(List.of(group + ": abort", group + ": close"), lifecycle.stream().filter(event -> event.startsWith(group)).toList());
        }
    }
}
