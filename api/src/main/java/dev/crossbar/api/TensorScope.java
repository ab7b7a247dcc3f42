package dev.crossbar.api;

import dev.crossbar.api.distributed.DeviceMesh;
import dev.crossbar.spi.Backend;
import dev.crossbar.spi.DeviceBuffer;
import dev.crossbar.spi.Op;
import dev.crossbar.spi.kernel.FillKernel;
import dev.crossbar.spi.kernel.IotaKernel;
import dev.crossbar.spi.kernel.RngKernel;
import java.lang.foreign.MemorySegment;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * Owns tensors and frees them when closed, like DJL's {@code NDManager}. Scopes nest: a child is closed with its
 * parent, and the innermost open scope of the current thread owns the results of ops run on that thread (with no
 * open scope on the thread, a result belongs to the scope of its first input). A tensor that must outlive a scope is
 * moved to the parent with {@link #keep(Tensor)}.
 *
 * <pre>{@code
 * try (TensorScope step = root.child()) {
 *     Tensor loss = model.forward(x).sum();
 *     result = step.keep(loss);   // survives the step
 * }                               // every other intermediate is freed here
 * }</pre>
 *
 * <p>A scope also names the device its creation methods allocate on. Scopes are created by the runtime
 * ({@code Crossbar.open().newScope()}) or by {@link #child()}.
 */
public final class TensorScope implements AutoCloseable {
    private static final ThreadLocal<Deque<TensorScope>> OPEN = ThreadLocal.withInitial(ArrayDeque::new);

    private final Backend backend;
    private final Device device;
    private final TensorScope parent;
    /** The tensors this scope owns, as a list linked through the tensors themselves: no hashing per op. */
    private Tensor newest;
    private int ownedCount;
    private final List<TensorScope> children = new ArrayList<>();
    private final Thread owner;
    private boolean closed;

    private TensorScope(Backend backend, Device device, TensorScope parent) {
        this.backend = Objects.requireNonNull(backend, "backend is null");
        this.device = Objects.requireNonNull(device, "device is null");
        this.parent = parent;
        this.owner = Thread.currentThread();
        if (!backend.devices().contains(device)) {
            throw new IllegalArgumentException(String.format(Locale.ROOT, "Device %s does not exist; backend '%s' has %s", device, backend.name(), backend.devices()));
        }
        OPEN.get().push(this);
    }

    /**
     * Opens a root scope on a device of a backend and makes it current on this thread. Runtimes call this; users get
     * scopes from the runtime.
     *
     * @param backend the backend
     * @param device one of the backend's devices
     * @return the scope
     */
    public static TensorScope root(Backend backend, Device device) {
        return new TensorScope(backend, device, null);
    }

    /**
     * Opens a nested scope on the same device and makes it current on this thread.
     *
     * @return the child scope
     */
    public TensorScope child() {
        return child(device);
    }

    /**
     * Opens a nested scope that allocates on another device of the same backend and makes it current on this thread.
     *
     * @param device the device for creation methods
     * @return the child scope
     */
    public TensorScope child(Device device) {
        checkOpen();
        TensorScope child = new TensorScope(backend, device, this);
        synchronized (this) {
            children.add(child);
        }
        return child;
    }

    /**
     * Returns the innermost open scope of the current thread.
     *
     * @return the scope, if one is open
     */
    public static Optional<TensorScope> current() {
        return Optional.ofNullable(OPEN.get().peek());
    }

    /**
     * Returns the device creation methods allocate on.
     *
     * @return the device
     */
    public Device device() {
        return device;
    }

    /**
     * Returns the devices of this scope's backend, index 0 first.
     *
     * @return the devices
     */
    public List<Device> devices() {
        return backend.devices();
    }

    /**
     * Asks this scope's backend whether its devices can shard parameters over a device mesh
     * ({@link Backend#checkShardingMesh}); FSDP calls it before it shards anything.
     *
     * @param mesh a 1-D (FSDP) or 2-D (HSDP: replicate, shard) mesh of global ranks
     * @throws CrossbarException naming the mesh, the devices and the fix, when the backend's devices cannot run it
     */
    public void checkShardingMesh(DeviceMesh mesh) {
        backend.checkShardingMesh(mesh);
    }

    /**
     * Returns the number of tensors this scope owns now (its children's not counted).
     *
     * @return the count
     */
    public synchronized int size() {
        return ownedCount;
    }

    /**
     * Tells whether the scope is closed.
     *
     * @return true after {@link #close()}
     */
    public synchronized boolean isClosed() {
        return closed;
    }

    // ---------------------------------------------------------------- creation

    /**
     * Creates a tensor filled with one value.
     *
     * @param shape the shape
     * @param value the value; integer types truncate toward zero, BOOL takes {@code value != 0}
     * @param dtype the element type
     * @return the tensor
     */
    public Tensor full(Shape shape, double value, DType dtype) {
        Tensor t = allocate(dtype, shape);
        kernelFor(Op.FULL, dtype, FillKernel.class).fill(t.view(), value);
        return t;
    }

    /**
     * Allocates a tensor without initializing its elements, as PyTorch's {@code torch.empty}: for a result that is
     * about to be overwritten completely, such as the receive buffer of a collective, where filling it first would
     * cost a pass over the memory.
     *
     * @param dtype the element type
     * @param shape the shape
     * @return the tensor, contiguous, with unspecified elements
     */
    public Tensor empty(DType dtype, Shape shape) {
        return allocate(dtype, shape);
    }

    /**
     * Creates a tensor of zeros.
     *
     * @param dtype the element type
     * @param dims the shape
     * @return the tensor
     */
    public Tensor zeros(DType dtype, int... dims) {
        return full(Shape.of(dims), 0, dtype);
    }

    /**
     * Creates a tensor of ones.
     *
     * @param dtype the element type
     * @param dims the shape
     * @return the tensor
     */
    public Tensor ones(DType dtype, int... dims) {
        return full(Shape.of(dims), 1, dtype);
    }

    /**
     * Creates a rank-0 tensor.
     *
     * @param value the value
     * @param dtype the element type
     * @return the scalar tensor
     */
    public Tensor scalar(double value, DType dtype) {
        return full(Shape.scalar(), value, dtype);
    }

    /**
     * Creates a tensor whose elements are their index along one axis.
     *
     * @param shape the shape
     * @param axis the axis, negative counting from the end
     * @param dtype a numeric element type
     * @return the tensor
     */
    public Tensor iota(Shape shape, int axis, DType dtype) {
        int a = shape.normalizeAxis(axis, Op.IOTA.opName());
        Tensor t = allocate(dtype, shape);
        kernelFor(Op.IOTA, dtype, IotaKernel.class).iota(t.view(), a);
        return t;
    }

    /**
     * Creates {@code [0, 1, ..., n - 1]}.
     *
     * @param n the length
     * @param dtype a numeric element type
     * @return the rank-1 tensor
     */
    public Tensor arange(int n, DType dtype) {
        return iota(Shape.of(n), 0, dtype);
    }

    /**
     * Draws uniform numbers in [low, high) with Philox4x32-10; the same seed and offset give the same numbers on
     * every backend (see {@link dev.crossbar.spi.Philox} for the exact mapping).
     *
     * @param shape the shape
     * @param dtype a floating element type
     * @param seed the key
     * @param offset the first counter block; advance it by {@code ceil(size / 4)} for the next draw
     * @param low the lower bound
     * @param high the upper bound
     * @return the tensor
     */
    public Tensor randUniform(Shape shape, DType dtype, long seed, long offset, double low, double high) {
        return random(Op.RNG_UNIFORM, shape, dtype, seed, offset, low, high);
    }

    /**
     * Draws normal numbers with Philox4x32-10 and the Box-Muller transform; the same seed and offset give the same
     * numbers on every backend.
     *
     * @param shape the shape
     * @param dtype a floating element type
     * @param seed the key
     * @param offset the first counter block; advance it by {@code ceil(size / 4)} for the next draw
     * @param mean the mean
     * @param std the standard deviation
     * @return the tensor
     */
    public Tensor randNormal(Shape shape, DType dtype, long seed, long offset, double mean, double std) {
        return random(Op.RNG_NORMAL, shape, dtype, seed, offset, mean, std);
    }

    private Tensor random(Op op, Shape shape, DType dtype, long seed, long offset, double a, double b) {
        Tensor t = allocate(dtype, shape);
        kernelFor(op, dtype, RngKernel.class).random(op, t.view(), seed, offset, a, b);
        return t;
    }

    /**
     * Copies a float array into a new F32 tensor.
     *
     * @param data the elements, row-major
     * @param dims the shape; its size must equal {@code data.length}
     * @return the tensor
     */
    public Tensor fromArray(float[] data, int... dims) {
        return fromHost(MemorySegment.ofArray(data), data.length, DType.F32, dims);
    }

    /**
     * Copies a double array into a new F64 tensor.
     *
     * @param data the elements, row-major
     * @param dims the shape; its size must equal {@code data.length}
     * @return the tensor
     */
    public Tensor fromArray(double[] data, int... dims) {
        return fromHost(MemorySegment.ofArray(data), data.length, DType.F64, dims);
    }

    /**
     * Copies an int array into a new I32 tensor.
     *
     * @param data the elements, row-major
     * @param dims the shape; its size must equal {@code data.length}
     * @return the tensor
     */
    public Tensor fromArray(int[] data, int... dims) {
        return fromHost(MemorySegment.ofArray(data), data.length, DType.I32, dims);
    }

    /**
     * Copies a long array into a new I64 tensor.
     *
     * @param data the elements, row-major
     * @param dims the shape; its size must equal {@code data.length}
     * @return the tensor
     */
    public Tensor fromArray(long[] data, int... dims) {
        return fromHost(MemorySegment.ofArray(data), data.length, DType.I64, dims);
    }

    /**
     * Copies a byte array into a new I8 tensor.
     *
     * @param data the elements, row-major
     * @param dims the shape; its size must equal {@code data.length}
     * @return the tensor
     */
    public Tensor fromArray(byte[] data, int... dims) {
        return fromHost(MemorySegment.ofArray(data), data.length, DType.I8, dims);
    }

    /**
     * Copies a boolean array into a new BOOL tensor.
     *
     * @param data the elements, row-major
     * @param dims the shape; its size must equal {@code data.length}
     * @return the tensor
     */
    public Tensor fromArray(boolean[] data, int... dims) {
        byte[] bytes = new byte[data.length];
        for (int i = 0; i < data.length; i++) {
            bytes[i] = (byte) (data[i] ? 1 : 0);
        }
        return fromHost(MemorySegment.ofArray(bytes), data.length, DType.BOOL, dims);
    }

    private Tensor fromHost(MemorySegment data, long length, DType dtype, int[] dims) {
        Shape shape = Shape.of(dims);
        if (shape.size() != length) {
            throw new ShapeMismatchException("fromArray", shape,
                    String.format(Locale.ROOT, "it holds %d elements but the array has %d; pass dims whose product is %d", shape.size(), length, length));
        }
        Tensor t = allocate(dtype, shape);
        backend.copyFromHost(data, t.storage().buffer(), 0);
        return t;
    }

    /**
     * Makes a tensor of host memory in native byte order, without copying when the device addresses host memory (the
     * cpu backend) and by copying otherwise. Without a copy the tensor aliases the segment: writes to either are seen
     * by both, and the caller keeps the segment alive while the tensor is open.
     *
     * @param segment the elements, row-major, exactly {@code shape.size() * dtype.byteSize()} bytes
     * @param dtype the element type
     * @param shape the shape
     * @return the tensor
     */
    public Tensor fromSegment(MemorySegment segment, DType dtype, Shape shape) {
        checkOpen();
        long expected = shape.size() * dtype.byteSize();
        if (segment.byteSize() != expected) {
            throw new ShapeMismatchException("fromSegment", shape, String.format(Locale.ROOT,
                    "%s%s needs %d bytes but the segment has %d", dtype, shape, expected, segment.byteSize()));
        }
        Optional<DeviceBuffer> wrapped = segment.isNative() ? backend.wrapHostMemory(device, segment) : Optional.empty();
        if (wrapped.isPresent()) {
            return adopt(new Storage(backend, wrapped.get()), dtype, shape);
        }
        Tensor t = allocate(dtype, shape);
        backend.copyFromHost(segment, t.storage().buffer(), 0);
        return t;
    }

    // ---------------------------------------------------------------- ownership

    /**
     * Moves a tensor from this scope to its parent, so it outlives this scope.
     *
     * @param tensor a tensor this scope owns
     * @return the same tensor
     * @throws IllegalStateException if this is a root scope or the tensor belongs to another scope
     */
    public Tensor keep(Tensor tensor) {
        checkOpen();
        if (parent == null) {
            throw new IllegalStateException("keep: " + this + " is a root scope with no parent to move " + tensor + " to");
        }
        synchronized (this) {
            if (!unlist(tensor)) {
                throw new IllegalStateException("keep: " + tensor + " is not owned by " + this);
            }
        }
        parent.attach(tensor);
        Autograd.moveGraph(tensor, this, parent);
        return tensor;
    }

    /** Closes every child scope and every tensor this scope owns, and stops being current on this thread. */
    @Override
    public void close() {
        List<TensorScope> kids;
        List<Tensor> owned;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            kids = new ArrayList<>(children);
            owned = new ArrayList<>(ownedCount);
            for (Tensor t = newest; t != null; t = t.listNext) {
                owned.add(t);
            }
            while (newest != null) {
                unlist(newest);
            }
            children.clear();
        }
        for (TensorScope child : kids) {
            child.close();
        }
        for (Tensor t : owned) {
            t.closeOwned();
        }
        if (Thread.currentThread() == owner) {
            OPEN.get().remove(this);
        }
        if (parent != null) {
            synchronized (parent) {
                parent.children.remove(this);
            }
        }
    }

    @Override
    public String toString() {
        return "TensorScope[" + device + (parent == null ? ", root" : "") + "]";
    }

    // ---------------------------------------------------------------- internals used by Tensor

    Backend backend() {
        return backend;
    }

    <K extends dev.crossbar.spi.kernel.OpKernel> K kernelFor(Op op, DType dtype, Class<K> type) {
        if (!op.admitted().contains(dtype)) {
            throw new DTypeNotAdmittedException(op.opName(), dtype, op.admitted());
        }
        return backend.kernels().get(op, dtype, type);
    }

    Tensor allocate(DType dtype, Shape shape) {
        return allocateOn(device, dtype, shape);
    }

    Tensor allocateOn(Device target, DType dtype, Shape shape) {
        checkOpen();
        DeviceBuffer buffer = backend.allocate(target, shape.size() * dtype.byteSize());
        return adopt(new Storage(backend, buffer), dtype, shape);
    }

    private Tensor adopt(Storage storage, DType dtype, Shape shape) {
        Tensor t = new Tensor(storage, dtype, shape, shape.contiguousStrides(), 0, this);
        attach(t);
        return t;
    }

    synchronized void attach(Tensor t) {
        checkOpen();
        if (t.listedIn != this) {
            t.listedIn = this;
            t.listPrevious = null;
            t.listNext = newest;
            if (newest != null) {
                newest.listPrevious = t;
            }
            newest = t;
            ownedCount++;
        }
        t.owner(this);
    }

    /** Removes a tensor from this scope's list; false when it is not there. Called holding this scope's lock. */
    private boolean unlist(Tensor t) {
        if (t.listedIn != this) {
            return false;
        }
        if (t.listPrevious != null) {
            t.listPrevious.listNext = t.listNext;
        } else {
            newest = t.listNext;
        }
        if (t.listNext != null) {
            t.listNext.listPrevious = t.listPrevious;
        }
        t.listedIn = null;
        t.listPrevious = null;
        t.listNext = null;
        ownedCount--;
        return true;
    }

    /**
     * Moves a tensor from whichever scope owns it into this one, for state that must live as long as this scope (an
     * optimizer's moments, a module's parameters). Tensors its recorded graph keeps for backward move along with it
     * from the scope it leaves.
     *
     * @param t the tensor
     * @return the same tensor
     */
    public Tensor adopt(Tensor t) {
        t.checkOpen();
        TensorScope previous = t.scope();
        if (previous != this) {
            previous.detach(t);
            attach(t);
            Autograd.moveGraph(t, previous, this);
        }
        return t;
    }

    synchronized void detach(Tensor t) {
        unlist(t);
    }

    /**
     * Opens a child of the scope that would own a result computed from {@code t} (the current scope of this thread),
     * on {@code t}'s device: a function computes its intermediates there and {@link #keep}s only its result.
     *
     * @param t a tensor the function computes from
     * @return the child scope, current on this thread until closed
     */
    public static TensorScope localFor(Tensor t) {
        return forResult(t.scope()).child(t.device());
    }

    /** The scope that owns the result of an op whose first input belongs to {@code inputScope}. */
    static TensorScope forResult(TensorScope inputScope) {
        TensorScope current = OPEN.get().peek();
        return current != null && current.backend == inputScope.backend ? current : inputScope;
    }

    private synchronized void checkOpen() {
        if (closed) {
            throw new AlreadyClosedException(this);
        }
    }
}
