package dev.crossbar.backend.archfixturea;

import dev.crossbar.backend.archfixtureb.OtherBackendService;

/** Violates backendsShouldNotDependOnEachOther: backend "archfixturea" uses backend "archfixtureb". */
public class UsesOtherBackend {
    /** The forbidden dependency. */
    public OtherBackendService other;
}
