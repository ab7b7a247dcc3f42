/**
 * The Crossbar runtime: finds backend plugins with {@link java.util.ServiceLoader}, selects one, wires the runtime
 * with Guice, and provides the {@code crossbar} command line ({@code doctor}, {@code matrix}).
 */
module dev.crossbar.runtime {
    // Dependencies: the API and SPI, Guice (users may pass their own Guice modules), logging facade, command line.
    requires transitive dev.crossbar.api;
    requires transitive com.google.guice;
    // Guice 7 is an automatic module; Guava (since 33.4) and jakarta.inject are explicit modules, which an
    // automatic module's implicit "requires all" does not resolve on the module path, so the runtime brings them in.
    requires com.google.common;
    requires jakarta.inject;
    requires org.slf4j;
    requires info.picocli;

    // Exports: the runtime's entry point, registry and selection.
    exports dev.crossbar.runtime;

    // Uses: backend plugins, from the module path (provides ... with) and the classpath (META-INF/services).
    uses dev.crossbar.spi.BackendProvider;

    // Opens: Guice constructs the runtime's classes reflectively (bytecode generation is disabled);
    // picocli reads the command classes' annotations and sets their fields.
    opens dev.crossbar.runtime to com.google.guice;
    opens dev.crossbar.runtime.cli to info.picocli;
}
