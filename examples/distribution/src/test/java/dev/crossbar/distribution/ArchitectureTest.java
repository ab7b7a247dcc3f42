package dev.crossbar.distribution;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.junit.ArchTests;
import dev.crossbar.conformance.arch.CrossbarArchitectureRules;

/** Applies Crossbar's architecture rules to the main classes of every module this distribution bundles. */
@AnalyzeClasses(packages = "dev.crossbar", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {
    @ArchTest
    static final ArchTests crossbarRules = ArchTests.in(CrossbarArchitectureRules.class);
}
