/** The tiny GPT example: a character-level transformer that learns three-digit addition on the selected backend. */
module dev.crossbar.examples.tinygpt {
    // Dependencies: the runtime and API; backends are found at run time, never named here.
    requires dev.crossbar.runtime;
    requires dev.crossbar.api;
    requires info.picocli;

    // Exports: the main class.
    exports dev.crossbar.examples.tinygpt;

    // Opens: picocli reads the command's annotations and sets its option fields.
    opens dev.crossbar.examples.tinygpt to info.picocli;
}
