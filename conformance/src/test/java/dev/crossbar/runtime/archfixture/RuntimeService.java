package dev.crossbar.runtime.archfixture;

import com.google.inject.Injector;

/** Stands for a runtime class; the runtime may use Guice. */
public class RuntimeService {
    /** The injector, which only the runtime may hold. */
    public Injector injector;
}
