package dev.crossbar.backend.archfixture.linker;

import java.lang.foreign.Linker;

/** Violates onlyFfiPackagesShouldLinkNativeCode: native linking outside an internal.ffi package. */
public class LinkingOutsideFfi {
    /**
     * Finds a native symbol where it should not.
     *
     * @return whether strlen exists
     */
    public boolean hasStrlen() {
        return Linker.nativeLinker().defaultLookup().find("strlen").isPresent();
    }
}
