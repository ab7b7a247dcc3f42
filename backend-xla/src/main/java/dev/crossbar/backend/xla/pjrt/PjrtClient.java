package dev.crossbar.backend.xla.pjrt;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Shape;
import dev.crossbar.backend.xla.internal.ffi.NativePjrt;
import dev.crossbar.backend.xla.internal.ffi.PjrtElementType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A {@code PJRT_Client} of a plugin: its devices, compilation of StableHLO (MLIR text), transfers and execution.
 * Executables and buffers belong to the client that made them; closing the client closes those still open, then
 * destroys the client. Every wait on a plugin event is bounded by the client's event timeout.
 *
 * <pre>{@code
 * try (PjrtClient client = PjrtClient.create(PjrtPlugin.load(path));
 *      PjrtExecutable add = client.compile(mlirText)) {
 *     List<HostArray> sum = client.execute(add, List.of(a, b));
 * }
 * }</pre>
 */
public final class PjrtClient implements AutoCloseable {
    /** The event timeout {@link #create(PjrtPlugin)} uses. */
    public static final Duration DEFAULT_EVENT_TIMEOUT = Duration.ofMinutes(10);

    private final PjrtPlugin plugin;
    private final NativePjrt nativePlugin;
    private final MemorySegment handle;
    private final Duration eventTimeout;
    private final List<PjrtDevice> devices;
    private final Set<AutoCloseable> open = Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean closed;

    private PjrtClient(PjrtPlugin plugin, NativePjrt nativePlugin, MemorySegment handle, Duration eventTimeout) {
        this.plugin = plugin;
        this.nativePlugin = nativePlugin;
        this.handle = handle;
        this.eventTimeout = eventTimeout;
        List<PjrtDevice> found = new ArrayList<>();
        for (MemorySegment device : nativePlugin.clientAddressableDevices(handle)) {
            found.add(describe(device));
        }
        this.devices = List.copyOf(found);
    }

    /**
     * Creates a client without options, waiting at most {@link #DEFAULT_EVENT_TIMEOUT} for any event.
     *
     * @param plugin a loaded plugin
     * @return the client
     */
    public static PjrtClient create(PjrtPlugin plugin) {
        return create(plugin, Map.of(), DEFAULT_EVENT_TIMEOUT);
    }

    /**
     * Creates a client ({@code PJRT_Client_Create}).
     *
     * @param plugin a loaded plugin
     * @param options the plugin's create options by name: {@code String}, {@code Long} or {@code Integer},
     *     {@code long[]}, {@code Float} or {@code Double}, {@code Boolean}
     * @param eventTimeout how long to wait for a transfer or an execution to complete before failing
     * @return the client
     * @throws CrossbarException with the plugin's error code and message if it refuses
     */
    public static PjrtClient create(PjrtPlugin plugin, Map<String, ?> options, Duration eventTimeout) {
        NativePjrt nativePlugin = NativePjrt.load(plugin.library());
        MemorySegment handle = nativePlugin.clientCreate(options);
        try {
            return new PjrtClient(plugin, nativePlugin, handle, eventTimeout);
        } catch (RuntimeException e) {
            nativePlugin.clientDestroy(handle);
            throw e;
        }
    }

    private PjrtDevice describe(MemorySegment device) {
        MemorySegment description = nativePlugin.deviceDescription(device);
        return new PjrtDevice(device, nativePlugin.descriptionId(description), nativePlugin.descriptionProcessIndex(description),
                nativePlugin.deviceLocalHardwareId(device), nativePlugin.descriptionKind(description),
                nativePlugin.descriptionToString(description), nativePlugin.descriptionAttributes(description));
    }

    /**
     * Returns the plugin the client runs on.
     *
     * @return the plugin
     */
    public PjrtPlugin plugin() {
        return plugin;
    }

    /**
     * Returns the platform's name ({@code PJRT_Client_PlatformName}).
     *
     * @return a name such as {@code cpu} or {@code neuron}
     */
    public String platformName() {
        return nativePlugin.clientPlatformName(handle());
    }

    /**
     * Returns the platform's version text ({@code PJRT_Client_PlatformVersion}).
     *
     * @return the version text
     */
    public String platformVersion() {
        return nativePlugin.clientPlatformVersion(handle());
    }

    /**
     * Returns the devices this client can issue work to ({@code PJRT_Client_AddressableDevices}).
     *
     * @return the devices, in the plugin's order
     */
    public List<PjrtDevice> devices() {
        handle();
        return devices;
    }

    /**
     * Compiles a StableHLO module for one device.
     *
     * @param mlirText the module as MLIR text, with a {@code @main} function
     * @return the loaded executable
     */
    public PjrtExecutable compile(String mlirText) {
        return compile(mlirText, CompileOptions.SINGLE_DEVICE);
    }

    /**
     * Compiles a StableHLO module ({@code PJRT_Client_Compile}, program format {@code mlir}).
     *
     * @param mlirText the module as MLIR text, with a {@code @main} function
     * @param options replicas and partitions
     * @return the loaded executable
     * @throws CrossbarException with the plugin's error code and message if it cannot compile the module
     */
    public PjrtExecutable compile(String mlirText, CompileOptions options) {
        return load(nativePlugin.compile(handle(), "mlir", mlirText.getBytes(StandardCharsets.UTF_8), options.toProto()));
    }

    /**
     * Serializes an executable in the plugin's own format ({@code PJRT_Executable_Serialize}), for a compile cache.
     *
     * @param executable an executable of this client
     * @return bytes that {@link #deserialize} turns back into the executable with the same plugin version
     */
    public byte[] serialize(PjrtExecutable executable) {
        MemorySegment unloaded = nativePlugin.executableOf(executable.handle());
        try {
            return nativePlugin.executableSerialize(unloaded);
        } finally {
            nativePlugin.executableDestroy(unloaded);
        }
    }

    /**
     * Loads a serialized executable ({@code PJRT_Executable_DeserializeAndLoad}), with the compile options it was
     * compiled with.
     *
     * @param serialized bytes from {@link #serialize}
     * @return the loaded executable
     * @throws CrossbarException with the plugin's error code and message if it cannot read the bytes
     */
    public PjrtExecutable deserialize(byte[] serialized) {
        return load(nativePlugin.deserializeAndLoad(handle(), serialized));
    }

    private PjrtExecutable load(MemorySegment loaded) {
        try {
            MemorySegment executable = nativePlugin.executableOf(loaded);
            String name;
            int outputs;
            try {
                name = nativePlugin.executableName(executable);
                outputs = nativePlugin.executableNumOutputs(executable);
            } finally {
                nativePlugin.executableDestroy(executable);
            }
            List<PjrtDevice> runsOn = nativePlugin.loadedExecutableDevices(loaded).stream().map(this::deviceOf).toList();
            return register(new PjrtExecutable(this, loaded, name, outputs, runsOn));
        } catch (RuntimeException e) {
            nativePlugin.loadedExecutableDestroy(loaded);
            throw e;
        }
    }

    private PjrtDevice deviceOf(MemorySegment device) {
        return devices.stream().filter(d -> d.handle().equals(device)).findFirst().orElseThrow(() -> new CrossbarException(String.format(Locale.ROOT,
                "PJRT plugin %s returned a device that is not among the client's addressable devices %s", plugin.library(), devices)));
    }

    /**
     * Copies a host array to a device ({@code PJRT_Client_BufferFromHostBuffer}). The array is staged in memory the
     * buffer owns, so the caller may reuse it as soon as this returns.
     *
     * @param array the host data
     * @param device one of {@link #devices()}
     * @param semantics how long the plugin may read the staged memory
     * @return the device buffer
     */
    public PjrtBuffer toDevice(HostArray array, PjrtDevice device, HostBufferSemantics semantics) {
        requireOwn(device);
        Arena staging = Arena.ofShared();
        NativePjrt.HostTransfer transfer;
        try {
            MemorySegment data = staging.allocate(Math.max(1, array.data().byteSize()), Math.max(1, array.dtype().byteSize()));
            MemorySegment.copy(array.data(), 0, data, 0, array.data().byteSize());
            long[] dims = new long[array.shape().rank()];
            for (int i = 0; i < dims.length; i++) {
                dims[i] = array.shape().dim(i);
            }
            transfer = nativePlugin.bufferFromHost(handle(), device.handle(), data, PjrtElementType.of(array.dtype()), dims, semantics.ordinal());
        } catch (RuntimeException e) {
            staging.close();
            throw e;
        }
        PjrtBuffer buffer = register(new PjrtBuffer(this, transfer.buffer(), device, array.dtype(), array.shape(), staging,
                transfer.doneWithHostBuffer()));
        if (semantics == HostBufferSemantics.IMMUTABLE_ONLY_DURING_CALL) {
            buffer.releaseStaging();
        }
        return buffer;
    }

    /**
     * Copies a buffer to the host ({@code PJRT_Buffer_ToHostBuffer}) and waits for the copy.
     *
     * @param buffer a buffer of this client
     * @return its contents, in memory the garbage collector frees
     */
    public HostArray toHost(PjrtBuffer buffer) {
        if (buffer.client() != this) {
            throw new IllegalArgumentException(buffer + " belongs to another PJRT client");
        }
        MemorySegment source = buffer.handle();
        long size = nativePlugin.bufferHostSize(source);
        long expected = buffer.shape().size() * buffer.dtype().byteSize();
        if (size != expected) {
            throw new CrossbarException(String.format(Locale.ROOT, "PJRT plugin %s needs %d host bytes for %s, not the %d of a dense row-major array",
                    plugin.library(), size, buffer, expected));
        }
        MemorySegment destination = Arena.ofAuto().allocate(Math.max(1, size), Math.max(1, buffer.dtype().byteSize())).asSlice(0, size);
        nativePlugin.awaitEvent(nativePlugin.bufferToHost(source, destination), eventTimeout, "PJRT_Buffer_ToHostBuffer");
        return new HostArray(buffer.dtype(), buffer.shape(), destination);
    }

    /**
     * Runs an executable on its devices ({@code PJRT_LoadedExecutable_Execute}) and waits until every device is done.
     *
     * @param executable an executable of this client
     * @param arguments per device of {@link PjrtExecutable#devices()}, the argument buffers on that device
     * @return per device, the result buffers
     * @throws CrossbarException with the plugin's error code and message if the launch or the execution fails
     */
    public List<List<PjrtBuffer>> executeOnDevices(PjrtExecutable executable, List<List<PjrtBuffer>> arguments) {
        if (executable.client() != this) {
            throw new IllegalArgumentException(executable + " belongs to another PJRT client");
        }
        List<PjrtDevice> runsOn = executable.devices();
        if (arguments.size() != runsOn.size()) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s runs on %d devices, but %d argument lists were given",
                    executable, runsOn.size(), arguments.size()));
        }
        MemorySegment[][] handles = new MemorySegment[arguments.size()][];
        for (int d = 0; d < handles.length; d++) {
            List<PjrtBuffer> list = arguments.get(d);
            handles[d] = new MemorySegment[list.size()];
            for (int a = 0; a < list.size(); a++) {
                PjrtBuffer argument = list.get(a);
                if (!argument.device().equals(runsOn.get(d))) {
                    throw new IllegalArgumentException(String.format(Locale.ROOT, "argument %d for device %d is %s, not on %s", a, d, argument, runsOn.get(d)));
                }
                handles[d][a] = argument.handle();
            }
        }
        NativePjrt.Execution execution = nativePlugin.execute(executable.handle(), handles, executable.outputCount());
        RuntimeException failure = null;
        List<List<PjrtBuffer>> results = new ArrayList<>();
        for (int d = 0; d < handles.length; d++) {
            List<PjrtBuffer> outputs = new ArrayList<>();
            for (MemorySegment output : execution.outputs()[d]) {
                if (failure != null) {
                    nativePlugin.bufferDestroy(output);
                    continue;
                }
                try {
                    outputs.add(register(wrapOutput(output, runsOn.get(d))));
                } catch (RuntimeException e) {
                    failure = e;
                }
            }
            results.add(List.copyOf(outputs));
        }
        for (MemorySegment completion : execution.completions()) {
            try {
                nativePlugin.awaitEvent(completion, eventTimeout, "PJRT_LoadedExecutable_Execute");
            } catch (RuntimeException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure != null) {
            results.forEach(list -> list.forEach(PjrtBuffer::close));
            throw failure;
        }
        return List.copyOf(results);
    }

    /**
     * Runs a single-device executable on host arrays: copies them to its device, executes, copies the results back
     * and frees every device buffer.
     *
     * @param executable an executable of this client that runs on one device
     * @param inputs the arguments of {@code @main}, in order
     * @return the results of {@code @main}, in order
     */
    public List<HostArray> execute(PjrtExecutable executable, List<HostArray> inputs) {
        if (executable.devices().size() != 1) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "%s runs on %d devices; pass one argument list per device to executeOnDevices",
                    executable, executable.devices().size()));
        }
        PjrtDevice device = executable.devices().getFirst();
        List<PjrtBuffer> arguments = new ArrayList<>();
        RuntimeException failure = null;
        try {
            for (HostArray input : inputs) {
                arguments.add(toDevice(input, device, HostBufferSemantics.IMMUTABLE_UNTIL_TRANSFER_COMPLETES));
            }
            List<PjrtBuffer> outputs = executeOnDevices(executable, List.of(arguments)).getFirst();
            RuntimeException copyFailure = null;
            try {
                return outputs.stream().map(this::toHost).toList();
            } catch (RuntimeException e) {
                copyFailure = e;
                throw e;
            } finally {
                closeEach(outputs, copyFailure);
            }
        } catch (RuntimeException e) {
            failure = e;
            throw e;
        } finally {
            closeEach(arguments, failure);
        }
    }

    /**
     * Closes every resource even when some fail. Their failures are added to {@code failure}, the exception already on
     * its way out, when there is one (a failed close must not replace it, nor leave the remaining resources open);
     * otherwise the first is thrown with the others suppressed.
     */
    private static void closeEach(List<? extends AutoCloseable> resources, RuntimeException failure) {
        RuntimeException first = null;
        for (AutoCloseable resource : resources) {
            try {
                resource.close();
            } catch (Exception e) {
                RuntimeException wrapped = e instanceof RuntimeException r ? r : new CrossbarException(e.getMessage(), e);
                if (failure != null) {
                    failure.addSuppressed(wrapped);
                } else if (first == null) {
                    first = wrapped;
                } else {
                    first.addSuppressed(wrapped);
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private PjrtBuffer wrapOutput(MemorySegment output, PjrtDevice device) {
        try {
            PjrtElementType type = nativePlugin.bufferElementType(output);
            DType dtype = type.dtype().orElseThrow(() -> new CrossbarException(String.format(Locale.ROOT,
                    "PJRT plugin %s returned a result of PJRT_Buffer_Type %s, which no Crossbar dtype holds", plugin.library(), type)));
            long[] dims = nativePlugin.bufferDimensions(output);
            int[] shape = new int[dims.length];
            for (int i = 0; i < dims.length; i++) {
                shape[i] = Math.toIntExact(dims[i]);
            }
            return new PjrtBuffer(this, output, device, dtype, Shape.of(shape), null, null);
        } catch (RuntimeException e) {
            nativePlugin.bufferDestroy(output);
            throw e;
        }
    }

    private void requireOwn(PjrtDevice device) {
        if (!devices.contains(device)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "%s is not a device of this PJRT client; its devices are %s", device, devices));
        }
    }

    NativePjrt nativePlugin() {
        return nativePlugin;
    }

    Duration eventTimeout() {
        return eventTimeout;
    }

    private synchronized MemorySegment handle() {
        if (closed) {
            throw new AlreadyClosedException("Already closed: " + this);
        }
        return handle;
    }

    private synchronized <T extends AutoCloseable> T register(T resource) {
        if (closed) {
            throw new AlreadyClosedException("Already closed: " + this);
        }
        open.add(resource);
        return resource;
    }

    /** Runs the destruction of a resource of this client and forgets it. */
    void release(AutoCloseable resource, Runnable destroy) {
        synchronized (this) {
            open.remove(resource);
        }
        destroy.run();
    }

    /** Closes the executables and buffers still open, then destroys the client ({@code PJRT_Client_Destroy}). */
    @Override
    public void close() {
        List<AutoCloseable> remaining;
        synchronized (this) {
            if (closed) {
                return;
            }
            remaining = new ArrayList<>(open);
        }
        try {
            closeEach(remaining, null);
        } finally {
            synchronized (this) {
                closed = true;
            }
            nativePlugin.clientDestroy(handle);
        }
    }

    @Override
    public String toString() {
        return "PJRT client of " + plugin.library();
    }
}
