package dev.crossbar.backend.cpu.internal.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.Locale;

/** Opens one shared library for the life of the JVM and binds its functions, every failure a {@link LibraryUnavailableException}. */
final class NativeLinker {
    private final String name;
    private final SymbolLookup symbols;

    @SuppressWarnings("restricted") // this package is where the cpu backend's native access is confined
    private NativeLinker(String name, String installHint) {
        this.name = name;
        try {
            this.symbols = SymbolLookup.libraryLookup(name, Arena.global());
        } catch (IllegalArgumentException e) {
            throw new LibraryUnavailableException(String.format(Locale.ROOT, "%s could not be loaded (%s); %s", name, e.getMessage(), installHint), e);
        } catch (IllegalCallerException e) {
            throw nativeAccessDenied(e);
        }
    }

    /** Loads {@code name} (a soname such as {@code libdnnl.so.2}); {@code installHint} says how to install it. */
    static NativeLinker open(String name, String installHint) {
        return new NativeLinker(name, installHint);
    }

    /** Binds one function, failing when the library does not export it. */
    @SuppressWarnings("restricted") // as above
    MethodHandle function(String symbol, FunctionDescriptor descriptor) {
        var address = symbols.find(symbol).orElseThrow(() -> new LibraryUnavailableException(String.format(Locale.ROOT,
                "%s does not export %s; it is not the expected library or is older than Crossbar supports", name, symbol)));
        try {
            return Linker.nativeLinker().downcallHandle(address, descriptor);
        } catch (IllegalCallerException e) {
            throw nativeAccessDenied(e);
        }
    }

    private LibraryUnavailableException nativeAccessDenied(IllegalCallerException cause) {
        Module module = NativeLinker.class.getModule();
        String flag = "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
        return new LibraryUnavailableException(String.format(Locale.ROOT,
                "native access is denied, so %s cannot be used (%s); add %s to the java command line", name, cause.getMessage(), flag), cause);
    }
}
