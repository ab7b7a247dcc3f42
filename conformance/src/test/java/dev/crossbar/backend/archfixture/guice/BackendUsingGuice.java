package dev.crossbar.backend.archfixture.guice;

import com.google.inject.Injector;

/** Violates onlyRuntimeShouldUseGuice. */
public class BackendUsingGuice {
    /** The forbidden dependency. */
    public Injector injector;
}
