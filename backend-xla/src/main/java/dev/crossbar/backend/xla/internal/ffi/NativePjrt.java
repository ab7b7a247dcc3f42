package dev.crossbar.backend.xla.internal.ffi;

import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/** A PJRT plugin library: its entry point {@code GetPjrtApi} and the leading fields of the {@code PJRT_Api} it returns. */
public final class NativePjrt {
    private static final ValueLayout SIZE_T = (ValueLayout) Linker.nativeLinker().canonicalLayouts().get("size_t");

    // The leading fields of PJRT_Api and PJRT_Api_Version in openxla's xla/pjrt/c/pjrt_c_api.h. Every PJRT struct
    // starts with struct_size and extension_start, and the version comes first so that any caller can read it.
    private static final StructLayout PJRT_API_VERSION = MemoryLayout.structLayout(
            SIZE_T.withName("struct_size"),
            ADDRESS.withName("extension_start"),
            JAVA_INT.withName("major_version"),
            JAVA_INT.withName("minor_version")).withName("PJRT_Api_Version");
    private static final StructLayout PJRT_API_HEAD = MemoryLayout.structLayout(
            SIZE_T.withName("struct_size"),
            ADDRESS.withName("extension_start"),
            PJRT_API_VERSION.withName("pjrt_api_version")).withName("PJRT_Api");

    private static final VarHandle API_STRUCT_SIZE = PJRT_API_HEAD.varHandle(groupElement("struct_size"));
    private static final VarHandle VERSION_STRUCT_SIZE = PJRT_API_HEAD.varHandle(groupElement("pjrt_api_version"), groupElement("struct_size"));
    private static final VarHandle MAJOR_VERSION = PJRT_API_HEAD.varHandle(groupElement("pjrt_api_version"), groupElement("major_version"));
    private static final VarHandle MINOR_VERSION = PJRT_API_HEAD.varHandle(groupElement("pjrt_api_version"), groupElement("minor_version"));

    private final Path library;
    private final MethodHandle MH$GetPjrtApi;

    private NativePjrt(Path library, MethodHandle getPjrtApi) {
        this.library = library;
        this.MH$GetPjrtApi = getPjrtApi;
    }

    /**
     * Loads a plugin and binds its entry point. The plugin stays loaded for the life of the JVM: PJRT plugins do not
     * support being unloaded.
     *
     * @param library the plugin's path
     * @return the bound plugin
     * @throws PjrtPluginException if the file is missing, cannot be loaded, lacks {@code GetPjrtApi}, or native access is denied
     */
    @SuppressWarnings("restricted") // this package is where the backend's native access is confined
    public static NativePjrt open(Path library) {
        if (!Files.isRegularFile(library)) {
            throw new PjrtPluginException(String.format(Locale.ROOT, "PJRT plugin %s does not exist", library));
        }
        try {
            SymbolLookup lookup;
            try {
                lookup = SymbolLookup.libraryLookup(library, Arena.global());
            } catch (IllegalArgumentException e) {
                throw new PjrtPluginException(String.format(Locale.ROOT,
                        "PJRT plugin %s could not be loaded (%s); check that it is a shared library built for this platform"
                                + " and that the libraries it needs are on the loader's path", library, e.getMessage()), e);
            }
            MemorySegment entryPoint = lookup.find("GetPjrtApi").orElseThrow(() -> new PjrtPluginException(String.format(Locale.ROOT,
                    "%s does not export GetPjrtApi, so it is not a PJRT plugin", library)));
            return new NativePjrt(library, Linker.nativeLinker().downcallHandle(entryPoint, FunctionDescriptor.of(ADDRESS)));
        } catch (IllegalCallerException e) {
            Module module = NativePjrt.class.getModule();
            String flag = "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
            throw new PjrtPluginException(String.format(Locale.ROOT,
                    "native access is denied, so PJRT plugin %s cannot be loaded (%s); add %s to the java command line", library, e.getMessage(), flag), e);
        }
    }

    /**
     * Calls {@code GetPjrtApi} and reads the API version from the returned {@code PJRT_Api}.
     *
     * @return the version the plugin implements
     * @throws PjrtPluginException if {@code GetPjrtApi} returns NULL or a struct too small to hold the version
     */
    @SuppressWarnings("restricted") // GetPjrtApi returns a pointer without a size; struct_size is checked before reading further
    public PjrtApiVersion apiVersion() {
        MemorySegment api;
        try {
            api = (MemorySegment) MH$GetPjrtApi.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (api.equals(MemorySegment.NULL)) {
            throw new PjrtPluginException(String.format(Locale.ROOT,
                    "GetPjrtApi of PJRT plugin %s returned NULL; the plugin failed to initialize (its own log may say why)", library));
        }
        MemorySegment head = api.reinterpret(PJRT_API_HEAD.byteSize());
        long apiSize = (long) API_STRUCT_SIZE.get(head, 0L);
        long versionSize = (long) VERSION_STRUCT_SIZE.get(head, 0L);
        if (apiSize < PJRT_API_HEAD.byteSize() || versionSize < PJRT_API_VERSION.byteSize()) {
            throw new PjrtPluginException(String.format(Locale.ROOT,
                    "PJRT plugin %s reports PJRT_Api.struct_size %d and PJRT_Api_Version.struct_size %d, smaller than the %d and %d bytes"
                            + " that hold the API version; it is not a PJRT plugin Crossbar can read",
                    library, apiSize, versionSize, PJRT_API_HEAD.byteSize(), PJRT_API_VERSION.byteSize()));
        }
        return new PjrtApiVersion((int) MAJOR_VERSION.get(head, 0L), (int) MINOR_VERSION.get(head, 0L));
    }
}
