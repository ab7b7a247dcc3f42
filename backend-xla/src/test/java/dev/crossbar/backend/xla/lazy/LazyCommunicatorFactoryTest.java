package dev.crossbar.backend.xla.lazy;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.crossbar.api.Device;
import dev.crossbar.spi.CommunicatorBootstrap;
import dev.crossbar.spi.CommunicatorFactory;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LazyCommunicatorFactoryTest {
    /** The first rank's bytes, made once and handed to every rank, as the runtime's bootstrap does. */
    private static final class SharedBytes implements CommunicatorBootstrap {
        private byte[] bytes;

        @Override
        public synchronized byte[] shareFromRankZero(Supplier<byte[]> create) {
            if (bytes == null) {
                bytes = create.get();
            }
            return bytes.clone();
        }

        @Override
        public void agree(String op, String arguments, long sequence) {
        }
    }

    private static CommunicatorFactory.Membership rank(int rank) {
        return new CommunicatorFactory.Membership("world [0, 1, 2]", List.of(0, 1, 2), rank, new Device("xla", rank), Duration.ofSeconds(5));
    }

    /**
     * A fast rank may finish its part of a run and close its group before a slow rank has created its view (the
     * XlaCollectiveTest send/recv ring failed so under load): the slow rank must still join the handshake the others
     * share, or its sends go where nobody receives.
     */
    @Test
    void aRankCreatingItsViewAfterAnotherClosedItsOwnSharesTheGroupsHandshake() {
        LazyCommunicatorFactory factory = new LazyCommunicatorFactory(new LazyEngine(null));
        SharedBytes bootstrap = new SharedBytes();
        LazyProcessGroup first = (LazyProcessGroup) factory.create(rank(0), bootstrap);
        LazyProcessGroup last = (LazyProcessGroup) factory.create(rank(2), bootstrap);
        first.close();
        LazyProcessGroup late = (LazyProcessGroup) factory.create(rank(1), bootstrap);

        assertSame(last.handshake(), late.handshake());
        assertSame(first.handshake(), late.handshake());

        late.close();
        last.close();
        LazyProcessGroup next = (LazyProcessGroup) factory.create(rank(0), new SharedBytes());
        assertNotSame(first.handshake(), next.handshake(), "a new group after every rank closed the old one gets its own handshake");
    }
}
