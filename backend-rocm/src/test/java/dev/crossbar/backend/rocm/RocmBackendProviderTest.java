package dev.crossbar.backend.rocm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.CrossbarException;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.ExecutionMode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RocmBackendProviderTest {
    private final RocmBackendProvider provider = new RocmBackendProvider();

    @Test
    void probeReportsNoDeviceFromTheHipRuntime() {
        assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libamdhip64.so.5")),
                "libamdhip64.so.5 is not installed here (Debian: apt-get install libamdhip64-dev)");
        assumeTrue(!Files.exists(Path.of("/dev/kfd")), "/dev/kfd exists: this machine may have an AMD GPU");

        Availability availability = provider.probe(new BackendContext(Map.of()));

        assertFalse(availability.available());
        assertEquals("hipGetDeviceCount returned hipErrorNoDevice (100)", availability.reason());
        assertTrue(availability.versions().get("hip.runtime").matches("\\d+\\.\\d+\\.\\d+"), availability.versions().toString());
    }

    @Test
    void describesItselfWithoutADevice() {
        assertEquals("rocm", provider.name());
        assertEquals(BackendProvider.SPI_VERSION, provider.spiVersion());
        assertEquals(90, provider.priority());
        assertEquals(ExecutionMode.EAGER, provider.capabilities().mode());
        assertEquals(288, provider.capabilities().cells().size());
    }

    @Test
    void createWithoutADeviceFailsWithTheRuntimesError() {
        assumeTrue(Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/libamdhip64.so.5")),
                "libamdhip64.so.5 is not installed here (Debian: apt-get install libamdhip64-dev)");
        assumeTrue(!Files.exists(Path.of("/dev/kfd")), "/dev/kfd exists: this machine may have an AMD GPU");

        CrossbarException e = assertThrows(CrossbarException.class, () -> provider.create(new BackendContext(Map.of())));

        assertEquals("hipGetDeviceCount returned hipErrorNoDevice (100)", e.getMessage());
    }

    @Test
    void isRegisteredForTheClassPath() throws IOException {
        try (InputStream in = RocmBackendProvider.class.getResourceAsStream("/META-INF/services/dev.crossbar.spi.BackendProvider")) {
            assertEquals(RocmBackendProvider.class.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
        }
    }
}
