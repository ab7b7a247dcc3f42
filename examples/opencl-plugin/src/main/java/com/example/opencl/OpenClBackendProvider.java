package com.example.opencl;

import com.example.opencl.internal.ffi.NativeOpenCl;
import com.example.opencl.internal.ffi.OpenClException;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.ExecutionMode;
import dev.crossbar.spi.Verification;
import dev.crossbar.spi.ffi.LibraryUnavailableException;
import java.util.Map;

/**
 * Provides the {@value #NAME} backend: any OpenCL 1.2 device with double precision and 64-bit atomics, through the ICD
 * loader {@code libOpenCL.so.1}. Written against Crossbar's public SPI only, as a third-party plugin would be.
 *
 * <p>Its priority is below the cpu backend's, so it runs only when named ({@code crossbar.backend=opencl}): the
 * device it is verified on, PoCL, is itself the CPU, where the cpu backend is far faster.
 */
public final class OpenClBackendProvider implements BackendProvider {
    /** The backend's name. */
    public static final String NAME = "opencl";

    /** Creates the provider; does no work, as {@link java.util.ServiceLoader} requires. */
    public OpenClBackendProvider() {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int spiVersion() {
        return SPI_VERSION;
    }

    @Override
    public int priority() {
        return -10;
    }

    @Override
    public Availability probe(BackendContext context) {
        try {
            OpenClPlatform.Search search = OpenClPlatform.find(NativeOpenCl.load());
            if (search.platform() == null) {
                return Availability.unavailable(search.reason(), search.versions());
            }
            return Availability.available(search.platform().crossbarDevices(), search.versions());
        } catch (LibraryUnavailableException | OpenClException e) {
            return Availability.unavailable(e.getMessage(), Map.of());
        }
    }

    @Override
    public Capabilities capabilities() {
        return Capabilities.declaredBy(ExecutionMode.EAGER, OpenClKernels.CLASSES);
    }

    /** Every declared cell passes the conformance kit on PoCL in this plugin's build (OpenClConformanceTest). */
    @Override
    public Verification verification() {
        return Verification.ofCells("conformance kit on PoCL (OpenCL 1.2, CPU device), every build");
    }

    @Override
    public Backend create(BackendContext context) {
        NativeOpenCl cl = NativeOpenCl.load();
        OpenClPlatform.Search search = OpenClPlatform.find(cl);
        if (search.platform() == null) {
            throw new IllegalStateException("The opencl backend cannot be created: " + search.reason());
        }
        return new OpenClBackend(cl, search.platform());
    }
}
