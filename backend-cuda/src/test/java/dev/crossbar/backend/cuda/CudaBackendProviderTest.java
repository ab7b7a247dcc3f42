package dev.crossbar.backend.cuda;

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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class CudaBackendProviderTest {
    private final CudaBackendProvider provider = new CudaBackendProvider();

    @Test
    void probeNamesTheMissingDriverLibrary() {
        assumeTrue(Stream.of("/usr/lib/x86_64-linux-gnu/libcuda.so.1", "/usr/lib64/libcuda.so.1", "/usr/lib/wsl/lib/libcuda.so.1")
                .noneMatch(p -> Files.exists(Path.of(p))), "libcuda.so.1 is installed here; this test covers machines without the NVIDIA driver");

        Availability availability = provider.probe(new BackendContext(Map.of()));

        assertFalse(availability.available());
        assertTrue(availability.devices().isEmpty());
        assertEquals("libcuda.so.1 could not be loaded (Cannot open library: libcuda.so.1); it comes with the NVIDIA driver,"
                + " which is not installed here (or not on the loader's path)", availability.reason());
        assertFalse(availability.versions().containsKey("cuda.driver"));
    }

    @Test
    void describesItselfWithoutADevice() {
        assertEquals("cuda", provider.name());
        assertEquals(BackendProvider.SPI_VERSION, provider.spiVersion());
        assertEquals(100, provider.priority());
        assertEquals(ExecutionMode.EAGER, provider.capabilities().mode());
        assertEquals(286, provider.capabilities().cells().size());
    }

    @Test
    void createWithoutTheDriverFailsNamingTheLibrary() {
        assumeTrue(!provider.probe(new BackendContext(Map.of())).available(), "a CUDA device is present");

        CrossbarException e = assertThrows(CrossbarException.class, () -> provider.create(new BackendContext(Map.of())));

        assertTrue(e.getMessage().startsWith("libcuda.so.1 could not be loaded"), e.getMessage());
    }

    @Test
    void isRegisteredForTheClassPath() throws IOException {
        try (InputStream in = CudaBackendProvider.class.getResourceAsStream("/META-INF/services/dev.crossbar.spi.BackendProvider")) {
            assertEquals(CudaBackendProvider.class.getName(), new String(in.readAllBytes(), StandardCharsets.UTF_8).strip());
        }
    }
}
