package dev.crossbar.backend.xla.internal.ffi;

import static dev.crossbar.backend.xla.internal.ffi.PjrtStructs.SIZE_T;
import static java.lang.foreign.MemoryLayout.PathElement.groupElement;
import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BOOLEAN;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_FLOAT;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A PJRT plugin bound through its C API: {@code GetPjrtApi}, the version and size checks, and one method per PJRT
 * function this client calls. Handles (clients, devices, executables, buffers, events) are plain addresses owned by
 * the caller, who destroys them with the matching method. Every {@code PJRT_Error} a function returns is read (code
 * and message), destroyed, and thrown as a {@link PjrtException}.
 */
public final class NativePjrt {
    /** The {@code PJRT_API_MAJOR} this client is written against; plugins must report the same. */
    public static final int API_MAJOR = 0;
    /** The oldest {@code PJRT_API_MINOR} whose structs and table match the layouts in {@link PjrtStructs}. */
    public static final int MIN_API_MINOR = 33;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final FunctionDescriptor RETURNS_ERROR = FunctionDescriptor.of(ADDRESS, ADDRESS);
    private static final FunctionDescriptor RETURNS_NOTHING = FunctionDescriptor.ofVoid(ADDRESS);
    private static final Map<Path, NativePjrt> LOADED = new ConcurrentHashMap<>();
    private static final long LONGEST_POLL_PAUSE_NANOS = 1_000_000;

    private final Path library;
    private final PjrtApiVersion version;
    private final Map<String, MethodHandle> functions;

    private NativePjrt(Path library, PjrtApiVersion version, Map<String, MethodHandle> functions) {
        this.library = library;
        this.version = version;
        this.functions = functions;
    }

    /**
     * Loads a plugin, checks its API version and table size, and calls {@code PJRT_Plugin_Initialize}, once per JVM
     * and library: later calls return the same instance. The library stays loaded for the life of the JVM, as PJRT
     * plugins cannot be unloaded.
     *
     * @param library the plugin's absolute path
     * @return the initialized plugin
     * @throws PjrtPluginException if the file is missing, cannot be loaded, is not a PJRT plugin, implements another
     *     API version or too small a table, or native access is denied
     * @throws PjrtException if {@code PJRT_Plugin_Initialize} fails
     */
    public static NativePjrt load(Path library) {
        NativePjrt loaded = LOADED.get(library);
        if (loaded != null) {
            return loaded;
        }
        synchronized (LOADED) {
            return LOADED.computeIfAbsent(library, NativePjrt::open);
        }
    }

    @SuppressWarnings("restricted") // this package is where the backend's native access is confined
    private static NativePjrt open(Path library) {
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
            MemorySegment api = readApi(library, LINKER.downcallHandle(entryPoint, FunctionDescriptor.of(ADDRESS)));
            NativePjrt plugin = new NativePjrt(library, readVersion(api), bindFunctions(api));
            try (Arena arena = Arena.ofConfined()) {
                plugin.check("PJRT_Plugin_Initialize", plugin.args(arena, PjrtStructs.PJRT_Plugin_Initialize_Args));
            }
            return plugin;
        } catch (IllegalCallerException e) {
            Module module = NativePjrt.class.getModule();
            String flag = "--enable-native-access=" + (module.isNamed() ? module.getName() : "ALL-UNNAMED");
            throw new PjrtPluginException(String.format(Locale.ROOT,
                    "native access is denied, so PJRT plugin %s cannot be loaded (%s); add %s to the java command line", library, e.getMessage(), flag), e);
        }
    }

    /** Calls GetPjrtApi and checks the version and the table size before anything else is read from the table. */
    @SuppressWarnings("restricted") // GetPjrtApi returns a pointer without a size; struct_size is checked before reading further
    private static MemorySegment readApi(Path library, MethodHandle getPjrtApi) {
        MemorySegment api;
        try {
            api = (MemorySegment) getPjrtApi.invokeExact();
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
        if (api.equals(MemorySegment.NULL)) {
            throw new PjrtPluginException(String.format(Locale.ROOT,
                    "GetPjrtApi of PJRT plugin %s returned NULL; the plugin failed to initialize (its own log may say why)", library));
        }
        long headSize = PjrtStructs.PJRT_Api.byteOffset(groupElement("pjrt_api_version")) + PjrtStructs.PJRT_Api_Version.byteSize();
        MemorySegment head = api.reinterpret(headSize);
        long apiSize = sizeAt(head, 0);
        MemorySegment versionStruct = head.asSlice(PjrtStructs.PJRT_Api.byteOffset(groupElement("pjrt_api_version")));
        long versionSize = sizeAt(versionStruct, 0);
        if (apiSize < headSize || versionSize < PjrtStructs.PJRT_Api_Version.byteSize()) {
            throw new PjrtPluginException(String.format(Locale.ROOT,
                    "PJRT plugin %s reports PJRT_Api.struct_size %d and PJRT_Api_Version.struct_size %d, smaller than the %d and %d bytes"
                            + " that hold the API version; it is not a PJRT plugin Crossbar can read",
                    library, apiSize, versionSize, headSize, PjrtStructs.PJRT_Api_Version.byteSize()));
        }
        int major = versionStruct.get(JAVA_INT, PjrtStructs.PJRT_Api_Version.byteOffset(groupElement("major_version")));
        int minor = versionStruct.get(JAVA_INT, PjrtStructs.PJRT_Api_Version.byteOffset(groupElement("minor_version")));
        if (major != API_MAJOR || minor < MIN_API_MINOR) {
            throw new PjrtPluginException(String.format(Locale.ROOT,
                    "PJRT plugin %s implements PJRT C API %d.%d, but Crossbar's PJRT client needs %d.%d or a later %d.x (the major version"
                            + " must match, the minor must be at least %d); use a plugin built against a PJRT C API %d.x header",
                    library, major, minor, API_MAJOR, MIN_API_MINOR, API_MAJOR, MIN_API_MINOR, API_MAJOR));
        }
        long needed = PjrtStructs.PJRT_Api.byteSize();
        if (apiSize < needed) {
            String last = PjrtStructs.API_FUNCTIONS.getLast();
            throw new PjrtPluginException(String.format(Locale.ROOT,
                    "PJRT plugin %s (API %d.%d) reports PJRT_Api.struct_size %d, smaller than the %d bytes that reach %s, the last"
                            + " PJRT function Crossbar calls; the plugin's function table is truncated or its version is misreported",
                    library, major, minor, apiSize, needed, last));
        }
        return api.reinterpret(needed);
    }

    private static PjrtApiVersion readVersion(MemorySegment api) {
        long at = PjrtStructs.PJRT_Api.byteOffset(groupElement("pjrt_api_version"));
        return new PjrtApiVersion(api.get(JAVA_INT, at + PjrtStructs.PJRT_Api_Version.byteOffset(groupElement("major_version"))),
                api.get(JAVA_INT, at + PjrtStructs.PJRT_Api_Version.byteOffset(groupElement("minor_version"))));
    }

    private static Map<String, MethodHandle> bindFunctions(MemorySegment api) {
        Map<String, MethodHandle> bound = new HashMap<>();
        for (String name : PjrtStructs.API_FUNCTIONS) {
            MemorySegment pointer = api.get(ADDRESS, PjrtStructs.PJRT_Api.byteOffset(groupElement(name)));
            if (!pointer.equals(MemorySegment.NULL)) {
                boolean returnsNothing = name.equals("PJRT_Error_Destroy") || name.equals("PJRT_Error_Message");
                bound.put(name, LINKER.downcallHandle(pointer, returnsNothing ? RETURNS_NOTHING : RETURNS_ERROR));
            }
        }
        return Map.copyOf(bound);
    }

    /**
     * Returns the plugin's path.
     *
     * @return the absolute path it was loaded from
     */
    public Path library() {
        return library;
    }

    /**
     * Returns the API version the plugin reports.
     *
     * @return its {@code PJRT_Api_Version}
     */
    public PjrtApiVersion version() {
        return version;
    }

    /**
     * Calls {@code PJRT_Plugin_Attributes}.
     *
     * @return the attributes by name, in the plugin's order (values as decoded by {@link #namedValues})
     */
    public Map<String, Object> pluginAttributes() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, PjrtStructs.PJRT_Plugin_Attributes_Args);
            check("PJRT_Plugin_Attributes", args);
            return namedValues(get(args, PjrtStructs.PJRT_Plugin_Attributes_Args, "attributes"),
                    getSize(args, PjrtStructs.PJRT_Plugin_Attributes_Args, "num_attributes"));
        }
    }

    // ---- client ----

    /**
     * Calls {@code PJRT_Client_Create} with create options and without a key-value store.
     *
     * @param options options by name: {@code String}, {@code Long} or {@code Integer}, {@code long[]}, {@code Float} or
     *     {@code Double}, {@code Boolean}
     * @return the client, to be destroyed with {@link #clientDestroy}
     */
    public MemorySegment clientCreate(Map<String, ?> options) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, PjrtStructs.PJRT_Client_Create_Args);
            set(args, PjrtStructs.PJRT_Client_Create_Args, "create_options", encodeNamedValues(arena, options));
            setSize(args, PjrtStructs.PJRT_Client_Create_Args, "num_options", options.size());
            check("PJRT_Client_Create", args);
            return get(args, PjrtStructs.PJRT_Client_Create_Args, "client");
        }
    }

    /**
     * Calls {@code PJRT_Client_Destroy}.
     *
     * @param client a client from {@link #clientCreate}
     */
    public void clientDestroy(MemorySegment client) {
        handleCall("PJRT_Client_Destroy", PjrtStructs.PJRT_Client_Destroy_Args, "client", client);
    }

    /**
     * Calls {@code PJRT_Client_PlatformName}.
     *
     * @param client the client
     * @return a name such as {@code cpu} or {@code neuron}
     */
    public String clientPlatformName(MemorySegment client) {
        return stringOut("PJRT_Client_PlatformName", PjrtStructs.PJRT_Client_PlatformName_Args, "client", client, "platform_name");
    }

    /**
     * Calls {@code PJRT_Client_PlatformVersion}.
     *
     * @param client the client
     * @return the platform's own version text
     */
    public String clientPlatformVersion(MemorySegment client) {
        return stringOut("PJRT_Client_PlatformVersion", PjrtStructs.PJRT_Client_PlatformVersion_Args, "client", client, "platform_version");
    }

    /**
     * Calls {@code PJRT_Client_AddressableDevices}.
     *
     * @param client the client
     * @return the devices, owned by the client
     */
    public List<MemorySegment> clientAddressableDevices(MemorySegment client) {
        return pointerListOut("PJRT_Client_AddressableDevices", PjrtStructs.PJRT_Client_AddressableDevices_Args, "client", client,
                "addressable_devices", "num_addressable_devices");
    }

    // ---- devices ----

    /**
     * Calls {@code PJRT_Device_GetDescription}.
     *
     * @param device a device
     * @return its description, owned by the device
     */
    public MemorySegment deviceDescription(MemorySegment device) {
        return pointerOut("PJRT_Device_GetDescription", PjrtStructs.PJRT_Device_GetDescription_Args, "device", device, "device_description");
    }

    /**
     * Calls {@code PJRT_Device_LocalHardwareId}.
     *
     * @param device a device
     * @return the opaque hardware id, -1 if undefined
     */
    public int deviceLocalHardwareId(MemorySegment device) {
        return intOut("PJRT_Device_LocalHardwareId", PjrtStructs.PJRT_Device_LocalHardwareId_Args, "device", device, "local_hardware_id");
    }

    /**
     * Calls {@code PJRT_DeviceDescription_Id}.
     *
     * @param description a device description
     * @return the device id, unique among the client's devices
     */
    public int descriptionId(MemorySegment description) {
        return intOut("PJRT_DeviceDescription_Id", PjrtStructs.PJRT_DeviceDescription_Id_Args, "device_description", description, "id");
    }

    /**
     * Calls {@code PJRT_DeviceDescription_ProcessIndex}.
     *
     * @param description a device description
     * @return the index of the process the device belongs to
     */
    public int descriptionProcessIndex(MemorySegment description) {
        return intOut("PJRT_DeviceDescription_ProcessIndex", PjrtStructs.PJRT_DeviceDescription_ProcessIndex_Args, "device_description",
                description, "process_index");
    }

    /**
     * Calls {@code PJRT_DeviceDescription_Kind}.
     *
     * @param description a device description
     * @return the vendor's kind string
     */
    public String descriptionKind(MemorySegment description) {
        return stringOut("PJRT_DeviceDescription_Kind", PjrtStructs.PJRT_DeviceDescription_Kind_Args, "device_description", description, "device_kind");
    }

    /**
     * Calls {@code PJRT_DeviceDescription_ToString}.
     *
     * @param description a device description
     * @return the terse text the plugin gives for users
     */
    public String descriptionToString(MemorySegment description) {
        return stringOut("PJRT_DeviceDescription_ToString", PjrtStructs.PJRT_DeviceDescription_ToString_Args, "device_description", description,
                "to_string");
    }

    /**
     * Calls {@code PJRT_DeviceDescription_Attributes}.
     *
     * @param description a device description
     * @return the attributes by name
     */
    public Map<String, Object> descriptionAttributes(MemorySegment description) {
        StructLayout layout = PjrtStructs.PJRT_DeviceDescription_Attributes_Args;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, "device_description", description);
            check("PJRT_DeviceDescription_Attributes", args);
            return namedValues(get(args, layout, "attributes"), getSize(args, layout, "num_attributes"));
        }
    }

    // ---- compilation and executables ----

    /**
     * Calls {@code PJRT_Client_Compile}.
     *
     * @param client the client
     * @param format the program format, such as {@code mlir}
     * @param code the program
     * @param compileOptions a serialized {@code xla.CompileOptionsProto}
     * @return the loaded executable, to be destroyed with {@link #loadedExecutableDestroy}
     */
    public MemorySegment compile(MemorySegment client, String format, byte[] code, byte[] compileOptions) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment program = args(arena, PjrtStructs.PJRT_Program);
            set(program, PjrtStructs.PJRT_Program, "code", arena.allocateFrom(JAVA_BYTE, code));
            setSize(program, PjrtStructs.PJRT_Program, "code_size", code.length);
            byte[] formatBytes = format.getBytes(StandardCharsets.UTF_8);
            set(program, PjrtStructs.PJRT_Program, "format", arena.allocateFrom(JAVA_BYTE, formatBytes));
            setSize(program, PjrtStructs.PJRT_Program, "format_size", formatBytes.length);
            StructLayout layout = PjrtStructs.PJRT_Client_Compile_Args;
            MemorySegment args = args(arena, layout);
            set(args, layout, "client", client);
            set(args, layout, "program", program);
            set(args, layout, "compile_options", arena.allocateFrom(JAVA_BYTE, compileOptions));
            setSize(args, layout, "compile_options_size", compileOptions.length);
            check("PJRT_Client_Compile", args);
            return get(args, layout, "executable");
        }
    }

    /**
     * Calls {@code PJRT_LoadedExecutable_Destroy}.
     *
     * @param loadedExecutable an executable from {@link #compile}
     */
    public void loadedExecutableDestroy(MemorySegment loadedExecutable) {
        handleCall("PJRT_LoadedExecutable_Destroy", PjrtStructs.PJRT_LoadedExecutable_Destroy_Args, "executable", loadedExecutable);
    }

    /**
     * Calls {@code PJRT_LoadedExecutable_AddressableDevices}.
     *
     * @param loadedExecutable the executable
     * @return the devices it runs on, in the order of its argument lists
     */
    public List<MemorySegment> loadedExecutableDevices(MemorySegment loadedExecutable) {
        return pointerListOut("PJRT_LoadedExecutable_AddressableDevices", PjrtStructs.PJRT_LoadedExecutable_AddressableDevices_Args, "executable",
                loadedExecutable, "addressable_devices", "num_addressable_devices");
    }

    /**
     * Calls {@code PJRT_LoadedExecutable_GetExecutable}.
     *
     * @param loadedExecutable the loaded executable
     * @return its executable, to be destroyed with {@link #executableDestroy}
     */
    public MemorySegment executableOf(MemorySegment loadedExecutable) {
        return pointerOut("PJRT_LoadedExecutable_GetExecutable", PjrtStructs.PJRT_LoadedExecutable_GetExecutable_Args, "loaded_executable",
                loadedExecutable, "executable");
    }

    /**
     * Calls {@code PJRT_Executable_Destroy}.
     *
     * @param executable an executable from {@link #executableOf}
     */
    public void executableDestroy(MemorySegment executable) {
        handleCall("PJRT_Executable_Destroy", PjrtStructs.PJRT_Executable_Destroy_Args, "executable", executable);
    }

    /**
     * Calls {@code PJRT_Executable_Name}.
     *
     * @param executable the executable
     * @return its name
     */
    public String executableName(MemorySegment executable) {
        return stringOut("PJRT_Executable_Name", PjrtStructs.PJRT_Executable_Name_Args, "executable", executable, "executable_name");
    }

    /**
     * Calls {@code PJRT_Executable_NumOutputs}.
     *
     * @param executable the executable
     * @return the number of results per device
     */
    public int executableNumOutputs(MemorySegment executable) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, PjrtStructs.PJRT_Executable_NumOutputs_Args);
            set(args, PjrtStructs.PJRT_Executable_NumOutputs_Args, "executable", executable);
            check("PJRT_Executable_NumOutputs", args);
            return Math.toIntExact(getSize(args, PjrtStructs.PJRT_Executable_NumOutputs_Args, "num_outputs"));
        }
    }

    /**
     * Calls {@code PJRT_Executable_Serialize} and copies the bytes, then frees the plugin's copy with the deleter it
     * returned.
     *
     * @param executable an executable from {@link #executableOf}
     * @return the plugin's serialization, loadable by {@link #deserializeAndLoad} with the same plugin version
     */
    @SuppressWarnings("restricted") // the bytes have the returned size; the deleter is the plugin's own function
    public byte[] executableSerialize(MemorySegment executable) {
        StructLayout layout = PjrtStructs.PJRT_Executable_Serialize_Args;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, "executable", executable);
            check("PJRT_Executable_Serialize", args);
            MemorySegment owner = get(args, layout, "serialized_executable");
            MemorySegment deleter = get(args, layout, "serialized_executable_deleter");
            try {
                long size = getSize(args, layout, "serialized_bytes_size");
                return size == 0 ? new byte[0] : get(args, layout, "serialized_bytes").reinterpret(size).toArray(JAVA_BYTE);
            } finally {
                if (!deleter.equals(MemorySegment.NULL)) {
                    try {
                        LINKER.downcallHandle(deleter, RETURNS_NOTHING).invokeExact(owner);
                    } catch (Throwable t) {
                        throw new AssertionError(t);
                    }
                }
            }
        }
    }

    /**
     * Calls {@code PJRT_Executable_DeserializeAndLoad} with the compile options stored in the serialization.
     *
     * @param client the client
     * @param serialized bytes from {@link #executableSerialize}
     * @return the loaded executable, to be destroyed with {@link #loadedExecutableDestroy}
     */
    public MemorySegment deserializeAndLoad(MemorySegment client, byte[] serialized) {
        StructLayout layout = PjrtStructs.PJRT_Executable_DeserializeAndLoad_Args;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, "client", client);
            set(args, layout, "serialized_executable", arena.allocateFrom(JAVA_BYTE, serialized));
            setSize(args, layout, "serialized_executable_size", serialized.length);
            check("PJRT_Executable_DeserializeAndLoad", args);
            return get(args, layout, "loaded_executable");
        }
    }

    /**
     * The result of {@link #execute}.
     *
     * @param outputs the result buffers, per device then per output; each to be destroyed with {@link #bufferDestroy}
     * @param completions one event per device that completes with the execution's status, each to be awaited or destroyed
     */
    public record Execution(MemorySegment[][] outputs, MemorySegment[] completions) {}

    /**
     * Calls {@code PJRT_LoadedExecutable_Execute} on the executable's devices with default execute options.
     *
     * @param loadedExecutable the executable
     * @param arguments the argument buffers, per device (in the order of {@link #loadedExecutableDevices}) then per argument
     * @param numOutputs the number of results per device, from {@link #executableNumOutputs}
     * @return the result buffers and completion events
     */
    public Execution execute(MemorySegment loadedExecutable, MemorySegment[][] arguments, int numOutputs) {
        int devices = arguments.length;
        int numArgs = devices == 0 ? 0 : arguments[0].length;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment argumentLists = arena.allocate(ADDRESS, Math.max(1, devices));
            MemorySegment outputLists = arena.allocate(ADDRESS, Math.max(1, devices));
            MemorySegment[] outputArrays = new MemorySegment[devices];
            for (int d = 0; d < devices; d++) {
                if (arguments[d].length != numArgs) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "device %d has %d arguments, device 0 has %d", d, arguments[d].length, numArgs));
                }
                MemorySegment list = arena.allocate(ADDRESS, Math.max(1, numArgs));
                for (int a = 0; a < numArgs; a++) {
                    list.setAtIndex(ADDRESS, a, arguments[d][a]);
                }
                argumentLists.setAtIndex(ADDRESS, d, list);
                outputArrays[d] = arena.allocate(ADDRESS, Math.max(1, numOutputs));
                outputLists.setAtIndex(ADDRESS, d, outputArrays[d]);
            }
            MemorySegment events = arena.allocate(ADDRESS, Math.max(1, devices));
            MemorySegment options = args(arena, PjrtStructs.PJRT_ExecuteOptions);
            StructLayout layout = PjrtStructs.PJRT_LoadedExecutable_Execute_Args;
            MemorySegment args = args(arena, layout);
            set(args, layout, "executable", loadedExecutable);
            set(args, layout, "options", options);
            set(args, layout, "argument_lists", argumentLists);
            setSize(args, layout, "num_devices", devices);
            setSize(args, layout, "num_args", numArgs);
            set(args, layout, "output_lists", outputLists);
            set(args, layout, "device_complete_events", events);
            check("PJRT_LoadedExecutable_Execute", args);
            MemorySegment[][] outputs = new MemorySegment[devices][numOutputs];
            MemorySegment[] completions = new MemorySegment[devices];
            for (int d = 0; d < devices; d++) {
                for (int o = 0; o < numOutputs; o++) {
                    outputs[d][o] = outputArrays[d].getAtIndex(ADDRESS, o);
                }
                completions[d] = events.getAtIndex(ADDRESS, d);
            }
            return new Execution(outputs, completions);
        }
    }

    // ---- buffers ----

    /**
     * The result of {@link #bufferFromHost}.
     *
     * @param buffer the device buffer, to be destroyed with {@link #bufferDestroy}
     * @param doneWithHostBuffer the event after which the host memory may be reused, to be awaited or destroyed
     */
    public record HostTransfer(MemorySegment buffer, MemorySegment doneWithHostBuffer) {}

    /**
     * Calls {@code PJRT_Client_BufferFromHostBuffer} for dense row-major host data.
     *
     * @param client the client
     * @param device the destination device
     * @param data the host data; it must stay unchanged as the semantics require
     * @param type the element type
     * @param dims the dimensions
     * @param hostBufferSemantics the {@code PJRT_HostBufferSemantics} value
     * @return the buffer and the event that releases the host data
     */
    public HostTransfer bufferFromHost(MemorySegment client, MemorySegment device, MemorySegment data, PjrtElementType type, long[] dims,
            int hostBufferSemantics) {
        StructLayout layout = PjrtStructs.PJRT_Client_BufferFromHostBuffer_Args;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, "client", client);
            set(args, layout, "data", data);
            args.set(JAVA_INT, layout.byteOffset(groupElement("type")), type.ordinal());
            set(args, layout, "dims", arena.allocateFrom(JAVA_LONG, dims));
            setSize(args, layout, "num_dims", dims.length);
            args.set(JAVA_INT, layout.byteOffset(groupElement("host_buffer_semantics")), hostBufferSemantics);
            set(args, layout, "device", device);
            check("PJRT_Client_BufferFromHostBuffer", args);
            return new HostTransfer(get(args, layout, "buffer"), get(args, layout, "done_with_host_buffer"));
        }
    }

    /**
     * Calls {@code PJRT_Buffer_Destroy}.
     *
     * @param buffer a buffer
     */
    public void bufferDestroy(MemorySegment buffer) {
        handleCall("PJRT_Buffer_Destroy", PjrtStructs.PJRT_Buffer_Destroy_Args, "buffer", buffer);
    }

    /**
     * Calls {@code PJRT_Buffer_ElementType}.
     *
     * @param buffer a buffer
     * @return its element type
     */
    public PjrtElementType bufferElementType(MemorySegment buffer) {
        return PjrtElementType.ofValue(intOut("PJRT_Buffer_ElementType", PjrtStructs.PJRT_Buffer_ElementType_Args, "buffer", buffer, "type"));
    }

    /**
     * Calls {@code PJRT_Buffer_Dimensions}.
     *
     * @param buffer a buffer
     * @return its dimensions
     */
    @SuppressWarnings("restricted") // dims has num_dims elements, as the C API documents
    public long[] bufferDimensions(MemorySegment buffer) {
        StructLayout layout = PjrtStructs.PJRT_Buffer_Dimensions_Args;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, "buffer", buffer);
            check("PJRT_Buffer_Dimensions", args);
            long count = getSize(args, layout, "num_dims");
            return count == 0 ? new long[0] : get(args, layout, "dims").reinterpret(count * JAVA_LONG.byteSize()).toArray(JAVA_LONG);
        }
    }

    /**
     * Calls {@code PJRT_Buffer_ToHostBuffer} with no destination, which asks for the size the copy needs.
     *
     * @param buffer a buffer
     * @return bytes needed on the host
     */
    public long bufferHostSize(MemorySegment buffer) {
        StructLayout layout = PjrtStructs.PJRT_Buffer_ToHostBuffer_Args;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, "src", buffer);
            check("PJRT_Buffer_ToHostBuffer", args);
            return getSize(args, layout, "dst_size");
        }
    }

    /**
     * Calls {@code PJRT_Buffer_ToHostBuffer} to copy a buffer into host memory in its own (dense row-major) layout.
     *
     * @param buffer a buffer
     * @param destination host memory of at least {@link #bufferHostSize} bytes, untouched until the event completes
     * @return the event that completes with the copy, to be awaited
     */
    public MemorySegment bufferToHost(MemorySegment buffer, MemorySegment destination) {
        StructLayout layout = PjrtStructs.PJRT_Buffer_ToHostBuffer_Args;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, "src", buffer);
            set(args, layout, "dst", destination);
            setSize(args, layout, "dst_size", destination.byteSize());
            check("PJRT_Buffer_ToHostBuffer", args);
            return get(args, layout, "event");
        }
    }

    // ---- events ----

    /**
     * Waits until an event is ready, then destroys it, throwing the error it completed with. Waits by polling
     * {@code PJRT_Event_IsReady} with a growing pause (at most 1 ms), because {@code PJRT_Event_Await} cannot time out.
     *
     * @param event an event; NULL (a plugin that returns none) counts as ready
     * @param timeout how long to wait
     * @param operation what the event completes, for the messages, such as {@code PJRT_LoadedExecutable_Execute}
     * @throws PjrtException with the event's error, or when the timeout passes or the thread is interrupted (the event is
     *     then destroyed unfinished and the interrupt status kept)
     */
    public void awaitEvent(MemorySegment event, Duration timeout, String operation) {
        if (event.equals(MemorySegment.NULL)) {
            return;
        }
        try {
            long deadline = System.nanoTime() + timeout.toNanos();
            long pause = 1_000;
            while (!eventIsReady(event)) {
                if (System.nanoTime() - deadline > 0) {
                    throw new PjrtException(operation, PjrtErrorCode.DEADLINE_EXCEEDED, String.format(Locale.ROOT,
                            "%s did not complete within %s (PJRT plugin %s); raise the PJRT event timeout if the device is merely slow",
                            operation, timeout, library));
                }
                LockSupport.parkNanos(pause);
                if (Thread.currentThread().isInterrupted()) {
                    throw new PjrtException(operation, PjrtErrorCode.CANCELLED, String.format(Locale.ROOT,
                            "interrupted while waiting for %s (PJRT plugin %s); the plugin's work may still be running", operation, library));
                }
                pause = Math.min(2 * pause, LONGEST_POLL_PAUSE_NANOS);
            }
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment args = args(arena, PjrtStructs.PJRT_Event_Error_Args);
                set(args, PjrtStructs.PJRT_Event_Error_Args, "event", event);
                MemorySegment error = call("PJRT_Event_Error", args);
                if (!error.equals(MemorySegment.NULL)) {
                    throw toException(operation, error);
                }
            }
        } finally {
            eventDestroy(event);
        }
    }

    /**
     * Calls {@code PJRT_Event_Destroy}.
     *
     * @param event an event; NULL is ignored
     */
    public void eventDestroy(MemorySegment event) {
        if (!event.equals(MemorySegment.NULL)) {
            handleCall("PJRT_Event_Destroy", PjrtStructs.PJRT_Event_Destroy_Args, "event", event);
        }
    }

    private boolean eventIsReady(MemorySegment event) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, PjrtStructs.PJRT_Event_IsReady_Args);
            set(args, PjrtStructs.PJRT_Event_IsReady_Args, "event", event);
            check("PJRT_Event_IsReady", args);
            return args.get(JAVA_BOOLEAN, PjrtStructs.PJRT_Event_IsReady_Args.byteOffset(groupElement("is_ready")));
        }
    }

    // ---- named values ----

    /**
     * Decodes an array of {@code PJRT_NamedValue}: strings as {@code String}, int64 as {@code Long}, int64 lists as
     * {@code List<Long>}, floats as {@code Float}, bools as {@code Boolean}.
     */
    @SuppressWarnings("restricted") // the array has count elements and each value its value_size, as the C API documents
    static Map<String, Object> namedValues(MemorySegment array, long count) {
        StructLayout layout = PjrtStructs.PJRT_NamedValue;
        MemorySegment values = array.reinterpret(count * layout.byteSize());
        long valueAt = layout.byteOffset(groupElement("value"));
        Map<String, Object> decoded = new LinkedHashMap<>();
        for (long i = 0; i < count; i++) {
            MemorySegment value = values.asSlice(i * layout.byteSize(), layout.byteSize());
            String name = string(get(value, layout, "name"), getSize(value, layout, "name_size"));
            long size = getSize(value, layout, "value_size");
            int type = value.get(JAVA_INT, layout.byteOffset(groupElement("type")));
            Object decodedValue = switch (type) {
                case 0 -> string(value.get(ADDRESS, valueAt), size);
                case 1 -> value.get(JAVA_LONG, valueAt);
                case 2 -> {
                    long[] longs = size == 0 ? new long[0] : value.get(ADDRESS, valueAt).reinterpret(size * JAVA_LONG.byteSize()).toArray(JAVA_LONG);
                    List<Long> list = new ArrayList<>(longs.length);
                    for (long l : longs) {
                        list.add(l);
                    }
                    yield Collections.unmodifiableList(list);
                }
                case 3 -> value.get(JAVA_FLOAT, valueAt);
                case 4 -> value.get(JAVA_BOOLEAN, valueAt);
                default -> throw new PjrtPluginException(String.format(Locale.ROOT,
                        "attribute '%s' has PJRT_NamedValue_Type %d, which pjrt_c_api.h 0.94 does not define", name, type));
            };
            decoded.put(name, decodedValue);
        }
        return Collections.unmodifiableMap(decoded);
    }

    private static MemorySegment encodeNamedValues(Arena arena, Map<String, ?> options) {
        if (options.isEmpty()) {
            return MemorySegment.NULL;
        }
        StructLayout layout = PjrtStructs.PJRT_NamedValue;
        MemorySegment array = arena.allocate(layout, options.size());
        long valueAt = layout.byteOffset(groupElement("value"));
        int i = 0;
        for (Map.Entry<String, ?> option : options.entrySet()) {
            MemorySegment value = array.asSlice(i++ * layout.byteSize(), layout.byteSize());
            setSize(value, layout, "struct_size", layout.byteSize());
            byte[] name = option.getKey().getBytes(StandardCharsets.UTF_8);
            set(value, layout, "name", arena.allocateFrom(JAVA_BYTE, name));
            setSize(value, layout, "name_size", name.length);
            long size = 1;
            int type;
            switch (option.getValue()) {
                case String s -> {
                    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
                    value.set(ADDRESS, valueAt, arena.allocateFrom(JAVA_BYTE, bytes));
                    size = bytes.length;
                    type = 0;
                }
                case Long l -> {
                    value.set(JAVA_LONG, valueAt, l);
                    type = 1;
                }
                case Integer n -> {
                    value.set(JAVA_LONG, valueAt, n);
                    type = 1;
                }
                case long[] longs -> {
                    value.set(ADDRESS, valueAt, longs.length == 0 ? MemorySegment.NULL : arena.allocateFrom(JAVA_LONG, longs));
                    size = longs.length;
                    type = 2;
                }
                case Float f -> {
                    value.set(JAVA_FLOAT, valueAt, f);
                    type = 3;
                }
                case Double d -> {
                    value.set(JAVA_FLOAT, valueAt, d.floatValue());
                    type = 3;
                }
                case Boolean b -> {
                    value.set(JAVA_BOOLEAN, valueAt, b);
                    type = 4;
                }
                default -> throw new IllegalArgumentException(String.format(Locale.ROOT,
                        "PJRT option '%s' is a %s; options are String, Long, Integer, long[], Float, Double or Boolean",
                        option.getKey(), option.getValue().getClass().getName()));
            }
            value.set(JAVA_INT, layout.byteOffset(groupElement("type")), type);
            setSize(value, layout, "value_size", size);
        }
        return array;
    }

    // ---- calls and errors ----

    private MemorySegment call(String function, MemorySegment args) {
        MethodHandle handle = functions.get(function);
        if (handle == null) {
            throw new PjrtPluginException(String.format(Locale.ROOT,
                    "PJRT plugin %s (API %d.%d) leaves %s NULL in its PJRT_Api: it does not implement what Crossbar asked of it",
                    library, version.major(), version.minor(), function));
        }
        try {
            return (MemorySegment) handle.invokeExact(args);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    private void check(String function, MemorySegment args) {
        MemorySegment error = call(function, args);
        if (!error.equals(MemorySegment.NULL)) {
            throw toException(function, error);
        }
    }

    /** Reads an error's code and message, destroys it, and returns the exception that carries them. */
    private PjrtException toException(String function, MemorySegment error) {
        int code;
        String message;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment codeArgs = args(arena, PjrtStructs.PJRT_Error_GetCode_Args);
            set(codeArgs, PjrtStructs.PJRT_Error_GetCode_Args, "error", error);
            MemorySegment codeError = call("PJRT_Error_GetCode", codeArgs);
            if (codeError.equals(MemorySegment.NULL)) {
                code = codeArgs.get(JAVA_INT, PjrtStructs.PJRT_Error_GetCode_Args.byteOffset(groupElement("code")));
            } else {
                destroyError(codeError);
                code = PjrtErrorCode.UNKNOWN.ordinal();
            }
            MemorySegment messageArgs = args(arena, PjrtStructs.PJRT_Error_Message_Args);
            set(messageArgs, PjrtStructs.PJRT_Error_Message_Args, "error", error);
            callVoid("PJRT_Error_Message", messageArgs);
            message = string(get(messageArgs, PjrtStructs.PJRT_Error_Message_Args, "message"),
                    getSize(messageArgs, PjrtStructs.PJRT_Error_Message_Args, "message_size"));
        } finally {
            destroyError(error);
        }
        PjrtErrorCode known = code >= 0 && code < PjrtErrorCode.values().length ? PjrtErrorCode.values()[code] : null;
        return new PjrtException(function, known, String.format(Locale.ROOT, "%s failed with %s: %s (PJRT plugin %s)",
                function, PjrtErrorCode.describe(code), message, library));
    }

    private void destroyError(MemorySegment error) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, PjrtStructs.PJRT_Error_Destroy_Args);
            set(args, PjrtStructs.PJRT_Error_Destroy_Args, "error", error);
            callVoid("PJRT_Error_Destroy", args);
        }
    }

    private void callVoid(String function, MemorySegment args) {
        MethodHandle handle = functions.get(function);
        if (handle == null) {
            throw new PjrtPluginException(String.format(Locale.ROOT, "PJRT plugin %s leaves %s NULL in its PJRT_Api, so its errors cannot be read",
                    library, function));
        }
        try {
            handle.invokeExact(args);
        } catch (Throwable t) {
            throw new AssertionError(t);
        }
    }

    /** Allocates a zeroed argument struct with its struct_size set. */
    private MemorySegment args(Arena arena, StructLayout layout) {
        MemorySegment args = arena.allocate(layout);
        setSize(args, layout, "struct_size", layout.byteSize());
        return args;
    }

    private void handleCall(String function, StructLayout layout, String field, MemorySegment handle) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, field, handle);
            check(function, args);
        }
    }

    private MemorySegment pointerOut(String function, StructLayout layout, String inField, MemorySegment in, String outField) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, inField, in);
            check(function, args);
            return get(args, layout, outField);
        }
    }

    private int intOut(String function, StructLayout layout, String inField, MemorySegment in, String outField) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, inField, in);
            check(function, args);
            return args.get(JAVA_INT, layout.byteOffset(groupElement(outField)));
        }
    }

    /** Calls a function that returns a string as a pointer member {@code outField} and a size member {@code outField_size}. */
    private String stringOut(String function, StructLayout layout, String inField, MemorySegment in, String outField) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, inField, in);
            check(function, args);
            return string(get(args, layout, outField), getSize(args, layout, outField + "_size"));
        }
    }

    @SuppressWarnings("restricted") // the array has the returned number of elements, as the C API documents
    private List<MemorySegment> pointerListOut(String function, StructLayout layout, String inField, MemorySegment in, String listField,
            String countField) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment args = args(arena, layout);
            set(args, layout, inField, in);
            check(function, args);
            long count = getSize(args, layout, countField);
            MemorySegment list = get(args, layout, listField).reinterpret(count * ADDRESS.byteSize());
            List<MemorySegment> pointers = new ArrayList<>();
            for (long i = 0; i < count; i++) {
                pointers.add(list.getAtIndex(ADDRESS, i));
            }
            return List.copyOf(pointers);
        }
    }

    @SuppressWarnings("restricted") // the string has size bytes, as the C API documents
    private static String string(MemorySegment pointer, long size) {
        if (size == 0) {
            return "";
        }
        return new String(pointer.reinterpret(size).toArray(JAVA_BYTE), StandardCharsets.UTF_8);
    }

    private static MemorySegment get(MemorySegment struct, MemoryLayout layout, String field) {
        return struct.get(ADDRESS, layout.byteOffset(groupElement(field)));
    }

    private static void set(MemorySegment struct, MemoryLayout layout, String field, MemorySegment value) {
        struct.set(ADDRESS, layout.byteOffset(groupElement(field)), value);
    }

    private static long getSize(MemorySegment struct, MemoryLayout layout, String field) {
        return sizeAt(struct, layout.byteOffset(groupElement(field)));
    }

    private static void setSize(MemorySegment struct, MemoryLayout layout, String field, long value) {
        long at = layout.byteOffset(groupElement(field));
        if (SIZE_T.byteSize() == Long.BYTES) {
            struct.set(JAVA_LONG, at, value);
        } else {
            struct.set(JAVA_INT, at, Math.toIntExact(value));
        }
    }

    private static long sizeAt(MemorySegment struct, long at) {
        return SIZE_T.byteSize() == Long.BYTES ? struct.get(JAVA_LONG, at) : Integer.toUnsignedLong(struct.get(JAVA_INT, at));
    }
}
