package dev.crossbar.backend.archfixture.logback;

import ch.qos.logback.classic.Logger;

/** Violates backendsShouldNotUseALoggingImplementation. */
public class BackendUsingLogback {
    /** The forbidden dependency. */
    public Logger logger;
}
