package dev.crossbar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.crossbar.runtime.RuntimeConfiguration.Source;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuntimeConfigurationTest {
    @Test
    void environmentVariablesMapToProperties() {
        RuntimeConfiguration c = new RuntimeConfiguration(Map.of(), Map.of(), Map.of("CROSSBAR_CPU_DEVICES", "4", "PATH", "/bin"));
        assertEquals(Optional.of("4"), c.get("crossbar.cpu.devices"));
        assertEquals(Map.of("crossbar.cpu.devices", "4"), c.properties());
        assertEquals("CROSSBAR_CPU_DEVICES", RuntimeConfiguration.environmentVariable("crossbar.cpu.devices"));
    }

    @Test
    void builderBeatsSystemPropertyBeatsEnvironment() {
        RuntimeConfiguration c = new RuntimeConfiguration(
                Map.of("crossbar.a", "builder"),
                Map.of("crossbar.a", "property", "crossbar.b", "property", "java.home", "/jdk"),
                Map.of("CROSSBAR_A", "env", "CROSSBAR_B", "env", "CROSSBAR_C", "env"));
        assertEquals(Map.of("crossbar.a", "builder", "crossbar.b", "property", "crossbar.c", "env"), c.properties());
        assertEquals(Optional.of("env"), c.get(Source.ENVIRONMENT, "crossbar.a"));
        assertEquals(Optional.empty(), c.get(Source.BUILDER, "crossbar.c"));
    }

    @Test
    void builderKeysMustBeCrossbarSettings() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new RuntimeConfiguration(Map.of("cpu.devices", "2"), Map.of(), Map.of()));
        assertEquals("Setting 'cpu.devices' is not a Crossbar setting; Crossbar settings start with 'crossbar.', such as crossbar.backend", e.getMessage());
    }
}
