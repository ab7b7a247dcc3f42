package dev.crossbar.backend.xla.internal.archfixture;

/** Stands for a class backend-xla keeps internal. */
public class XlaCompilerInternals {
}
