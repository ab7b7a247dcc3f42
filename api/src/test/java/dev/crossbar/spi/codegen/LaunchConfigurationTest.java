package dev.crossbar.spi.codegen;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LaunchConfigurationTest {
    // An H100 SXM: 132 multiprocessors of 2048 resident threads, 1024 threads per block.
    private static final LaunchConfiguration.DeviceLimits H100 = new LaunchConfiguration.DeviceLimits(1024, Integer.MAX_VALUE, 132, 2048);

    @Test
    void smallWorkGetsJustEnoughBlocks() {
        assertEquals(new LaunchConfiguration(1, 256), LaunchConfiguration.of(1, H100));
        assertEquals(new LaunchConfiguration(1, 256), LaunchConfiguration.of(256, H100));
        assertEquals(new LaunchConfiguration(2, 256), LaunchConfiguration.of(257, H100));
    }

    @Test
    void largeWorkIsCappedAtFourWavesOfResidentBlocks() {
        // 132 multiprocessors x (2048 / 256) resident blocks x 4 waves
        assertEquals(new LaunchConfiguration(4224, 256), LaunchConfiguration.of(1L << 32, H100));
    }

    @Test
    void respectsTheDevicesBlockAndGridLimits() {
        LaunchConfiguration.DeviceLimits small = new LaunchConfiguration.DeviceLimits(128, 10, 4, 512);

        assertEquals(new LaunchConfiguration(10, 128), LaunchConfiguration.of(1_000_000, small));
    }

    @Test
    void rejectsEmptyWorkAndNonsenseLimits() {
        assertThrows(IllegalArgumentException.class, () -> LaunchConfiguration.of(0, H100));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LaunchConfiguration.DeviceLimits(0, 1, 1, 1));
        assertEquals("device limits must be positive: 0 threads per block, grid 1, 1 multiprocessors, 1 threads per multiprocessor", e.getMessage());
    }
}
