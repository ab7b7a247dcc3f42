package dev.crossbar.backend.archfixture.kernels.overclaiming;

import dev.crossbar.api.DType;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.Cell;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Op;
import java.util.Map;
import java.util.TreeSet;

/** Violates providersShouldDeclareExactlyTheCellsOfTheirKernelClasses: claims neg/f64, which no kernel serves. */
public class OverclaimingProvider implements BackendProvider {
    @Override
    public String name() {
        return "overclaiming";
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
        TreeSet<Cell> cells = new TreeSet<>();
        cells.add(new Cell(Op.NEG, DType.F32));
        cells.add(new Cell(Op.NEG, DType.F64));
        return new Capabilities(ExecutionMode.EAGER, cells);
    }

    @Override
    public Backend create(BackendContext context) {
        throw new UnsupportedOperationException("fixture");
    }
}
