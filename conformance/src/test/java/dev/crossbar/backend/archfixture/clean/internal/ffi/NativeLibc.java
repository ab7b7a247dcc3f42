package dev.crossbar.backend.archfixture.clean.internal.ffi;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;

/** Native linking where it belongs, in an internal.ffi package. */
final class NativeLibc {
    static final Linker LINKER = Linker.nativeLinker();
    static final FunctionDescriptor STRLEN = FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.ADDRESS);

    private NativeLibc() {
    }
}
