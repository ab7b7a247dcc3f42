/**
 * The Crossbar runtime: finds backend plugins with {@link java.util.ServiceLoader}, selects one, wires the runtime
 * with Guice, and provides the {@code crossbar} command line ({@code doctor}, {@code matrix}).
 */
module dev.crossbar.runtime {
    // Dependencies: the API and SPI, Guice (users may pass their own Guice modules), logging facade, command line.
    requires transitive dev.crossbar.api;
    requires transitive com.google.guice;
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
