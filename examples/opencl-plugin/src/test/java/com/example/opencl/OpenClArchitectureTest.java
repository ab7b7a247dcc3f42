package com.example.opencl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.crossbar.conformance.arch.CrossbarArchitectureRules;
import dev.crossbar.spi.Kernel;
import org.junit.jupiter.api.Test;

/** Holds the plugin to the architecture rules Crossbar's own backends follow, run on the plugin's main classes. */
class OpenClArchitectureTest {
    private static final JavaClasses PLUGIN = new ClassFileImporter().withImportOption(new ImportOption.DoNotIncludeTests()).importPackages("com.example.opencl");

    @Test
    void thePluginFollowsCrossbarsArchitectureRules() {
        // The rules allow empty selections, so first make sure they see the plugin: its provider, FFI and every kernel class.
        assertTrue(PLUGIN.contain(OpenClBackendProvider.class), "the provider was not imported");
        assertTrue(PLUGIN.contain(com.example.opencl.internal.ffi.NativeOpenCl.class), "the FFI package was not imported");
        assertEquals(OpenClKernels.CLASSES.size(), PLUGIN.stream().filter(c -> c.isAnnotatedWith(Kernel.class) || c.isAnnotatedWith(Kernel.List.class)).count(),
                "every kernel class is imported");
        CrossbarArchitectureRules.forPlugin("com.example.opencl..").check(PLUGIN);
    }
}
