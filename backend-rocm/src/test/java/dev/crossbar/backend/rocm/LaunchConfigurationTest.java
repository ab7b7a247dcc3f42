package dev.crossbar.backend.rocm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class LaunchConfigurationTest {
    // One MI250X die (gfx90a): 110 compute units of 2048 resident threads, 1024 threads per block.
    private static final LaunchConfiguration.DeviceLimits MI250X = new LaunchConfiguration.DeviceLimits(1024, Integer.MAX_VALUE, 110, 2048);

    @Test
    void smallWorkGetsJustEnoughBlocks() {
        assertEquals(new LaunchConfiguration(1, 256), LaunchConfiguration.of(1, MI250X));
        assertEquals(new LaunchConfiguration(1, 256), LaunchConfiguration.of(256, MI250X));
        assertEquals(new LaunchConfiguration(2, 256), LaunchConfiguration.of(257, MI250X));
    }

    @Test
    void largeWorkIsCappedAtFourWavesOfResidentBlocks() {
        // 110 compute units x (2048 / 256) resident blocks x 4 waves
        assertEquals(new LaunchConfiguration(3520, 256), LaunchConfiguration.of(1L << 32, MI250X));
    }

    @Test
    void respectsTheDevicesBlockAndGridLimits() {
        LaunchConfiguration.DeviceLimits small = new LaunchConfiguration.DeviceLimits(128, 10, 4, 512);

        assertEquals(new LaunchConfiguration(10, 128), LaunchConfiguration.of(1_000_000, small));
    }

    @Test
    void rejectsEmptyWorkAndNonsenseLimits() {
        assertThrows(IllegalArgumentException.class, () -> LaunchConfiguration.of(0, MI250X));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new LaunchConfiguration.DeviceLimits(0, 1, 1, 1));
        assertEquals("device limits must be positive: 0 threads per block, grid 1, 1 multiprocessors, 1 threads per multiprocessor", e.getMessage());
    }
}
