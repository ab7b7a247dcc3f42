package com.example.opencl.internal.ffi;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import dev.crossbar.spi.ffi.LibraryUnavailableException;
import dev.crossbar.spi.ffi.NativeLibrary;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The OpenCL 1.2 API of {@code libOpenCL.so.1} (the ICD loader, so any vendor's driver): one method per function,
 * handles looked up once, every {@code cl_int} checked and turned into an {@link OpenClException} with its symbolic
 * name. OpenCL objects ({@code cl_platform_id}, {@code cl_context}, {@code cl_mem}, ...) travel as address-only
 * {@link MemorySegment}s.
 */
public final class NativeOpenCl {
    /** The library's soname, installed by Debian's {@code ocl-icd-libopencl1}. */
    public static final String LIBRARY = "libOpenCL.so.1";

    /** {@code CL_PLATFORM_NAME}. */
    public static final int CL_PLATFORM_NAME = 0x0902;
    /** {@code CL_DEVICE_NAME}. */
    public static final int CL_DEVICE_NAME = 0x102B;
    /** {@code CL_DRIVER_VERSION}. */
    public static final int CL_DRIVER_VERSION = 0x102D;
    /** {@code CL_DEVICE_OPENCL_C_VERSION}. */
    public static final int CL_DEVICE_OPENCL_C_VERSION = 0x103D;
    /** {@code CL_DEVICE_EXTENSIONS}. */
    public static final int CL_DEVICE_EXTENSIONS = 0x1030;

    private static final long CL_DEVICE_TYPE_ALL = 0xFFFFFFFFL;
    private static final long CL_MEM_READ_WRITE = 1;
    private static final int CL_TRUE = 1;
    private static final int CL_PROGRAM_BUILD_LOG = 0x1183;
    private static final int CL_EVENT_COMMAND_EXECUTION_STATUS = 0x11D3;


    private final MethodHandle MH$clGetPlatformIDs;
    private final MethodHandle MH$clGetPlatformInfo;
    private final MethodHandle MH$clGetDeviceIDs;
    private final MethodHandle MH$clGetDeviceInfo;
    private final MethodHandle MH$clCreateContext;
    private final MethodHandle MH$clReleaseContext;
    private final MethodHandle MH$clCreateCommandQueue;
    private final MethodHandle MH$clReleaseCommandQueue;
    private final MethodHandle MH$clFinish;
    private final MethodHandle MH$clCreateBuffer;
    private final MethodHandle MH$clReleaseMemObject;
    private final MethodHandle MH$clEnqueueWriteBuffer;
    private final MethodHandle MH$clEnqueueReadBuffer;
    private final MethodHandle MH$clEnqueueCopyBuffer;
    private final MethodHandle MH$clEnqueueFillBuffer;
    private final MethodHandle MH$clCreateProgramWithSource;
    private final MethodHandle MH$clBuildProgram;
    private final MethodHandle MH$clGetProgramBuildInfo;
    private final MethodHandle MH$clReleaseProgram;
    private final MethodHandle MH$clCreateKernel;
    private final MethodHandle MH$clReleaseKernel;
    private final MethodHandle MH$clSetKernelArg;
    private final MethodHandle MH$clEnqueueNDRangeKernel;
    private final MethodHandle MH$clWaitForEvents;
    private final MethodHandle MH$clGetEventInfo;
    private final MethodHandle MH$clReleaseEvent;

    private NativeOpenCl(NativeLibrary library) {
        MH$clGetPlatformIDs = library.function("clGetPlatformIDs", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, ADDRESS));
        MH$clGetPlatformInfo = library.function("clGetPlatformInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
        MH$clGetDeviceIDs = library.function("clGetDeviceIDs", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
        MH$clGetDeviceInfo = library.function("clGetDeviceInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
        MH$clCreateContext = library.function("clCreateContext", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        MH$clReleaseContext = library.function("clReleaseContext", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$clCreateCommandQueue = library.function("clCreateCommandQueue", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, ADDRESS));
        MH$clReleaseCommandQueue = library.function("clReleaseCommandQueue", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$clFinish = library.function("clFinish", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$clCreateBuffer = library.function("clCreateBuffer", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, ADDRESS, ADDRESS));
        MH$clReleaseMemObject = library.function("clReleaseMemObject", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        FunctionDescriptor transfer = FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, JAVA_LONG, ADDRESS, JAVA_INT, ADDRESS, ADDRESS);
        MH$clEnqueueWriteBuffer = library.function("clEnqueueWriteBuffer", transfer);
        MH$clEnqueueReadBuffer = library.function("clEnqueueReadBuffer", transfer);
        MH$clEnqueueCopyBuffer = library.function("clEnqueueCopyBuffer",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
        MH$clEnqueueFillBuffer = library.function("clEnqueueFillBuffer",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_LONG, JAVA_LONG, JAVA_LONG, JAVA_INT, ADDRESS, ADDRESS));
        MH$clCreateProgramWithSource = library.function("clCreateProgramWithSource", FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS));
        MH$clBuildProgram = library.function("clBuildProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        MH$clGetProgramBuildInfo = library.function("clGetProgramBuildInfo",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
        MH$clReleaseProgram = library.function("clReleaseProgram", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$clCreateKernel = library.function("clCreateKernel", FunctionDescriptor.of(ADDRESS, ADDRESS, ADDRESS, ADDRESS));
        MH$clReleaseKernel = library.function("clReleaseKernel", FunctionDescriptor.of(JAVA_INT, ADDRESS));
        MH$clSetKernelArg = library.function("clSetKernelArg", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS));
        MH$clEnqueueNDRangeKernel = library.function("clEnqueueNDRangeKernel",
                FunctionDescriptor.of(JAVA_INT, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS, ADDRESS, JAVA_INT, ADDRESS, ADDRESS));
        MH$clWaitForEvents = library.function("clWaitForEvents", FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS));
        MH$clGetEventInfo = library.function("clGetEventInfo", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_LONG, ADDRESS, ADDRESS));
        MH$clReleaseEvent = library.function("clReleaseEvent", FunctionDescriptor.of(JAVA_INT, ADDRESS));
    }

    /**
     * Loads the ICD loader and binds its functions. The library stays loaded for the life of the JVM, since OpenCL
     * drivers do not support being unloaded.
     *
     * @return the bound API
     * @throws LibraryUnavailableException if the library does not load, lacks a function, or native access is denied
     */
    public static NativeOpenCl load() {
        return new NativeOpenCl(NativeLibrary.open(LIBRARY,
                "install an OpenCL ICD loader and driver (Debian: ocl-icd-libopencl1 and pocl-opencl-icd, or the GPU vendor's ICD)"));
    }

    // ---------------------------------------------------------------- platforms and devices

    /**
     * Calls {@code clGetPlatformIDs}.
     *
     * @return the platforms; empty when the ICD loader finds none ({@code CL_PLATFORM_NOT_FOUND_KHR})
     */
    public List<MemorySegment> platforms() {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            int status = (int) invoke(MH$clGetPlatformIDs, 0, MemorySegment.NULL, count);
            if (status == ClError.CL_PLATFORM_NOT_FOUND_KHR) {
                return List.of();
            }
            check("clGetPlatformIDs", status, "counting platforms");
            int n = count.get(JAVA_INT, 0);
            MemorySegment ids = arena.allocate(ADDRESS, Math.max(n, 1));
            check("clGetPlatformIDs", (int) invoke(MH$clGetPlatformIDs, n, ids, MemorySegment.NULL), "listing platforms");
            return handles(ids, n);
        }
    }

    /**
     * Calls {@code clGetPlatformInfo} for a string parameter.
     *
     * @param platform the platform
     * @param parameter such as {@link #CL_PLATFORM_NAME}
     * @return the value
     */
    public String platformString(MemorySegment platform, int parameter) {
        return queryString("clGetPlatformInfo", MH$clGetPlatformInfo, platform, parameter);
    }

    /**
     * Calls {@code clGetDeviceIDs} for every device type.
     *
     * @param platform the platform
     * @return its devices; empty for {@code CL_DEVICE_NOT_FOUND}
     */
    public List<MemorySegment> devices(MemorySegment platform) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment count = arena.allocate(JAVA_INT);
            int status = (int) invoke(MH$clGetDeviceIDs, platform, CL_DEVICE_TYPE_ALL, 0, MemorySegment.NULL, count);
            if (status == ClError.CL_DEVICE_NOT_FOUND) {
                return List.of();
            }
            check("clGetDeviceIDs", status, "counting devices");
            int n = count.get(JAVA_INT, 0);
            MemorySegment ids = arena.allocate(ADDRESS, Math.max(n, 1));
            check("clGetDeviceIDs", (int) invoke(MH$clGetDeviceIDs, platform, CL_DEVICE_TYPE_ALL, n, ids, MemorySegment.NULL), "listing devices");
            return handles(ids, n);
        }
    }

    /**
     * Calls {@code clGetDeviceInfo} for a string parameter.
     *
     * @param device the device
     * @param parameter such as {@link #CL_DEVICE_NAME}
     * @return the value
     */
    public String deviceString(MemorySegment device, int parameter) {
        return queryString("clGetDeviceInfo", MH$clGetDeviceInfo, device, parameter);
    }

    // ---------------------------------------------------------------- contexts and queues

    /**
     * Calls {@code clCreateContext} without properties or callback.
     *
     * @param devices the devices, of one platform
     * @return the context
     */
    public MemorySegment createContext(List<MemorySegment> devices) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment ids = arena.allocate(ADDRESS, devices.size());
            for (int i = 0; i < devices.size(); i++) {
                ids.setAtIndex(ADDRESS, i, devices.get(i));
            }
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment context = (MemorySegment) invoke(MH$clCreateContext, MemorySegment.NULL, devices.size(), ids, MemorySegment.NULL, MemorySegment.NULL, status);
            check("clCreateContext", status.get(JAVA_INT, 0), devices.size() + " device(s)");
            return context;
        }
    }

    /**
     * Calls {@code clReleaseContext}.
     *
     * @param context the context
     */
    public void releaseContext(MemorySegment context) {
        check("clReleaseContext", (int) invoke(MH$clReleaseContext, context), "");
    }

    /**
     * Calls {@code clCreateCommandQueue} for an in-order queue without profiling.
     *
     * @param context the context
     * @param device the device
     * @return the queue
     */
    public MemorySegment createQueue(MemorySegment context, MemorySegment device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment queue = (MemorySegment) invoke(MH$clCreateCommandQueue, context, device, 0L, status);
            check("clCreateCommandQueue", status.get(JAVA_INT, 0), "in-order queue");
            return queue;
        }
    }

    /**
     * Calls {@code clFinish}, waiting for every command of the queue.
     *
     * @param queue the queue
     */
    public void finish(MemorySegment queue) {
        check("clFinish", (int) invoke(MH$clFinish, queue), "");
    }

    /**
     * Calls {@code clReleaseCommandQueue}.
     *
     * @param queue the queue
     */
    public void releaseQueue(MemorySegment queue) {
        check("clReleaseCommandQueue", (int) invoke(MH$clReleaseCommandQueue, queue), "");
    }

    // ---------------------------------------------------------------- buffers

    /**
     * Calls {@code clCreateBuffer} for read-write device memory.
     *
     * @param context the context
     * @param byteSize the size, at least 1
     * @return the {@code cl_mem}
     */
    public MemorySegment createBuffer(MemorySegment context, long byteSize) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment buffer = (MemorySegment) invoke(MH$clCreateBuffer, context, CL_MEM_READ_WRITE, byteSize, MemorySegment.NULL, status);
            check("clCreateBuffer", status.get(JAVA_INT, 0), byteSize + " bytes");
            return buffer;
        }
    }

    /**
     * Calls {@code clReleaseMemObject}; the memory goes when the commands using it have finished.
     *
     * @param buffer the {@code cl_mem}
     */
    public void releaseBuffer(MemorySegment buffer) {
        check("clReleaseMemObject", (int) invoke(MH$clReleaseMemObject, buffer), "");
    }

    /**
     * Calls {@code clEnqueueWriteBuffer}, blocking, so the host memory may be reused on return.
     *
     * @param queue the queue
     * @param buffer the destination
     * @param offset the byte offset in the buffer
     * @param source native host memory; all of it is written
     */
    public void write(MemorySegment queue, MemorySegment buffer, long offset, MemorySegment source) {
        check("clEnqueueWriteBuffer", (int) invoke(MH$clEnqueueWriteBuffer, queue, buffer, CL_TRUE, offset, source.byteSize(), source, 0, MemorySegment.NULL,
                MemorySegment.NULL), source.byteSize() + " bytes at offset " + offset);
    }

    /**
     * Calls {@code clEnqueueReadBuffer}, blocking.
     *
     * @param queue the queue
     * @param buffer the source
     * @param offset the byte offset in the buffer
     * @param destination native host memory; all of it is filled
     */
    public void read(MemorySegment queue, MemorySegment buffer, long offset, MemorySegment destination) {
        check("clEnqueueReadBuffer", (int) invoke(MH$clEnqueueReadBuffer, queue, buffer, CL_TRUE, offset, destination.byteSize(), destination, 0, MemorySegment.NULL,
                MemorySegment.NULL), destination.byteSize() + " bytes at offset " + offset);
    }

    /**
     * Calls {@code clEnqueueCopyBuffer}.
     *
     * @param queue the queue
     * @param source the source buffer
     * @param sourceOffset byte offset in the source
     * @param destination the destination buffer
     * @param destinationOffset byte offset in the destination
     * @param byteCount bytes, at least 1
     * @return the command's event, to be released by the caller
     */
    public MemorySegment copy(MemorySegment queue, MemorySegment source, long sourceOffset, MemorySegment destination, long destinationOffset, long byteCount) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(ADDRESS);
            check("clEnqueueCopyBuffer", (int) invoke(MH$clEnqueueCopyBuffer, queue, source, destination, sourceOffset, destinationOffset, byteCount, 0,
                    MemorySegment.NULL, event), byteCount + " bytes");
            return event.get(ADDRESS, 0);
        }
    }

    /**
     * Calls {@code clEnqueueFillBuffer}; the pattern is copied before the call returns.
     *
     * @param queue the queue
     * @param buffer the buffer
     * @param pattern the bytes repeated (1, 2, 4, ... 128 of them)
     * @param offset byte offset, a multiple of the pattern's size
     * @param byteCount bytes, a multiple of the pattern's size
     * @return the command's event, to be released by the caller
     */
    public MemorySegment fill(MemorySegment queue, MemorySegment buffer, byte[] pattern, long offset, long byteCount) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment bytes = arena.allocateFrom(JAVA_BYTE, pattern);
            MemorySegment event = arena.allocate(ADDRESS);
            check("clEnqueueFillBuffer", (int) invoke(MH$clEnqueueFillBuffer, queue, buffer, bytes, (long) pattern.length, offset, byteCount, 0, MemorySegment.NULL, event),
                    byteCount + " bytes");
            return event.get(ADDRESS, 0);
        }
    }

    // ---------------------------------------------------------------- programs and kernels

    /**
     * Creates a program from source and builds it for some devices ({@code clCreateProgramWithSource},
     * {@code clBuildProgram}). A failed build is released and reported with the compiler's log.
     *
     * @param context the context
     * @param devices the devices to build for
     * @param source OpenCL C source
     * @param options build options such as {@code -cl-std=CL1.2}
     * @param name what the program is, for messages
     * @return the built program
     * @throws OpenClException {@code CL_BUILD_PROGRAM_FAILURE} with the build log of each device
     */
    public MemorySegment buildProgram(MemorySegment context, List<MemorySegment> devices, String source, String options, String name) {
        MemorySegment program;
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment text = arena.allocateFrom(source, StandardCharsets.UTF_8);
            MemorySegment strings = arena.allocate(ADDRESS);
            strings.set(ADDRESS, 0, text);
            MemorySegment status = arena.allocate(JAVA_INT);
            program = (MemorySegment) invoke(MH$clCreateProgramWithSource, context, 1, strings, MemorySegment.NULL, status);
            check("clCreateProgramWithSource", status.get(JAVA_INT, 0), name);
            MemorySegment ids = arena.allocate(ADDRESS, devices.size());
            for (int i = 0; i < devices.size(); i++) {
                ids.setAtIndex(ADDRESS, i, devices.get(i));
            }
            int built = (int) invoke(MH$clBuildProgram, program, devices.size(), ids, arena.allocateFrom(options, StandardCharsets.UTF_8), MemorySegment.NULL,
                    MemorySegment.NULL);
            if (built != ClError.CL_SUCCESS) {
                StringBuilder logs = new StringBuilder();
                for (MemorySegment device : devices) {
                    logs.append("\n--- build log of ").append(deviceString(device, CL_DEVICE_NAME)).append(" ---\n").append(buildLog(program, device));
                }
                invoke(MH$clReleaseProgram, program);
                throw new OpenClException("clBuildProgram", built, String.format(Locale.ROOT, "%s with options '%s'%s", name, options, logs));
            }
            return program;
        }
    }

    private String buildLog(MemorySegment program, MemorySegment device) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            check("clGetProgramBuildInfo", (int) invoke(MH$clGetProgramBuildInfo, program, device, CL_PROGRAM_BUILD_LOG, 0L, MemorySegment.NULL, size), "log size");
            long n = size.get(JAVA_LONG, 0);
            MemorySegment log = arena.allocate(Math.max(n, 1));
            check("clGetProgramBuildInfo", (int) invoke(MH$clGetProgramBuildInfo, program, device, CL_PROGRAM_BUILD_LOG, n, log, MemorySegment.NULL), "log");
            return log.getString(0, StandardCharsets.UTF_8).strip();
        }
    }

    /**
     * Calls {@code clReleaseProgram}.
     *
     * @param program the program
     */
    public void releaseProgram(MemorySegment program) {
        check("clReleaseProgram", (int) invoke(MH$clReleaseProgram, program), "");
    }

    /**
     * Calls {@code clCreateKernel}.
     *
     * @param program a built program
     * @param name the kernel function's name
     * @return the kernel
     */
    public MemorySegment createKernel(MemorySegment program, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment status = arena.allocate(JAVA_INT);
            MemorySegment kernel = (MemorySegment) invoke(MH$clCreateKernel, program, arena.allocateFrom(name, StandardCharsets.UTF_8), status);
            check("clCreateKernel", status.get(JAVA_INT, 0), name);
            return kernel;
        }
    }

    /**
     * Calls {@code clReleaseKernel}.
     *
     * @param kernel the kernel
     */
    public void releaseKernel(MemorySegment kernel) {
        check("clReleaseKernel", (int) invoke(MH$clReleaseKernel, kernel), "");
    }

    /**
     * Calls {@code clSetKernelArg} with a value's bytes (a {@code cl_mem} handle, a scalar or a struct).
     *
     * @param kernel the kernel
     * @param index the parameter's position
     * @param value the argument's bytes
     * @param name the kernel and parameter, for messages
     */
    public void setKernelArg(MemorySegment kernel, int index, MemorySegment value, String name) {
        check("clSetKernelArg", (int) invoke(MH$clSetKernelArg, kernel, index, value.byteSize(), value), String.format(Locale.ROOT, "%s (argument %d, %d bytes)",
                name, index, value.byteSize()));
    }

    /**
     * Calls {@code clEnqueueNDRangeKernel}.
     *
     * @param queue the queue
     * @param kernel the kernel, its arguments set
     * @param global the global work size per dimension
     * @param local the work-group size per dimension, or null to let the implementation choose
     * @param name the kernel, for messages
     * @return the command's event, to be released by the caller
     */
    public MemorySegment enqueueKernel(MemorySegment queue, MemorySegment kernel, long[] global, long[] local, String name) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment event = arena.allocate(ADDRESS);
            MemorySegment localSizes = local == null ? MemorySegment.NULL : arena.allocateFrom(JAVA_LONG, local);
            check("clEnqueueNDRangeKernel", (int) invoke(MH$clEnqueueNDRangeKernel, queue, kernel, global.length, MemorySegment.NULL,
                    arena.allocateFrom(JAVA_LONG, global), localSizes, 0, MemorySegment.NULL, event), String.format(Locale.ROOT, "%s, global %s, local %s",
                    name, java.util.Arrays.toString(global), local == null ? "chosen by the driver" : java.util.Arrays.toString(local)));
            return event.get(ADDRESS, 0);
        }
    }

    // ---------------------------------------------------------------- events

    /**
     * Calls {@code clWaitForEvents}; when a command failed, reports which one with its execution status.
     *
     * @param events the events
     * @param names what each event's command was, for messages
     */
    public void waitForEvents(List<MemorySegment> events, List<String> names) {
        if (events.isEmpty()) {
            return;
        }
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment list = arena.allocate(ADDRESS, events.size());
            for (int i = 0; i < events.size(); i++) {
                list.setAtIndex(ADDRESS, i, events.get(i));
            }
            int status = (int) invoke(MH$clWaitForEvents, events.size(), list);
            if (status == ClError.CL_EXEC_STATUS_ERROR_FOR_EVENTS_IN_WAIT_LIST) {
                for (int i = 0; i < events.size(); i++) {
                    int execution = executionStatus(events.get(i));
                    if (execution < 0) {
                        throw new OpenClException("clWaitForEvents", status, String.format(Locale.ROOT, "%s terminated with %s (%d)", names.get(i),
                                ClError.name(execution), execution));
                    }
                }
            }
            check("clWaitForEvents", status, events.size() + " event(s)");
        }
    }

    private int executionStatus(MemorySegment event) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment value = arena.allocate(JAVA_INT);
            check("clGetEventInfo", (int) invoke(MH$clGetEventInfo, event, CL_EVENT_COMMAND_EXECUTION_STATUS, JAVA_INT.byteSize(), value, MemorySegment.NULL),
                    "CL_EVENT_COMMAND_EXECUTION_STATUS");
            return value.get(JAVA_INT, 0);
        }
    }

    /**
     * Calls {@code clReleaseEvent}.
     *
     * @param event the event
     */
    public void releaseEvent(MemorySegment event) {
        check("clReleaseEvent", (int) invoke(MH$clReleaseEvent, event), "");
    }

    // ---------------------------------------------------------------- helpers

    private String queryString(String function, MethodHandle handle, MemorySegment object, int parameter) {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment size = arena.allocate(JAVA_LONG);
            String what = "parameter 0x" + Integer.toHexString(parameter);
            check(function, (int) invoke(handle, object, parameter, 0L, MemorySegment.NULL, size), what);
            long n = size.get(JAVA_LONG, 0);
            MemorySegment value = arena.allocate(Math.max(n, 1));
            check(function, (int) invoke(handle, object, parameter, n, value, MemorySegment.NULL), what);
            return value.getString(0, StandardCharsets.UTF_8).strip();
        }
    }

    private static List<MemorySegment> handles(MemorySegment array, int count) {
        List<MemorySegment> list = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            list.add(array.getAtIndex(ADDRESS, i));
        }
        return List.copyOf(list);
    }

    private static void check(String function, int status, String detail) {
        if (status != ClError.CL_SUCCESS) {
            throw new OpenClException(function, status, detail);
        }
    }

    private static Object invoke(MethodHandle handle, Object... arguments) {
        try {
            return handle.invokeWithArguments(arguments);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("an OpenCL downcall threw a checked exception", t);
        }
    }
}
