/** The quickstart example: opens Crossbar on whichever backend is on the module path and runs a few ops. */
module dev.crossbar.examples.quickstart {
    // Dependencies: the runtime (which brings the API); backends are found at run time, never named here.
    requires dev.crossbar.runtime;

    // Exports: the main class.
    exports dev.crossbar.examples.quickstart;
}
