package dev.crossbar.backend.archfixture.clean;

import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import java.util.List;
import java.util.Map;

/** A provider that derives its capabilities from its kernel classes, as the rules require. */
public class CleanProvider implements BackendProvider {
    @Override
    public String name() {
        return "clean";
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public int priority() {
        return 0;
    }

    @Override
    public Availability probe(BackendContext context) {
        return Availability.unavailable("fixture", Map.of());
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, List.of(CleanNegKernel.class));
    }

    @Override
    public Backend create(BackendContext context) {
        throw new UnsupportedOperationException("fixture");
    }
}
