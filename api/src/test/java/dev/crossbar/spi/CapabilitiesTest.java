package dev.crossbar.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.crossbar.api.DType;
import dev.crossbar.api.UnsupportedOpException;
import dev.crossbar.spi.kernel.OpKernel;
import dev.crossbar.spi.kernel.UnaryKernel;
import java.util.List;
import org.junit.jupiter.api.Test;

class CapabilitiesTest {

    @Kernel(op = Op.EXP, dtypes = {DType.F32, DType.F64})
    @Kernel(op = Op.NEG, dtypes = DType.I32)
    static final class UnaryFixture implements UnaryKernel {
        @Override
        public void apply(Op op, TensorView out, TensorView in) {
            throw new AssertionError("not called by these tests");
        }
    }

    @Kernel(op = Op.ADD, dtypes = DType.F32)
    static final class WrongInterface implements UnaryKernel {
        @Override
        public void apply(Op op, TensorView out, TensorView in) {
            throw new AssertionError("not called by these tests");
        }
    }

    @Kernel(op = Op.EXP, dtypes = DType.I32)
    static final class NotAdmitted implements UnaryKernel {
        @Override
        public void apply(Op op, TensorView out, TensorView in) {
            throw new AssertionError("not called by these tests");
        }
    }

    @Kernel(op = Op.EXP, dtypes = DType.F32)
    static final class Duplicate implements UnaryKernel {
        @Override
        public void apply(Op op, TensorView out, TensorView in) {
            throw new AssertionError("not called by these tests");
        }
    }

    @Test
    void cellsComeFromTheAnnotations() {
        Capabilities caps = Capabilities.declaredBy(ExecutionMode.EAGER, List.of(UnaryFixture.class));
        assertEquals(3, caps.cells().size());
        assertTrue(caps.supports(Op.EXP, DType.F64));
        assertTrue(caps.supports(Op.NEG, DType.I32));
        assertFalse(caps.supports(Op.NEG, DType.F32));
    }

    @Test
    void inconsistentDeclarationsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> Capabilities.declaredBy(ExecutionMode.EAGER, List.of(WrongInterface.class)));
        assertThrows(IllegalArgumentException.class, () -> Capabilities.declaredBy(ExecutionMode.EAGER, List.of(NotAdmitted.class)));
        List<Class<? extends OpKernel>> twice = List.of(UnaryFixture.class, Duplicate.class);
        assertThrows(IllegalArgumentException.class, () -> Capabilities.declaredBy(ExecutionMode.EAGER, twice));
    }

    @Test
    void kernelSetLookupAgreesWithCapabilities() {
        KernelSet kernels = KernelSet.of("fixture", ExecutionMode.EAGER, List.of(new UnaryFixture()));
        assertEquals(kernels.capabilities().cells(), Capabilities.declaredBy(ExecutionMode.EAGER, List.of(UnaryFixture.class)).cells());
        assertTrue(kernels.get(Op.EXP, DType.F32, UnaryKernel.class) instanceof UnaryFixture);
        UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> kernels.get(Op.SIN, DType.F32, UnaryKernel.class));
        assertTrue(e.getMessage().startsWith("Backend 'fixture' has no kernel for sin on F32"), e.getMessage());
    }
}
