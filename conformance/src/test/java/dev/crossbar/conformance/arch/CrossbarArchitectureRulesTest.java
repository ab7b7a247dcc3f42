package dev.crossbar.conformance.arch;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.example.accel.archfixture.VendorKernelUsingGuice;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import dev.crossbar.api.archfixture.ApiReachingIntoRuntime;
import dev.crossbar.backend.archfixture.clean.CleanProvider;
import dev.crossbar.backend.archfixture.complete.EveryCellKernel;
import dev.crossbar.backend.archfixture.guice.BackendUsingGuice;
import dev.crossbar.backend.archfixture.kernels.abstractkernel.AbstractNegKernel;
import dev.crossbar.backend.archfixture.kernels.iface.NegKernelInterface;
import dev.crossbar.backend.archfixture.kernels.indirect.SharedCodeWithoutKernelsProvider;
import dev.crossbar.backend.archfixture.kernels.overclaiming.OverclaimingProvider;
import dev.crossbar.backend.archfixture.kernels.privateconstructor.UnreachableNegKernel;
import dev.crossbar.backend.archfixture.kernels.uncreated.UncreatedSharedKernelProvider;
import dev.crossbar.backend.archfixture.kernels.wronginterface.AddDeclaredOnUnaryKernel;
import dev.crossbar.backend.archfixture.linker.LinkingOutsideFfi;
import dev.crossbar.backend.archfixture.logback.BackendUsingLogback;
import dev.crossbar.backend.archfixture.runtimeuser.BackendReachingIntoRuntime;
import dev.crossbar.backend.archfixture.shared.SharedKernelsProvider;
import dev.crossbar.backend.archfixture.skeleton.SkeletonProvider;
import dev.crossbar.backend.archfixturea.UsesOtherBackend;
import dev.crossbar.backend.archfixtureb.OtherBackendService;
import dev.crossbar.backend.cpu.archfixture.OnlyAddKernel;
import dev.crossbar.backend.neuron.archfixture.clean.NeuronUsingPjrt;
import dev.crossbar.backend.neuron.archfixture.violation.NeuronUsingXlaInternals;
import dev.crossbar.backend.xla.internal.archfixture.XlaCompilerInternals;
import dev.crossbar.backend.xla.pjrt.archfixture.PjrtClientFixture;
import dev.crossbar.conformance.archfixture.StrayKernel;
import dev.crossbar.runtime.archfixture.RuntimeService;
import dev.crossbar.spi.codegen.GeneratedKernels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Each rule fires on a fixture that breaks it, naming the fixture class, and passes on fixtures that follow it. */
class CrossbarArchitectureRulesTest {

    @Test
    void apiShouldNotDependOnOtherCrossbarModules() {
        assertViolation(CrossbarArchitectureRules.apiShouldNotDependOnOtherCrossbarModules, ApiReachingIntoRuntime.class);
    }

    @Test
    void backendsShouldNotDependOnRuntime() {
        assertViolation(CrossbarArchitectureRules.backendsShouldNotDependOnRuntime, BackendReachingIntoRuntime.class);
    }

    @Test
    void onlyRuntimeShouldUseGuice() {
        assertViolation(CrossbarArchitectureRules.onlyRuntimeShouldUseGuice, BackendUsingGuice.class);
        CrossbarArchitectureRules.onlyRuntimeShouldUseGuice.check(importing(RuntimeService.class, CleanProvider.class));
    }

    @Test
    void backendsShouldNotUseALoggingImplementation() {
        assertViolation(CrossbarArchitectureRules.backendsShouldNotUseALoggingImplementation, BackendUsingLogback.class);
    }

    @Test
    void backendsShouldNotDependOnEachOther() {
        assertViolation(CrossbarArchitectureRules.backendsShouldNotDependOnEachOther, UsesOtherBackend.class, OtherBackendService.class);
    }

    @Test
    void neuronShouldUseOnlyTheExportedPackagesOfXla() {
        assertViolation(CrossbarArchitectureRules.neuronShouldUseOnlyTheExportedPackagesOfXla, NeuronUsingXlaInternals.class, XlaCompilerInternals.class);
        JavaClasses allowed = importing(NeuronUsingPjrt.class, PjrtClientFixture.class);
        CrossbarArchitectureRules.neuronShouldUseOnlyTheExportedPackagesOfXla.check(allowed);
        CrossbarArchitectureRules.backendsShouldNotDependOnEachOther.check(allowed);
    }

    @Test
    void onlyFfiPackagesShouldLinkNativeCode() {
        assertViolation(CrossbarArchitectureRules.onlyFfiPackagesShouldLinkNativeCode, LinkingOutsideFfi.class);
    }

    @Test
    void kernelClassesShouldImplementTheKernelInterfaceOfEachOpTheyDeclare() {
        assertViolation(CrossbarArchitectureRules.kernelClassesShouldImplementTheKernelInterfaceOfEachOpTheyDeclare, AddDeclaredOnUnaryKernel.class);
    }

    @Test
    void kernelClassesShouldResideInABackend() {
        assertViolation(CrossbarArchitectureRules.kernelClassesShouldResideInABackend, StrayKernel.class);
    }

    @Test
    void kernelClassesShouldBeInstantiable() {
        assertViolation(CrossbarArchitectureRules.kernelClassesShouldBeInstantiable, AbstractNegKernel.class);
        assertViolation(CrossbarArchitectureRules.kernelClassesShouldBeInstantiable, NegKernelInterface.class);
        assertViolation(CrossbarArchitectureRules.kernelClassesShouldBeInstantiable, UnreachableNegKernel.class);
    }

    @Test
    void providersShouldDeclareExactlyTheCellsOfTheirKernelClasses() {
        AssertionError e = assertViolation(CrossbarArchitectureRules.providersShouldDeclareExactlyTheCellsOfTheirKernelClasses, OverclaimingProvider.class);
        assertTrue(e.getMessage().contains("neg/f64"), () -> "The violation names the cell without a kernel: " + e.getMessage());
    }

    @Test
    void providersCountTheSharedKernelsTheirCodeCreates() {
        CrossbarArchitectureRules.providersShouldDeclareExactlyTheCellsOfTheirKernelClasses.check(new ClassFileImporter().importPackagesOf(SharedKernelsProvider.class));
        CrossbarArchitectureRules.kernelClassesShouldResideInABackend.check(new ClassFileImporter().importPackagesOf(GeneratedKernels.class));
        AssertionError e = assertViolation(CrossbarArchitectureRules.providersShouldDeclareExactlyTheCellsOfTheirKernelClasses, UncreatedSharedKernelProvider.class);
        assertTrue(e.getMessage().contains("neg/f32") && e.getMessage().contains("erf/bf16"),
                () -> "The violation names the shared kernel's cells the provider claims without creating it: " + e.getMessage());
    }

    @Test
    void providersCountTheSharedKernelsTheSharedCodeTheyRunCreates() {
        CrossbarArchitectureRules.providersShouldDeclareExactlyTheCellsOfTheirKernelClasses
                .check(new ClassFileImporter().importPackagesOf(SkeletonProvider.class, GeneratedKernels.class));
        AssertionError e = assertViolation(CrossbarArchitectureRules.providersShouldDeclareExactlyTheCellsOfTheirKernelClasses,
                SharedCodeWithoutKernelsProvider.class, GeneratedKernels.class);
        assertTrue(e.getMessage().contains("neg/f32"),
                () -> "Calling shared code that creates no kernel does not count as creating one: " + e.getMessage());
    }

    @Test
    void everyOpOfTheCurrentOpSetShouldHaveACpuKernel() {
        AssertionError e = assertViolation(CrossbarArchitectureRules.everyOpOfTheCurrentOpSetShouldHaveACpuKernel, OnlyAddKernel.class);
        assertTrue(e.getMessage().contains("lack kernels for 305 cells") && e.getMessage().contains("add/f64"), () -> "The violation lists the missing cells: " + e.getMessage());
        CrossbarArchitectureRules.everyCellShouldHaveAKernelIn(EveryCellKernel.class.getPackageName()).check(importing(EveryCellKernel.class));
    }

    @Test
    void cleanBackendFollowsEveryBackendRule() {
        JavaClasses clean = new ClassFileImporter().importPackagesOf(CleanProvider.class, EveryCellKernel.class);
        for (ArchRule rule : List.of(CrossbarArchitectureRules.backendsShouldNotDependOnRuntime, CrossbarArchitectureRules.onlyRuntimeShouldUseGuice,
                CrossbarArchitectureRules.backendsShouldNotUseALoggingImplementation, CrossbarArchitectureRules.backendsShouldNotDependOnEachOther,
                CrossbarArchitectureRules.onlyFfiPackagesShouldLinkNativeCode,
                CrossbarArchitectureRules.kernelClassesShouldImplementTheKernelInterfaceOfEachOpTheyDeclare,
                CrossbarArchitectureRules.kernelClassesShouldResideInABackend, CrossbarArchitectureRules.kernelClassesShouldBeInstantiable,
                CrossbarArchitectureRules.providersShouldDeclareExactlyTheCellsOfTheirKernelClasses,
                CrossbarArchitectureRules.forPlugin("dev.crossbar.backend.archfixture.clean.."))) {
            rule.check(clean);
        }
    }

    @Test
    void pluginRulesApplyToAThirdPartyPackage() {
        AssertionError e = assertViolation(CrossbarArchitectureRules.forPlugin("com.example.accel.."), VendorKernelUsingGuice.class);
        assertTrue(e.getMessage().contains("com.google.inject"), () -> "The plugin violation names Guice: " + e.getMessage());
        CrossbarArchitectureRules.forPlugin("com.example.accel..", "dev.crossbar.backend.archfixture.clean..")
                .check(new ClassFileImporter().importPackagesOf(CleanProvider.class));
    }

    private static JavaClasses importing(Class<?>... fixtures) {
        return new ClassFileImporter().importClasses(fixtures);
    }

    /** Checks the rule on the fixture classes' packages and expects a violation naming the first fixture. */
    private static AssertionError assertViolation(ArchRule rule, Class<?> fixture, Class<?>... more) {
        Class<?>[] all = new Class<?>[more.length + 1];
        all[0] = fixture;
        System.arraycopy(more, 0, all, 1, more.length);
        JavaClasses classes = new ClassFileImporter().importPackagesOf(all);
        AssertionError e = assertThrows(AssertionError.class, () -> rule.check(classes), () -> rule.getDescription() + " must fire on " + fixture.getName());
        assertTrue(e.getMessage().contains(fixture.getName()), () -> "The violation must name " + fixture.getName() + ": " + e.getMessage());
        return e;
    }
}
