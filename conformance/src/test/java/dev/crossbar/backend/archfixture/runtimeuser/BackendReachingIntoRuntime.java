package dev.crossbar.backend.archfixture.runtimeuser;

import dev.crossbar.runtime.archfixture.RuntimeService;

/** Violates backendsShouldNotDependOnRuntime. */
public class BackendReachingIntoRuntime {
    /** The forbidden dependency. */
    public RuntimeService service;
}
