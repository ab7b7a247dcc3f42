package dev.crossbar.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.crossbar.api.AlreadyClosedException;
import dev.crossbar.api.DType;
import dev.crossbar.api.DTypeNotAdmittedException;
import dev.crossbar.api.Device;
import dev.crossbar.api.DeviceMismatchException;
import dev.crossbar.api.InvalidAxisException;
import dev.crossbar.api.Shape;
import dev.crossbar.api.ShapeMismatchException;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.UnsupportedOpException;
import dev.crossbar.spi.Availability;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.BackendContext;
import dev.crossbar.spi.BackendProvider;
import dev.crossbar.spi.Capabilities;
import dev.crossbar.spi.Cell;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.OpSet;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestInstance;
import org.opentest4j.TestAbortedException;

/**
 * The op conformance suite: every (op, dtype) cell of {@link OpSet#V1} run through the public {@link Tensor} API and
 * compared with {@link ReferenceOps}, a double-precision evaluation in plain Java, within the {@link Tolerance} of
 * each type; plus the API's edge cases (empty tensors, broadcasting, large reductions, typed errors, scopes, host
 * memory sharing).
 *
 * <p>A backend's test folder extends it and names its provider:
 *
 * <pre>{@code
 * class CpuConformanceTest extends OpConformanceSuite {
 *     @Override
 *     protected BackendProvider provider() {
 *         return new CpuBackendProvider();
 *     }
 * }
 * }</pre>
 *
 * <p>Each cell is one dynamic test named like {@code "add/f32"}. A cell the backend declares passes or fails; a cell
 * the op admits but the backend does not declare is aborted as {@code UNSUPPORTED (not declared)} after checking
 * that running it throws {@link UnsupportedOpException} naming the backend, op and dtype. When the provider's probe
 * reports the backend unavailable, every test is aborted with the probe's reason. The outcome of every cell is
 * written to {@code target/conformance/<backend>.tsv} (see {@link ConformanceReport}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class OpConformanceSuite {
    /** Elements of the large sum: more than 4M (2^22), so naive F32 accumulation would drift visibly. */
    private static final int[] LARGE_SUM_SHAPE = {2, 2048, 1025};

    private BackendProvider provider;
    private ConformanceReport report;
    private Backend backend;
    private TensorScope root;
    private TensorIo io;

    /**
     * Returns the provider of the backend under test.
     *
     * @return a new provider instance
     */
    protected abstract BackendProvider provider();

    /**
     * Returns the configuration the backend is probed and created with; override to set properties such as
     * {@code crossbar.cpu.devices}.
     *
     * @return the context, empty by default
     */
    protected BackendContext context() {
        return new BackendContext(Map.of());
    }

    /**
     * Returns where the results file is written.
     *
     * @return the directory, {@code target/conformance} by default
     */
    protected Path resultsDirectory() {
        return Path.of("target", "conformance");
    }

    /** Probes the backend and creates it, or records every cell as unavailable and aborts the suite. */
    @BeforeAll
    public final void createBackend() {
        provider = provider();
        report = new ConformanceReport(provider.name());
        Availability availability = provider.probe(context());
        if (!availability.available()) {
            for (Cell cell : admittedCells()) {
                report.record(cell, CellResult.UNAVAILABLE, availability.reason());
            }
            report.writeTo(resultsDirectory());
            throw new TestAbortedException("UNAVAILABLE: backend '" + provider.name() + "' cannot run here: " + availability.reason());
        }
        backend = provider.create(context());
        root = TensorScope.root(backend, backend.devices().getFirst());
        try (DeviceBuffer probe = backend.allocate(root.device(), 8)) {
            io = new TensorIo(probe.hostSegment().isPresent());
        }
    }

    /** Writes the results file and closes the backend. */
    @AfterAll
    public final void closeBackend() {
        if (report != null) {
            report.writeTo(resultsDirectory());
        }
        if (root != null) {
            root.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    // ---------------------------------------------------------------- the cells

    /**
     * Generates one test per cell that the op admits, named like {@code "add/f32"}.
     *
     * @return the tests, in op and dtype order
     */
    @TestFactory
    public final Stream<DynamicTest> everyCellOfOpSetV1() {
        return admittedCells().stream().map(cell -> DynamicTest.dynamicTest(cell.toString(), () -> runCell(cell)));
    }

    private static List<Cell> admittedCells() {
        return OpSet.V1.ops().stream().flatMap(op -> Arrays.stream(DType.values()).filter(op.admitted()::contains).map(d -> new Cell(op, d))).toList();
    }

    private void runCell(Cell cell) {
        OpChecks.CellCheck check = OpChecks.forOp(cell.op());
        if (!provider.capabilities().supports(cell.op(), cell.dtype())) {
            runUndeclared(cell, check);
            return;
        }
        try (TensorScope scope = root.child()) {
            check.run(new CellContext(scope, io, provider.capabilities(), cell.toString()), cell.dtype());
            report.record(cell, CellResult.PASS, "");
        } catch (UnsupportedOpException e) {
            if (e.op() == cell.op() && e.dtype() == cell.dtype()) {
                report.record(cell, CellResult.FAIL, "declared but threw " + e.getMessage());
                throw new AssertionError(cell + " is declared by backend '" + provider.name() + "' but running it threw: " + e.getMessage(), e);
            }
            Cell missing = new Cell(e.op(), e.dtype());
            report.record(cell, CellResult.UNVERIFIED, "needs " + missing);
            throw new TestAbortedException(String.format(Locale.ROOT, "UNVERIFIED: checking %s needs %s, which backend '%s' does not declare", cell, missing, provider.name()));
        } catch (TestAbortedException e) {
            report.record(cell, CellResult.UNVERIFIED, e.getMessage());
            throw e;
        } catch (AssertionError | RuntimeException e) {
            report.record(cell, CellResult.FAIL, String.valueOf(e.getMessage()));
            throw e instanceof AssertionError a ? a : new AssertionError(cell + " threw " + e, e);
        }
    }

    /** An undeclared cell must refuse to run with an UnsupportedOpException that names it. */
    private void runUndeclared(Cell cell, OpChecks.CellCheck check) {
        try (TensorScope scope = root.child()) {
            UnsupportedOpException e = assertThrows(UnsupportedOpException.class, () -> check.run(new CellContext(scope, io, provider.capabilities(), cell.toString()), cell.dtype()),
                    () -> String.format(Locale.ROOT, "Backend '%s' does not declare %s, so running it must throw UnsupportedOpException", provider.name(), cell));
            if (e.op() == cell.op() && e.dtype() == cell.dtype()) {
                assertEquals(provider.name(), e.backend(), "UnsupportedOpException.backend()");
                String message = e.getMessage();
                assertTrue(message.contains(provider.name()) && message.contains(cell.op().opName()) && message.contains(cell.dtype().toString()),
                        () -> "The UnsupportedOpException for " + cell + " must name the backend, op and dtype, got: " + message);
            }
        } catch (AssertionError e) {
            report.record(cell, CellResult.FAIL, "undeclared, and " + e.getMessage());
            throw e;
        }
        report.record(cell, CellResult.UNSUPPORTED, "not declared");
        throw new TestAbortedException("UNSUPPORTED (not declared): backend '" + provider.name() + "' declares no kernel for " + cell);
    }

    // ---------------------------------------------------------------- edge cases

    /** The provider's declared cells are the cells the created backend's kernels serve. */
    @Test
    public void providerCapabilitiesAreThoseOfTheKernelSet() {
        Capabilities declared = provider.capabilities();
        Capabilities served = backend.kernels().capabilities();
        assertEquals(declared.cells(), served.cells(), "provider.capabilities() must list exactly the cells of backend.kernels()");
    }

    /** A 0-sized dimension flows through unary, binary, reduce_sum, concat and matmul; an empty k gives zeros. */
    @Test
    public void emptyTensorsFlowThroughEveryKindOfOp() {
        requireDeclared(DType.F32, Op.NEG, Op.ADD, Op.REDUCE_SUM, Op.CONCAT, Op.DOT_GENERAL);
        try (TensorScope scope = root.child()) {
            CellContext c = context(scope, "empty tensors");
            Tensor empty = c.put(HostArray.of(new double[0], 0, 3), DType.F32);
            assertEquals(Shape.of(0, 3), empty.neg().shape(), "neg of [0, 3]");
            assertEquals(Shape.of(0, 3), empty.add(c.put(c.random(DType.F32, 1, 3), DType.F32)).shape(), "[0, 3] + [1, 3]");
            assertEquals(Shape.of(0, 3), empty.add(2.0).shape(), "[0, 3] + scalar");
            c.assertMatches("sum of [0, 3] over axis 0", Expected.elementwise(HostArray.of(new double[3], 3)), empty.sum(new int[] {0}, false), Tolerance.EXACT);
            HostArray rows = c.random(DType.F32, 2, 3);
            c.assertMatches("concat of [0, 3] and [2, 3]", Expected.elementwise(rows), Tensor.concat(0, empty, c.put(rows, DType.F32)), Tolerance.EXACT);
            Tensor left = c.put(HostArray.of(new double[0], 2, 0), DType.F32);
            Tensor right = c.put(HostArray.of(new double[0], 0, 3), DType.F32);
            c.assertMatches("[2, 0] @ [0, 3]", Expected.elementwise(HostArray.of(new double[6], 2, 3)), left.matmul(right), Tolerance.EXACT);
        }
    }

    /** Size-1 dimensions and scalars broadcast with numpy's rules, and Java scalars follow the weak-type rule. */
    @Test
    public void sizeOneDimensionsAndScalarsBroadcast() {
        requireDeclared(DType.F32, Op.ADD, Op.MUL);
        requireDeclared(DType.I32, Op.ADD, Op.FULL);
        try (TensorScope scope = root.child()) {
            CellContext c = context(scope, "broadcasting");
            HostArray column = c.random(DType.F32, 3, 1);
            HostArray row = c.random(DType.F32, 1, 4);
            c.assertMatches("[3, 1] + [1, 4]", Expected.elementwise(ReferenceOps.binary(Op.ADD, DType.F32, column, row)),
                    c.put(column, DType.F32).add(c.put(row, DType.F32)), Tolerance.of(DType.F32));
            HostArray scalar = HostArray.of(new double[] {1.5});
            HostArray matrix = c.random(DType.F32, 2, 3);
            c.assertMatches("scalar tensor * [2, 3]", Expected.elementwise(ReferenceOps.binary(Op.MUL, DType.F32, scalar, matrix)),
                    c.put(scalar, DType.F32).mul(c.put(matrix, DType.F32)), Tolerance.of(DType.F32));
            c.assertMatches("[2, 3] + 0.25", Expected.elementwise(ReferenceOps.binary(Op.ADD, DType.F32, matrix, HostArray.of(new double[] {0.25}))),
                    c.put(matrix, DType.F32).add(0.25), Tolerance.of(DType.F32));
            Tensor integers = c.put(HostArray.of(new double[] {1, 2, 3}, 3), DType.I32);
            assertEquals(DType.I32, integers.add(2L).dtype(), "I32 + integer scalar stays I32");
            requireDeclared(DType.F32, Op.FULL);
            assertEquals(DType.F32, integers.add(0.5).dtype(), "I32 + floating scalar gives F32");
        }
    }

    /** A sum over more than 4M F32 elements, whole and over several axes, stays within the length-scaled tolerance. */
    @Test
    public void sumOfMoreThanFourMillionF32ElementsIsAccurate() {
        requireDeclared(DType.F32, Op.REDUCE_SUM);
        try (TensorScope scope = root.child()) {
            CellContext c = context(scope, "reduce_sum/f32 of " + Shape.of(LARGE_SUM_SHAPE));
            HostArray x = new HostArray(Shape.of(LARGE_SUM_SHAPE), new SplittableRandom(42).doubles(Shape.of(LARGE_SUM_SHAPE).size(), 0, 1)
                    .map(v -> (float) v).toArray());
            Tensor t = c.put(x, DType.F32);
            long n = x.shape().size();
            assertTrue(n >= 4_194_304, "the large sum has at least 4M elements");
            c.assertMatches("over all axes", ReferenceOps.reduce(Op.REDUCE_SUM, DType.F32, x, new int[0], false), t.sum(), Tolerance.of(DType.F32).forReductionOf(n));
            c.assertMatches("over axes [0, 2]", ReferenceOps.reduce(Op.REDUCE_SUM, DType.F32, x, new int[] {0, 2}, false), t.sum(0, 2),
                    Tolerance.of(DType.F32).forReductionOf(2 * 1025));
        }
    }

    /** Incompatible shapes throw ShapeMismatchException naming the op and both shapes. */
    @Test
    public void shapeMismatchNamesTheOpAndBothShapes() {
        requireDeclared(DType.F32, Op.ADD);
        try (TensorScope scope = root.child()) {
            Tensor a = scope.zeros(DType.F32, 2, 3);
            Tensor b = scope.zeros(DType.F32, 4, 5);
            ShapeMismatchException e = assertThrows(ShapeMismatchException.class, () -> a.add(b));
            assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4, 5]"),
                    () -> "The message must name add, [2, 3] and [4, 5], got: " + e.getMessage());
            ShapeMismatchException m = assertThrows(ShapeMismatchException.class, () -> a.matmul(b));
            assertTrue(m.getMessage().contains("[2, 3]") && m.getMessage().contains("[4, 5]"), () -> "The matmul message must name both shapes, got: " + m.getMessage());
        }
    }

    /** Axes outside {@code [-rank, rank)} or repeated throw InvalidAxisException. */
    @Test
    public void invalidAxesAreRejected() {
        requireDeclared(DType.F32, Op.REDUCE_SUM, Op.PERMUTE, Op.ARGMAX);
        try (TensorScope scope = root.child()) {
            Tensor t = scope.zeros(DType.F32, 2, 3);
            InvalidAxisException e = assertThrows(InvalidAxisException.class, () -> t.sum(new int[] {2}, false));
            assertTrue(e.getMessage().contains("2") && e.getMessage().contains("[2, 3]"), () -> "The message must name the axis and shape, got: " + e.getMessage());
            assertThrows(InvalidAxisException.class, () -> t.sum(new int[] {-3}, false));
            assertThrows(InvalidAxisException.class, () -> t.sum(new int[] {1, -1}, false), "a repeated axis");
            assertThrows(InvalidAxisException.class, () -> t.permute(0, 0), "a permutation repeating an axis");
            assertThrows(InvalidAxisException.class, () -> t.argmax(5, false));
        }
    }

    /** An op given a type it does not admit throws DTypeNotAdmittedException naming the op and type. */
    @Test
    public void opsRejectTypesTheyDoNotAdmit() {
        try (TensorScope scope = root.child()) {
            Tensor integers = context(scope, "exp on I32").put(HostArray.of(new double[] {1, 2}, 2), DType.I32);
            DTypeNotAdmittedException e = assertThrows(DTypeNotAdmittedException.class, integers::exp);
            assertTrue(e.getMessage().contains("exp") && e.getMessage().contains("I32"), () -> "The message must name exp and I32, got: " + e.getMessage());
        }
    }

    /** Tensors on two devices cannot meet in one op; needs a backend with two or more devices. */
    @Test
    public void tensorsOnDifferentDevicesAreRejected() {
        List<Device> devices = backend.devices();
        assumeTrue(devices.size() >= 2, () -> "Backend '" + provider.name() + "' has one device (" + devices
                + "); give it two in context() (the cpu backend takes crossbar.cpu.devices=2) to check device mismatches");
        requireDeclared(DType.F32, Op.FULL, Op.ADD);
        try (TensorScope first = root.child(); TensorScope second = first.child(devices.get(1))) {
            Tensor a = first.zeros(DType.F32, 2);
            Tensor b = second.zeros(DType.F32, 2);
            assertEquals(devices.get(1), b.device(), "a scope on device 1 allocates there");
            DeviceMismatchException e = assertThrows(DeviceMismatchException.class, () -> a.add(b));
            assertTrue(e.getMessage().contains(devices.get(0).toString()) && e.getMessage().contains(devices.get(1).toString()),
                    () -> "The message must name both devices, got: " + e.getMessage());
        }
    }

    /** Using a tensor after closing it, or after closing its scope, throws AlreadyClosedException. */
    @Test
    public void closedTensorsCannotBeUsed() {
        requireDeclared(DType.F32, Op.FULL, Op.NEG);
        try (TensorScope scope = root.child()) {
            Tensor t = scope.zeros(DType.F32, 2);
            t.close();
            assertTrue(t.isClosed());
            assertClosed(t);
            TensorScope inner = scope.child();
            Tensor owned = inner.zeros(DType.F32, 2);
            inner.close();
            assertTrue(owned.isClosed(), "closing a scope closes its tensors");
            assertClosed(owned);
            assertThrows(AlreadyClosedException.class, () -> inner.zeros(DType.F32, 1), "a closed scope cannot create tensors");
        }
    }

    private static void assertClosed(Tensor t) {
        AlreadyClosedException e = assertThrows(AlreadyClosedException.class, t::neg);
        assertTrue(e.getMessage().startsWith("Already closed: Tensor["), () -> "The message must start with 'Already closed: Tensor[', got: " + e.getMessage());
    }

    /** A view keeps its memory alive after the tensor it was taken from closes. */
    @Test
    public void viewsKeepMemoryAliveAfterTheirSourceCloses() {
        requireDeclared(DType.F32, Op.SLICE, Op.PERMUTE, Op.COPY);
        try (TensorScope scope = root.child()) {
            CellContext c = context(scope, "views after close");
            HostArray x = c.random(DType.F32, 4, 6);
            Tensor source = c.put(x, DType.F32);
            Tensor slice = source.slice(1, 1, 6, 2);
            Tensor transposed = source.permute(1, 0);
            source.close();
            c.assertMatches("a slice of a closed tensor", Expected.elementwise(ReferenceOps.slice(x, 1, 1, 6, 2)), slice, Tolerance.EXACT);
            c.assertMatches("a permuted view of a closed tensor", Expected.elementwise(ReferenceOps.permute(x, 1, 0)), transposed, Tolerance.EXACT);
        }
    }

    /** Closing a scope closes its child scopes and their tensors. */
    @Test
    public void closingAScopeClosesItsChildren() {
        requireDeclared(DType.F32, Op.FULL);
        TensorScope parent = root.child();
        TensorScope child = parent.child();
        TensorScope grandchild = child.child();
        Tensor t = grandchild.zeros(DType.F32, 3);
        parent.close();
        assertTrue(child.isClosed() && grandchild.isClosed(), "closing a scope closes its descendants");
        assertTrue(t.isClosed(), "closing a scope closes its descendants' tensors");
    }

    /** {@link TensorScope#keep} moves a tensor to the parent scope, where it outlives the child. */
    @Test
    public void keepMovesATensorToTheParentScope() {
        requireDeclared(DType.F32, Op.FULL);
        TensorScope parent = root.child(); // closed by hand below; the root closes it too if an assertion fails first
        Tensor kept;
        try (TensorScope child = parent.child()) {
            kept = child.keep(child.full(Shape.of(2), 3, DType.F32));
            assertSame(parent, kept.scope(), "a kept tensor belongs to the parent");
        }
        assertFalse(kept.isClosed(), "a kept tensor survives the child scope");
        assertEquals(3.0f, kept.toFloatArray()[1]);
        parent.close();
        assertTrue(kept.isClosed(), "a kept tensor closes with the parent");
    }

    /** The result of an op belongs to the innermost open scope of the thread, not to its input's scope. */
    @Test
    public void resultsBelongToTheInnermostOpenScope() {
        requireDeclared(DType.F32, Op.FULL, Op.NEG);
        try (TensorScope outer = root.child()) {
            Tensor x = outer.zeros(DType.F32, 2);
            Tensor y;
            try (TensorScope inner = outer.child()) {
                y = x.neg();
                assertSame(inner, y.scope(), "the result belongs to the innermost open scope");
            }
            assertTrue(y.isClosed(), "the result closed with the inner scope");
            assertFalse(x.isClosed(), "the input still belongs to the outer scope");
        }
    }

    /** With host memory, a tensor made from a native segment and its exported segment share memory with no copy. */
    @Test
    public void hostSegmentsAreSharedWithoutCopies() {
        try (DeviceBuffer probe = backend.allocate(root.device(), 8)) {
            assumeTrue(probe.hostSegment().isPresent(), () -> "Backend '" + provider.name() + "' buffers are device memory (DeviceBuffer.hostSegment() is empty); nothing to share");
        }
        try (TensorScope scope = root.child(); Arena arena = Arena.ofConfined()) {
            MemorySegment memory = arena.allocate(ValueLayout.JAVA_FLOAT, 4);
            Tensor t = scope.fromSegment(memory, DType.F32, Shape.of(4));
            memory.setAtIndex(ValueLayout.JAVA_FLOAT, 2, 42f);
            assertEquals(42f, t.toFloatArray()[2], "a write through the imported segment is seen by the tensor");
            MemorySegment exported = t.asSegment();
            assertEquals(memory.address(), exported.address(), "the exported segment is the imported memory");
            exported.setAtIndex(ValueLayout.JAVA_FLOAT, 0, 7f);
            assertEquals(7f, memory.getAtIndex(ValueLayout.JAVA_FLOAT, 0), "a write through the exported segment reaches the imported memory");
            assertEquals(7f, t.toFloatArray()[0], "and the tensor");
            t.close();
        }
    }

    // ---------------------------------------------------------------- helpers

    private CellContext context(TensorScope scope, String subject) {
        return new CellContext(scope, io, provider.capabilities(), subject);
    }

    private void requireDeclared(DType dtype, Op... ops) {
        for (Op op : ops) {
            assumeTrue(provider.capabilities().supports(op, dtype),
                    () -> "Backend '" + provider.name() + "' does not declare " + new Cell(op, dtype) + ", which this check needs");
        }
    }
}
