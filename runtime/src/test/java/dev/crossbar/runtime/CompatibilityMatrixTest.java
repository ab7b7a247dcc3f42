package dev.crossbar.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CompatibilityMatrixTest {
    private final List<DiscoveredBackend> backends = registry().backends();
    private final String markdown = new CompatibilityMatrix(backends).toMarkdown();

    private static BackendRegistry registry() {
        return new BackendRegistry(new RuntimeConfiguration(Map.of(), Map.of(), Map.of()));
    }

    @Test
    void listsBackendsThatDeclareCapabilitiesKnownOnesFirst() {
        assertEquals(List.of("cpu", "fake", "missinglib"), new CompatibilityMatrix(backends).backendNames());
        assertFalse(markdown.contains("badprobe"));
        assertFalse(markdown.contains("future"));
    }

    @Test
    void marksDeclaredAdmittedAndNotAdmittedCells() {
        // fake declares full/f32 only; iota does not admit bool, and only full, cast and the layout ops admit the FP8 types.
        String fake = markdown.substring(markdown.indexOf("## fake"), markdown.indexOf("## missinglib"));
        assertTrue(fake.contains("| op | f32 | f64 | f16 | bf16 | i8 | i32 | i64 | bool | f8e4m3fn | f8e5m2 |\n"), fake);
        assertTrue(fake.contains("| full | ✓ | · | · | · | · | · | · | · | · | · |\n"), fake);
        assertTrue(fake.contains("| iota | · | · | · | · | · | · | · |  |  |  |\n"), fake);
        assertTrue(fake.contains("| exp | · | · | · | · |  |  |  |  |  |  |\n"), fake);
    }

    @Test
    void summaryStatesModeCellsAndVerificationPath() {
        assertTrue(markdown.contains("| fake | eager | 1 of "), markdown);
        assertTrue(markdown.contains(" | fake device simulator, every build |\n"), "a plugin's own statement: " + markdown);
        assertTrue(markdown.contains("| missinglib | eager | 0 of "), markdown);
        assertTrue(markdown.contains(" | not stated by the plugin (no kernels declared yet) |\n"), "the default of a plugin that states nothing: " + markdown);
        assertTrue(markdown.contains("| cpu | eager | "), markdown);
        assertTrue(markdown.contains("| conformance kit, every build |\n"), markdown);
    }

    @Test
    void collectivesAndShardingFollowEachProvidersVerification() {
        assertTrue(markdown.contains("| feature | cpu | fake | missinglib |\n"), markdown);
        assertTrue(markdown.contains("| allReduce | ✓ | ✓ | not yet |\n"), markdown);
        assertTrue(markdown.contains("| send/recv | ✓ | ✓ | not yet |\n"), markdown);
        assertTrue(markdown.contains("| barrier | ✓ | ✓ | not yet |\n"), markdown);
        assertTrue(markdown.contains("| FSDP | ✓ | not yet | not yet |\n"), markdown);
        assertTrue(markdown.contains("| HSDP | ✓ | not yet | not yet |\n"), markdown);
        assertTrue(markdown.contains("| mixed precision | ✓ | not yet | not yet |\n"), markdown);
        assertTrue(markdown.endsWith("| mixed precision | ✓ | not yet | not yet |\n\nChecked of the collectives short of the suite:\n\n"
                + "- fake: its simulator also replays recorded collectives\n"), "only providers with a collective note are listed: " + markdown);
    }

    @Test
    void renderingIsDeterministic() {
        assertEquals(markdown, new CompatibilityMatrix(registry().backends()).toMarkdown());
        assertFalse(markdown.contains("\r"));
    }

    @Test
    void firstDifferenceNamesTheLine() {
        assertEquals(Optional.of("line 2: expected \"b\" but found \"c\""), CompatibilityMatrix.firstDifference("a\nb\n", "a\nc\n"));
        assertEquals(Optional.empty(), CompatibilityMatrix.firstDifference("a\n", "a\n"));
    }
}
