package dev.crossbar.backend.rocm.internal.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Opens shared libraries and binds their functions, turning every loader failure into a {@link LibraryUnavailableException}. */
final class NativeLibrary {
    private NativeLibrary() {}

    /**
     * Loads the first library of a list that the dynamic loader can open; it stays loaded for the life of the JVM,
     * because driver libraries do not support being unloaded.
     */
    @SuppressWarnings("restricted") // this package is where Crossbar's native access is confined
    static SymbolLookup open(List<String> candidates, String fix) {
        List<String> failures = new ArrayList<>();
        for (String name : candidates) {
            try {
                return SymbolLookup.libraryLookup(name, Arena.global());
            } catch (IllegalArgumentException e) {
                failures.add(e.getMessage());
            } catch (IllegalCallerException e) {
                throw nativeAccessDenied(name, e);
            }
        }
        if (candidates.size() == 1) {
            throw new LibraryUnavailableException(String.format(Locale.ROOT,
                    "%s could not be loaded (%s); %s", candidates.getFirst(), failures.getFirst(), fix));
        }
        throw new LibraryUnavailableException(String.format(Locale.ROOT,
                "none of %s could be loaded (%s); %s", String.join(", ", candidates), String.join("; ", failures), fix));
    }

    /** Binds one function of a loaded library. */
    @SuppressWarnings("restricted") // this package is where Crossbar's native access is confined
    static MethodHandle downcall(SymbolLookup library, String libraryName, String symbol, FunctionDescriptor descriptor) {
        var address = library.find(symbol).orElseThrow(() -> new LibraryUnavailableException(String.format(Locale.ROOT,
                "%s does not export %s; it is not the expected library or is older than Crossbar supports", libraryName, symbol)));
        try {
            return Linker.nativeLinker().downcallHandle(address, descriptor);
        } catch (IllegalCallerException e) {
            throw nativeAccessDenied(libraryName, e);
        }
    }

    /** A downcall returning a status code; {@code invokeExact} declares {@code Throwable}. */
    interface NativeCall {
        int invoke() throws Throwable;
    }

    /**
     * Makes a downcall and returns its status code. A downcall throws only when its handle and arguments disagree,
     * which is a bug in this package, so that becomes an {@link AssertionError}.
     */
    static int call(NativeCall call) {
        try {
            return call.invoke();
        } catch (Throwable t) {
            throw new AssertionError("a downcall threw " + t, t);
        }
    }

    private static LibraryUnavailableException nativeAccessDenied(String library, IllegalCallerException cause) {
        Module module = NativeLibrary.class.getModule();
        String flag = "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
        return new LibraryUnavailableException(String.format(Locale.ROOT,
                "native access is denied, so %s cannot be used (%s); add %s to the java command line", library, cause.getMessage(), flag), cause);
    }
}
