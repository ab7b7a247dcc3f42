/** The quickstart example: trains a small MLP on whichever backend is on the module path. */
module dev.crossbar.examples.quickstart {
    // Dependencies: the runtime and API; backends are found at run time, never named here.
    requires dev.crossbar.runtime;
    requires dev.crossbar.api;
    requires info.picocli;

    // Exports: the main class.
    exports dev.crossbar.examples.quickstart;

    // Opens: picocli reads the command's annotations and sets its option fields.
    opens dev.crossbar.examples.quickstart to info.picocli;
}
