package dev.crossbar.spi.ffi;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * A shared library opened for the life of the JVM (accelerator drivers do not support being unloaded), whose functions
 * a backend binds once. Every failure is a {@link LibraryUnavailableException} naming the library and the fix: the
 * install hint when the dynamic loader cannot open it, the missing symbol, or the {@code --enable-native-access} flag
 * when native access is denied. The restricted calls are made here, so it is this module that needs native access.
 */
public final class NativeLibrary {
    private final String name;
    private final SymbolLookup symbols;

    private NativeLibrary(String name, SymbolLookup symbols) {
        this.name = name;
        this.symbols = symbols;
    }

    /**
     * Opens a library.
     *
     * @param name a soname such as {@code libdnnl.so.2}
     * @param installHint how to install it, ending the message when it cannot be loaded
     * @return the library
     * @throws LibraryUnavailableException if it cannot be loaded or native access is denied
     */
    public static NativeLibrary open(String name, String installHint) {
        return openFirst(List.of(name), installHint);
    }

    /**
     * Opens the first library of a list that the dynamic loader can open, such as the sonames of several versions.
     *
     * @param candidates sonames in order of preference, at least one
     * @param installHint how to install one, ending the message when none can be loaded
     * @return the library
     * @throws LibraryUnavailableException if none can be loaded (naming each loader error) or native access is denied
     */
    @SuppressWarnings("restricted") // the one place where Crossbar and its plugins look libraries up
    public static NativeLibrary openFirst(List<String> candidates, String installHint) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("no library names to open; pass at least one soname");
        }
        List<String> failures = new ArrayList<>();
        for (String candidate : candidates) {
            try {
                return new NativeLibrary(candidate, SymbolLookup.libraryLookup(candidate, Arena.global()));
            } catch (IllegalArgumentException e) {
                failures.add(e.getMessage());
            } catch (IllegalCallerException e) {
                throw nativeAccessDenied(candidate, e);
            }
        }
        if (candidates.size() == 1) {
            throw new LibraryUnavailableException(String.format(Locale.ROOT, "%s could not be loaded (%s); %s", candidates.getFirst(), failures.getFirst(),
                    installHint));
        }
        throw new LibraryUnavailableException(String.format(Locale.ROOT, "none of %s could be loaded (%s); %s", String.join(", ", candidates),
                String.join("; ", failures), installHint));
    }

    /**
     * Returns the soname that was opened.
     *
     * @return the name
     */
    public String name() {
        return name;
    }

    /**
     * Binds one function.
     *
     * @param symbol the exported name
     * @param descriptor its C signature
     * @return the downcall handle
     * @throws LibraryUnavailableException if the library does not export it or native access is denied
     */
    @SuppressWarnings("restricted") // as above
    public MethodHandle function(String symbol, FunctionDescriptor descriptor) {
        MemorySegment address = symbols.find(symbol).orElseThrow(() -> new LibraryUnavailableException(String.format(Locale.ROOT,
                "%s does not export %s; it is not the expected library or is older than Crossbar supports", name, symbol)));
        try {
            return Linker.nativeLinker().downcallHandle(address, descriptor);
        } catch (IllegalCallerException e) {
            throw nativeAccessDenied(name, e);
        }
    }

    /** A downcall returning a status code; {@code invokeExact} declares {@code Throwable}. */
    @FunctionalInterface
    public interface NativeCall {
        /**
         * Makes the call.
         *
         * @return the status code
         * @throws Throwable only when the handle and the arguments disagree
         */
        int invoke() throws Throwable;
    }

    /**
     * Makes a downcall and returns its status code. A downcall throws only when its handle and arguments disagree,
     * which is a bug in the binding, so that becomes an {@link AssertionError}.
     *
     * @param call the call
     * @return its status code
     */
    public static int call(NativeCall call) {
        try {
            return call.invoke();
        } catch (Throwable t) {
            throw new AssertionError("a downcall threw " + t, t);
        }
    }

    /**
     * Returns the {@code --enable-native-access} flag that grants this helper native access: its module's name, or
     * {@code ALL-UNNAMED} on the class path.
     *
     * @return the flag
     */
    public static String nativeAccessFlag() {
        Module module = NativeLibrary.class.getModule();
        return "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
    }

    private static LibraryUnavailableException nativeAccessDenied(String library, IllegalCallerException cause) {
        return new LibraryUnavailableException(String.format(Locale.ROOT, "native access is denied, so %s cannot be used (%s); add %s to the java command line",
                library, cause.getMessage(), nativeAccessFlag()), cause);
    }
}
