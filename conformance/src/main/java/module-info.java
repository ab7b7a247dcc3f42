/**
 * Crossbar's conformance kit: the op conformance suite that every backend's tests extend, and the architecture rules
 * that Crossbar and third-party plugins run on their own classes.
 */
module dev.crossbar.conformance {
    // Dependencies: the API the suite drives, JUnit that runs it, ArchUnit that the rules are written in. All are
    // transitive because the kit's public types expose them (suite annotations, DynamicTest, ArchRule).
    requires transitive dev.crossbar.api;
    requires transitive org.junit.jupiter.api;
    requires transitive com.tngtech.archunit;
    requires transitive com.tngtech.archunit.junit5.api;

    // Exports: the op conformance suite and its reference layer.
    exports dev.crossbar.conformance;

    // Exports: the architecture rules.
    exports dev.crossbar.conformance.arch;

    // Uses: ReferenceTrainingSuite finds the reference backend (cpu) among the providers on the test path.
    uses dev.crossbar.spi.BackendProvider;

    // Opens: JUnit instantiates a backend's subclass of the suite and invokes the inherited lifecycle and test
    // methods reflectively, from whichever module or class path the backend's tests run on.
    opens dev.crossbar.conformance;

    // Opens: ArchUnit's JUnit engine reads the rule fields reflectively (ArchTests.in(CrossbarArchitectureRules.class)).
    opens dev.crossbar.conformance.arch;
}
