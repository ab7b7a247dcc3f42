package dev.crossbar.backend.xla.lazy;

import dev.crossbar.spi.CommunicatorBootstrap;
import dev.crossbar.spi.CommunicatorFactory;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The process groups of a lazy graph backend: their collectives become nodes of the ranks' graphs, run as one SPMD
 * program per materialization point by the engine ({@link LazyProcessGroup}). Creating a group makes its device the
 * rank's device in the engine; the ranks of a group agree over the bootstrap on the {@link GroupHandshake} they share,
 * which checks each collective call before it is recorded. The shared handshake is forgotten when the last of its ranks
 * closes its group, not the first: a fast rank may finish and close before a slow one has created its view.
 */
public final class LazyCommunicatorFactory implements CommunicatorFactory {
    private final LazyEngine engine;
    private final Map<Long, GroupHandshake> groups = new ConcurrentHashMap<>();
    private final AtomicLong nextGroup = new AtomicLong();

    /**
     * Creates the factory of an engine's groups.
     *
     * @param engine the engine the collectives are recorded into
     */
    public LazyCommunicatorFactory(LazyEngine engine) {
        this.engine = engine;
    }

    /**
     * Creates this rank's view of a group.
     *
     * @throws IllegalArgumentException if the membership's device already runs another rank
     */
    @Override
    public Communicator create(Membership membership, CommunicatorBootstrap bootstrap) {
        engine.bindRank(membership.device(), membership.globalRank(), membership.timeout());
        long id = ByteBuffer.wrap(bootstrap.shareFromRankZero(() -> ByteBuffer.allocate(Long.BYTES).putLong(nextGroup.getAndIncrement()).array())).getLong();
        GroupHandshake shared = groups.computeIfAbsent(id, key -> new GroupHandshake(membership.name(), membership.ranks(), membership.timeout()));
        return new LazyProcessGroup(engine, membership, shared, () -> {
            if (shared.leave()) {
                groups.remove(id, shared);
            }
        });
    }
}
