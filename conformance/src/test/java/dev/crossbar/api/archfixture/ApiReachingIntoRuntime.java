package dev.crossbar.api.archfixture;

import dev.crossbar.runtime.archfixture.RuntimeService;

/** Violates apiShouldNotDependOnOtherCrossbarModules: api code using the runtime. */
public class ApiReachingIntoRuntime {
    /** The forbidden dependency. */
    public RuntimeService service;
}
