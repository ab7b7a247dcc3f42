package dev.crossbar.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DeviceTest {

    @Test
    void parsesAndPrintsLikePyTorch() {
        assertEquals(new Device("cuda", 1), Device.parse("cuda:1"));
        assertEquals(new Device("cpu", 0), Device.parse("cpu"));
        assertEquals("xla:3", new Device("xla", 3).toString());
    }

    @Test
    void rejectsMalformedNames() {
        assertThrows(IllegalArgumentException.class, () -> Device.parse("cuda:x"));
        assertThrows(IllegalArgumentException.class, () -> new Device("cpu", -1));
        assertThrows(IllegalArgumentException.class, () -> new Device("", 0));
    }
}
