package com.example.opencl;

import com.example.opencl.internal.ffi.NativeOpenCl;
import dev.crossbar.api.Device;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The platform the backend runs on: the first OpenCL platform with at least one device, and those of its devices that
 * have the extensions the generated kernels need.
 *
 * @param name the platform's name
 * @param devices the usable {@code cl_device_id}s, device {@code opencl:i} being the i-th
 * @param versions platform, device and driver versions, for the probe's report
 */
record OpenClPlatform(String name, List<MemorySegment> devices, Map<String, String> versions) {
    /** What the OpenCL C dialect of the shared generator uses beyond OpenCL C 1.2's core. */
    static final List<String> REQUIRED_EXTENSIONS = List.of("cl_khr_fp64", "cl_khr_int64_base_atomics");

    /** What {@link #find} found: a platform, or the reason there is none, with the versions seen on the way. */
    record Search(OpenClPlatform platform, String reason, Map<String, String> versions) {
    }

    OpenClPlatform {
        devices = List.copyOf(devices);
        versions = new TreeMap<>(versions);
    }

    /** The Crossbar devices, {@code opencl:0} to {@code opencl:N-1}. */
    List<Device> crossbarDevices() {
        List<Device> list = new ArrayList<>();
        for (int i = 0; i < devices.size(); i++) {
            list.add(new Device(OpenClBackendProvider.NAME, i));
        }
        return List.copyOf(list);
    }

    /**
     * Looks through the platforms for the first with usable devices.
     *
     * @param cl the bound API
     * @return the platform, or why there is none
     */
    static Search find(NativeOpenCl cl) {
        Map<String, String> versions = new TreeMap<>();
        List<MemorySegment> platforms = cl.platforms();
        if (platforms.isEmpty()) {
            return new Search(null, "clGetPlatformIDs found no OpenCL platform (no ICD in /etc/OpenCL/vendors); install one, such as Debian's pocl-opencl-icd",
                    versions);
        }
        List<String> rejected = new ArrayList<>();
        for (int p = 0; p < platforms.size(); p++) {
            MemorySegment platform = platforms.get(p);
            String platformName = cl.platformString(platform, NativeOpenCl.CL_PLATFORM_NAME);
            versions.put("platform " + p, platformName);
            List<MemorySegment> usable = new ArrayList<>();
            Map<String, String> deviceVersions = new TreeMap<>();
            for (MemorySegment device : cl.devices(platform)) {
                String deviceName = cl.deviceString(device, NativeOpenCl.CL_DEVICE_NAME);
                List<String> extensions = List.of(cl.deviceString(device, NativeOpenCl.CL_DEVICE_EXTENSIONS).split("\\s+"));
                List<String> missing = REQUIRED_EXTENSIONS.stream().filter(e -> !extensions.contains(e)).toList();
                if (!missing.isEmpty()) {
                    rejected.add(String.format(Locale.ROOT, "%s on %s lacks %s", deviceName, platformName, missing));
                    continue;
                }
                deviceVersions.put("opencl:" + usable.size(), String.format(Locale.ROOT, "%s (%s; driver %s)", deviceName,
                        cl.deviceString(device, NativeOpenCl.CL_DEVICE_OPENCL_C_VERSION), cl.deviceString(device, NativeOpenCl.CL_DRIVER_VERSION)));
                usable.add(device);
            }
            if (!usable.isEmpty()) {
                versions.putAll(deviceVersions);
                return new Search(new OpenClPlatform(platformName, usable, versions), "", versions);
            }
            if (rejected.isEmpty()) {
                rejected.add(platformName + " has no devices");
            }
        }
        return new Search(null, "no OpenCL device can run the generated kernels: " + String.join("; ", rejected), versions);
    }
}
