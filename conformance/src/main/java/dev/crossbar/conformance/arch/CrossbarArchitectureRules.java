package dev.crossbar.conformance.arch;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static dev.crossbar.conformance.arch.KernelDeclarations.KERNEL_CLASSES;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaCall;
import com.tngtech.archunit.core.domain.JavaCodeUnit;
import com.tngtech.archunit.core.domain.JavaConstructorCall;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Cell;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.OpSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Crossbar's architecture, as ArchUnit rules that read as sentences: the module layering of DESIGN.md, the
 * confinement of Guice and native linking, and the consistency of {@code @Kernel} declarations with kernel classes
 * and capabilities.
 *
 * <p>Crossbar applies every rule to all of its modules:
 *
 * <pre>{@code
 * @AnalyzeClasses(packages = "dev.crossbar", importOptions = ImportOption.DoNotIncludeTests.class)
 * class ArchitectureTest {
 *     @ArchTest
 *     static final ArchTests crossbar = ArchTests.in(CrossbarArchitectureRules.class);
 * }
 * }</pre>
 *
 * <p>A third-party backend applies the rules that concern backends to its own packages with {@link #forPlugin}:
 *
 * <pre>{@code
 * @AnalyzeClasses(packages = "com.vendor.accel", importOptions = ImportOption.DoNotIncludeTests.class)
 * class VendorArchitectureTest {
 *     @ArchTest
 *     static final ArchRule crossbar = CrossbarArchitectureRules.forPlugin("com.vendor.accel..");
 * }
 * }</pre>
 */
public final class CrossbarArchitectureRules {
    /** The packages of Crossbar's own backends. */
    public static final String BACKEND_PACKAGES = "dev.crossbar.backend..";

    /**
     * The SPI's shared kernels ({@code GeneratedKernels}): generated-source kernels several GPU backends register by
     * creating them with their own dialect; their cells count for the backends whose code creates them, directly or
     * through code of this package (the GPU backend skeleton {@code GpuBackendProvider} a backend extends).
     */
    public static final String SHARED_KERNEL_PACKAGES = "dev.crossbar.spi.codegen..";
    private static final String SHARED_KERNEL_PACKAGE = "dev.crossbar.spi.codegen";

    /** The reference backend, which must serve every cell. */
    public static final String CPU_BACKEND_PACKAGES = "dev.crossbar.backend.cpu..";

    /**
     * The packages backend-xla exports for other backends: Neuron records its graphs with xla's lazy engine and kernels,
     * lowers them to StableHLO and runs them through PJRT, or through the TensorFlow verification executor.
     */
    public static final List<String> XLA_PACKAGES_OPEN_TO_OTHER_BACKENDS = List.of("dev.crossbar.backend.xla.pjrt..", "dev.crossbar.backend.xla.stablehlo..",
            "dev.crossbar.backend.xla.lazy..", "dev.crossbar.backend.xla.executor..", "dev.crossbar.backend.xla.kernel..", "dev.crossbar.backend.xla.internal.tf..");

    private static final String API_PACKAGES = "dev.crossbar.api..";
    private static final String SPI_PACKAGES = "dev.crossbar.spi..";
    private static final String RUNTIME_PACKAGES = "dev.crossbar.runtime..";
    private static final String GUICE_PACKAGES = "com.google.inject..";
    private static final String LOGBACK_PACKAGES = "ch.qos.logback..";
    private static final String FFI_PACKAGES = "..internal.ffi..";
    /** The SPI's one native-library loader, which every backend's internal.ffi classes use to open libraries and bind functions. */
    private static final String SPI_FFI_PACKAGES = "dev.crossbar.spi.ffi..";

    /** The native linking API, by name so that these rules themselves do not depend on it. */
    private static final Set<String> NATIVE_LINKING_TYPES = Set.of("java.lang.foreign.Linker", "java.lang.foreign.Linker$Option",
            "java.lang.foreign.SymbolLookup", "java.lang.foreign.FunctionDescriptor");

    private static final String API_REASON = "api is the bottom layer every other module builds on; a dependency upward would make the user API and SPI"
            + " drag in a runtime or a backend, and third-party plugins could no longer depend on api alone";
    private static final String RUNTIME_REASON = "the runtime discovers backends through ServiceLoader, never the other way round; a backend that reached"
            + " into the runtime could not be loaded by another runtime or tested on its own";
    private static final String GUICE_REASON = "Guice wires the runtime only; plugins are plain classes that ServiceLoader builds with a no-argument"
            + " constructor, and a Guice dependency in them would force Guice onto every application";
    private static final String LOGBACK_REASON = "libraries log through the SLF4J facade and let the application choose the implementation; only the"
            + " examples and the CLI bind Logback";
    private static final String BACKENDS_REASON = "backends are interchangeable plugins that users swap by classpath; one backend depending on another"
            + " would make removing one break the other (Neuron may use backend-xla's exported PJRT and StableHLO packages)";
    private static final String FFI_REASON = "native calls are kept in a small room: one Native* class per library in an internal.ffi package, method"
            + " handles looked up once and every error code checked; MemorySegment, Arena and ValueLayout are plain memory and allowed everywhere;"
            + " the SPI's dev.crossbar.spi.ffi.NativeLibrary may link too, because it is the one loader those classes share (lookup, missing"
            + " symbols and the --enable-native-access message written once instead of once per backend)";
    private static final String KERNEL_INTERFACE_REASON = "the runtime looks a kernel up by op and casts it to Op.kernelType(); a class declaring an op"
            + " whose interface it does not implement would fail at the first call instead of at build time";
    private static final String KERNEL_PACKAGE_REASON = "kernels belong to the backend that runs them, or to the SPI's shared generated kernels"
            + " (dev.crossbar.spi.codegen) that backends register by creating them; a @Kernel class elsewhere would declare cells for no backend, or"
            + " for one that cannot see it";
    private static final String KERNEL_CONCRETE_REASON = "every declared cell must be served by an instance the backend can create; an abstract class,"
            + " an interface or a class whose constructors are all private declares capabilities no kernel stands behind (a package-private class is"
            + " fine: the backend creates its kernels itself and hands the instances to KernelSet.of)";
    private static final String PROVIDER_REASON = "capabilities are derived from @Kernel annotations, never written twice, so the compatibility matrix"
            + " states exactly what the kernels serve: the backend's own kernel classes and the SPI's shared ones its code creates";
    private static final String CPU_REASON = "the cpu backend is the reference every other backend is compared with and the default that always runs;"
            + " a cell it lacks is a cell no user can rely on";

    /** The user API and the SPI depend on nothing else of Crossbar. */
    @ArchTest
    public static final ArchRule apiShouldNotDependOnOtherCrossbarModules = noClasses().that().resideInAnyPackage(API_PACKAGES, SPI_PACKAGES)
            .should().dependOnClassesThat(resideInAPackage("dev.crossbar..").and(not(resideInAnyPackage(API_PACKAGES, SPI_PACKAGES))))
            .because(API_REASON);

    /** Backends do not depend on the runtime. */
    @ArchTest
    public static final ArchRule backendsShouldNotDependOnRuntime = shouldNotDependOn(BACKEND_PACKAGES, RUNTIME_PACKAGES, RUNTIME_REASON);

    /** Only the runtime uses Guice. */
    @ArchTest
    public static final ArchRule onlyRuntimeShouldUseGuice = noClasses().that().resideOutsideOfPackage(RUNTIME_PACKAGES)
            .should().dependOnClassesThat().resideInAPackage(GUICE_PACKAGES).because(GUICE_REASON);

    /** Backends log through SLF4J, never through Logback. */
    @ArchTest
    public static final ArchRule backendsShouldNotUseALoggingImplementation = shouldNotDependOn(BACKEND_PACKAGES, LOGBACK_PACKAGES, LOGBACK_REASON);

    /** No backend depends on another, except Neuron on backend-xla (checked by the next rule). */
    @ArchTest
    public static final ArchRule backendsShouldNotDependOnEachOther = slices().matching("dev.crossbar.backend.(*)..").should().notDependOnEachOther()
            .ignoreDependency(resideInAPackage("dev.crossbar.backend.neuron.."), resideInAPackage("dev.crossbar.backend.xla.."))
            .because(BACKENDS_REASON);

    /** Neuron uses only the packages backend-xla exports. */
    @ArchTest
    public static final ArchRule neuronShouldUseOnlyTheExportedPackagesOfXla = noClasses().that().resideInAPackage("dev.crossbar.backend.neuron..")
            .should().dependOnClassesThat(resideInAPackage("dev.crossbar.backend.xla..").and(not(resideInAnyPackage(XLA_PACKAGES_OPEN_TO_OTHER_BACKENDS.toArray(String[]::new)))))
            .because("backend-xla exports its PJRT, StableHLO, lazy engine, executor and kernel packages for Neuron and keeps the rest internal, free to change")
            .allowEmptyShould(true);

    /** Native linking (Linker, SymbolLookup, FunctionDescriptor) appears only in internal.ffi packages and the SPI's native-library loader. */
    @ArchTest
    public static final ArchRule onlyFfiPackagesShouldLinkNativeCode = nativeLinkingOnlyInFfiPackages("..");

    /** Every @Kernel class implements the kernel interface of each op it declares. */
    @ArchTest
    public static final ArchRule kernelClassesShouldImplementTheKernelInterfaceOfEachOpTheyDeclare = kernelInterfaceRule("..");

    /** Every @Kernel class lives in a backend, or among the SPI's shared generated kernels. */
    @ArchTest
    public static final ArchRule kernelClassesShouldResideInABackend = kernelClassesShouldResideIn(BACKEND_PACKAGES, SHARED_KERNEL_PACKAGES);

    /** Every @Kernel class can be instantiated: a concrete class with a non-private constructor. */
    @ArchTest
    public static final ArchRule kernelClassesShouldBeInstantiable = kernelsInstantiableRule("..");

    /**
     * Every backend provider declares exactly the cells its @Kernel classes and the shared kernels its code creates
     * (directly or through the shared package's code) serve.
     */
    @ArchTest
    public static final ArchRule providersShouldDeclareExactlyTheCellsOfTheirKernelClasses = providerCellsRule("..");

    /** The cpu backend serves every cell of the current op set. */
    @ArchTest
    public static final ArchRule everyOpOfTheCurrentOpSetShouldHaveACpuKernel = everyCellShouldHaveAKernelIn(CPU_BACKEND_PACKAGES);

    private CrossbarArchitectureRules() {
    }

    /**
     * Returns the rules a third-party backend plugin runs on its own packages: no dependency on the runtime, Guice,
     * Logback or Crossbar's backends (backend-xla's exported packages aside); native linking only in internal.ffi
     * packages; and consistent kernel classes and capabilities.
     *
     * @param pluginPackages the plugin's packages in ArchUnit's syntax, such as {@code "com.vendor.accel.."}
     * @return one rule combining them, for an {@code @ArchTest} field
     */
    public static ArchRule forPlugin(String... pluginPackages) {
        String[] ownAndCrossbarBackends = Stream.concat(Stream.of(BACKEND_PACKAGES, SHARED_KERNEL_PACKAGES), Arrays.stream(pluginPackages)).toArray(String[]::new);
        String[] openToPlugins = Stream.concat(XLA_PACKAGES_OPEN_TO_OTHER_BACKENDS.stream(), Arrays.stream(pluginPackages)).toArray(String[]::new);
        List<ArchRule> rules = new ArrayList<>();
        for (String plugin : pluginPackages) {
            rules.add(shouldNotDependOn(plugin, RUNTIME_PACKAGES, RUNTIME_REASON));
            rules.add(shouldNotDependOn(plugin, GUICE_PACKAGES, GUICE_REASON));
            rules.add(shouldNotDependOn(plugin, LOGBACK_PACKAGES, LOGBACK_REASON));
            rules.add(noClasses().that().resideInAPackage(plugin)
                    .should().dependOnClassesThat(resideInAPackage(BACKEND_PACKAGES).and(not(resideInAnyPackage(openToPlugins))))
                    .because(BACKENDS_REASON).allowEmptyShould(true));
            rules.add(nativeLinkingOnlyInFfiPackages(plugin));
            rules.add(kernelInterfaceRule(plugin));
            rules.add(kernelsInstantiableRule(plugin));
            rules.add(providerCellsRule(plugin));
        }
        rules.add(kernelClassesShouldResideIn(ownAndCrossbarBackends));
        return CompositeArchRule.of(rules).because("a plugin is held to the same architecture as Crossbar's own backends");
    }

    /**
     * Returns the rule that the classes in some packages together serve every cell (op and admitted dtype) of
     * {@link OpSet#current()}; the violation lists the missing cells.
     *
     * @param packages the packages, such as {@link #CPU_BACKEND_PACKAGES}
     * @return the rule
     */
    public static ArchRule everyCellShouldHaveAKernelIn(String packages) {
        return classes().that().resideInAPackage(packages).should(serveEveryCellOf(OpSet.current(), packages)).because(CPU_REASON);
    }

    /**
     * Returns the rule that every {@code @Kernel} class lives in one of some packages.
     *
     * @param packages the allowed packages, such as {@link #BACKEND_PACKAGES} and a plugin's own
     * @return the rule
     */
    public static ArchRule kernelClassesShouldResideIn(String... packages) {
        return classes().that(KERNEL_CLASSES).should().resideInAnyPackage(packages).because(KERNEL_PACKAGE_REASON).allowEmptyShould(true);
    }

    private static ArchRule shouldNotDependOn(String origin, String target, String reason) {
        return noClasses().that().resideInAPackage(origin).should().dependOnClassesThat().resideInAPackage(target).because(reason).allowEmptyShould(true);
    }

    private static ArchRule nativeLinkingOnlyInFfiPackages(String packages) {
        return noClasses().that().resideInAPackage(packages).and().resideOutsideOfPackages(FFI_PACKAGES, SPI_FFI_PACKAGES)
                .should().dependOnClassesThat(DescribedPredicate.describe("are Linker, Linker.Option, SymbolLookup or FunctionDescriptor",
                        (JavaClass c) -> NATIVE_LINKING_TYPES.contains(c.getName())))
                .because(FFI_REASON).allowEmptyShould(true);
    }

    private static ArchRule kernelInterfaceRule(String packages) {
        return classes().that(KERNEL_CLASSES).and().resideInAPackage(packages).should(implementTheKernelInterfaceOfEachDeclaredOp())
                .because(KERNEL_INTERFACE_REASON).allowEmptyShould(true);
    }

    private static ArchRule kernelsInstantiableRule(String packages) {
        return classes().that(KERNEL_CLASSES).and().resideInAPackage(packages).should(beInstantiable()).because(KERNEL_CONCRETE_REASON).allowEmptyShould(true);
    }

    private static ArchRule providerCellsRule(String packages) {
        return classes().that().implement(BackendProvider.class).and().resideInAPackage(packages).and().areNotInterfaces()
                .and().doNotHaveModifier(JavaModifier.ABSTRACT)
                .should(declareExactlyTheCellsOfTheKernelClassesInTheirPackageTree()).because(PROVIDER_REASON).allowEmptyShould(true);
    }

    // ---------------------------------------------------------------- conditions

    private static ArchCondition<JavaClass> implementTheKernelInterfaceOfEachDeclaredOp() {
        return new ArchCondition<>("implement the kernel interface of each op they declare") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                for (KernelDeclarations.Declaration d : KernelDeclarations.declarationsOf(type)) {
                    Class<?> required = d.op().kernelType();
                    boolean ok = type.isAssignableTo(required);
                    events.add(new SimpleConditionEvent(type, ok, String.format(Locale.ROOT, "%s declares @Kernel(op = %s) but does not implement %s",
                            type.getName(), d.op(), required.getName())));
                }
            }
        };
    }

    private static ArchCondition<JavaClass> beInstantiable() {
        return new ArchCondition<>("be concrete classes with a non-private constructor") {
            @Override
            public void check(JavaClass type, ConditionEvents events) {
                List<String> problems = new ArrayList<>();
                if (type.isInterface()) {
                    problems.add("is an interface");
                } else if (type.getModifiers().contains(JavaModifier.ABSTRACT)) {
                    problems.add("is abstract");
                }
                if (!type.isInterface() && type.getConstructors().stream().allMatch(c -> c.getModifiers().contains(JavaModifier.PRIVATE))) {
                    problems.add("has only private constructors");
                }
                events.add(new SimpleConditionEvent(type, problems.isEmpty(),
                        type.getName() + " carries @Kernel but " + String.join(", ", problems) + "; make it a concrete class the backend can instantiate"));
            }
        };
    }

    private static ArchCondition<JavaClass> declareExactlyTheCellsOfTheKernelClassesInTheirPackageTree() {
        return new ArchCondition<>("declare exactly the cells of the @Kernel classes in their package tree and of the shared kernels it creates") {
            @Override
            public void check(JavaClass provider, ConditionEvents events) {
                SortedSet<Cell> served = new TreeSet<>();
                for (JavaClass type : provider.getPackage().getClassesInPackageTree()) {
                    if (KERNEL_CLASSES.test(type)) {
                        served.addAll(KernelDeclarations.cellsOf(type));
                    }
                }
                sharedKernelsCreatedBy(provider.getPackage().getClassesInPackageTree()).forEach(created -> served.addAll(KernelDeclarations.cellsOf(created)));
                SortedSet<Cell> declared;
                try {
                    declared = new TreeSet<>(((BackendProvider) provider.reflect().getConstructor().newInstance()).capabilities().cells());
                } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                    events.add(SimpleConditionEvent.violated(provider, provider.getName() + " could not be created with its public no-argument constructor to read"
                            + " its capabilities: " + e));
                    return;
                }
                SortedSet<Cell> withoutKernel = new TreeSet<>(declared);
                withoutKernel.removeAll(served);
                SortedSet<Cell> undeclared = new TreeSet<>(served);
                undeclared.removeAll(declared);
                events.add(new SimpleConditionEvent(provider, withoutKernel.isEmpty() && undeclared.isEmpty(), String.format(Locale.ROOT,
                        "%s declares cells no @Kernel class in %s.. or shared kernel it creates serves: %s; and those kernel classes serve cells it does not declare: %s;"
                                + " derive capabilities() with Capabilities.declaredBy(kernel classes)",
                        provider.getName(), provider.getPackageName(), withoutKernel, undeclared)));
            }
        };
    }

    /**
     * Returns the shared kernel classes (in {@link #SHARED_KERNEL_PACKAGES}) that some classes create: by calling their
     * constructors, or by calling code of the shared package that does, at any depth (a provider extending the SPI's
     * GPU backend skeleton creates its kernels through the skeleton's constructor).
     */
    private static Set<JavaClass> sharedKernelsCreatedBy(Set<JavaClass> classes) {
        Deque<JavaCodeUnit> pending = new ArrayDeque<>();
        classes.forEach(type -> pending.addAll(type.getCodeUnits()));
        Set<JavaCodeUnit> visited = new HashSet<>();
        Set<JavaClass> created = new HashSet<>();
        while (!pending.isEmpty()) {
            JavaCodeUnit unit = pending.pop();
            if (!visited.add(unit)) {
                continue;
            }
            for (JavaCall<?> call : unit.getCallsFromSelf()) {
                JavaClass owner = call.getTargetOwner();
                if (!isShared(owner)) {
                    continue;
                }
                if (call instanceof JavaConstructorCall && KERNEL_CLASSES.test(owner)) {
                    created.add(owner);
                }
                call.getTarget().resolveMember().ifPresent(pending::add);
            }
        }
        return created;
    }

    private static boolean isShared(JavaClass type) {
        return type.getPackageName().equals(SHARED_KERNEL_PACKAGE) || type.getPackageName().startsWith(SHARED_KERNEL_PACKAGE + ".");
    }

    private static ArchCondition<JavaClass> serveEveryCellOf(OpSet opSet, String packages) {
        return new ArchCondition<>("together serve every cell of OpSet." + opSet) {
            private final SortedSet<Cell> served = new TreeSet<>();
            private final List<String> kernelClasses = new ArrayList<>();

            @Override
            public void init(Collection<JavaClass> allObjectsToTest) {
                served.clear();
                kernelClasses.clear();
            }

            @Override
            public void check(JavaClass type, ConditionEvents events) {
                if (KERNEL_CLASSES.test(type)) {
                    served.addAll(KernelDeclarations.cellsOf(type));
                    kernelClasses.add(type.getName());
                }
            }

            @Override
            public void finish(ConditionEvents events) {
                SortedSet<Cell> missing = new TreeSet<>();
                for (Op op : opSet.ops()) {
                    op.admitted().forEach(d -> missing.add(new Cell(op, d)));
                }
                missing.removeAll(served);
                if (!missing.isEmpty()) {
                    events.add(SimpleConditionEvent.violated(opSet, String.format(Locale.ROOT,
                            "The kernel classes in %s %s lack kernels for %d cells of OpSet.%s: %s", packages, kernelClasses, missing.size(), opSet, missing)));
                }
            }
        };
    }
}
