/**
 * The FSDP demo, {@code crossbar demo}: the tiny GPT of {@code dev.crossbar.examples.tinygpt} trained with fully sharded
 * data parallelism on several devices, with a progress bar, per-rank memory, the collectives of a step, a checkpoint,
 * a loss-curve PNG and the held-out accuracy.
 */
module dev.crossbar.examples.fsdpdemo {
    // Dependencies: the runtime and API; backends are found at run time, never named here.
    requires dev.crossbar.runtime;
    requires dev.crossbar.api;
    // The addition problems, the loss and the greedy evaluation, shared with the single-device example.
    requires dev.crossbar.examples.tinygpt;
    requires info.picocli;
    requires me.tongfei.progressbar;
    // XChart 4.0.3 is an automatic module without an Automatic-Module-Name: its name, xchart, comes from the jar's
    // file name. It draws with AWT (headless) and encodes with ImageIO, which an automatic module does not resolve.
    requires xchart;
    requires java.desktop;

    // Exports: the main class.
    exports dev.crossbar.examples.fsdpdemo;

    // Opens: picocli reads the command's annotations and sets its option fields.
    opens dev.crossbar.examples.fsdpdemo to info.picocli;
}
