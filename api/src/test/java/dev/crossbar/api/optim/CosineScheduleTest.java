package dev.crossbar.api.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CosineScheduleTest {

    @Test
    void warmsUpLinearlyThenDecaysAlongACosine() {
        CosineSchedule schedule = new CosineSchedule(1e-3, 1e-4, 10, 110);
        assertEquals(1e-4, schedule.rate(0), 1e-15, "step 0 of 10 warmup steps is 1/10 of the peak");
        assertEquals(1e-3, schedule.rate(9), 1e-15);
        assertEquals(1e-3, schedule.rate(10), 1e-15, "decay starts at the peak");
        assertEquals(1e-4 + 0.5 * 9e-4, schedule.rate(60), 1e-15, "halfway the cosine is at its midpoint");
        assertEquals(1e-4 + 0.5 * 9e-4 * (1 + Math.cos(Math.PI * 0.25)), schedule.rate(35), 1e-15);
        assertEquals(1e-4, schedule.rate(110), 1e-15);
        assertEquals(1e-4, schedule.rate(1000), 1e-15, "constant after the end");
    }

    @Test
    void rejectsInconsistentSchedules() {
        assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(1e-3, 1e-4, 20, 10));
        assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(1e-4, 1e-3, 0, 10));
    }
}
