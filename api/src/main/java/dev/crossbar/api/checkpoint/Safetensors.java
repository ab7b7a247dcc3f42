package dev.crossbar.api.checkpoint;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.crossbar.api.CrossbarException;
import dev.crossbar.api.DType;
import dev.crossbar.api.Grad;
import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.TensorScope;
import dev.crossbar.api.checkpoint.CheckpointFormatException.Problem;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes safetensors files, the tensor format of Hugging Face and PyTorch.
 *
 * <p>A file is an 8-byte little-endian header length {@code N}, {@code N} bytes of UTF-8 JSON, then the data section.
 * The JSON maps each tensor name to {@code {"dtype", "shape", "data_offsets": [begin, end]}} (offsets relative to the
 * data section) and may hold a {@code "__metadata__"} map of strings. Elements are little-endian and row-major.
 * Writers pad the header with spaces to a multiple of 8 bytes, as the reference implementation does.
 *
 * <p>Reading is strict: every malformed file fails with a {@link CheckpointFormatException} naming the file, the
 * tensor and the {@link CheckpointFormatException.Problem}. In particular the tensors must cover the data section
 * exactly, without overlaps or holes, as the reference implementation requires.
 *
 * <p>Writing is atomic: a crash leaves either the previous file or the complete new one (see
 * {@link #write(Path, Map, Map)}). Files are little-endian; on a big-endian host both directions fail with
 * {@link CheckpointFormatException.Problem#BYTE_ORDER} rather than write or read wrong values.
 */
public final class Safetensors {
    /** The largest header {@link #read} and {@link #readHeader} accept by default: 100 MB, as the reference reader. */
    public static final long DEFAULT_MAX_HEADER_BYTES = 100L * 1024 * 1024;

    /** The key of the string-to-string metadata map in the header. */
    public static final String METADATA_KEY = "__metadata__";

    static final JsonFactory JSON = JsonFactory.builder()
            // Tensor names are many and used once; interning them would only grow the symbol table.
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .build();

    private static final long CHUNK_BYTES = 1L << 30;

    /**
     * One tensor described by a header.
     *
     * @param name the tensor's name
     * @param dtype its element type
     * @param shape its shape
     * @param begin the first byte of its elements, relative to the data section
     * @param end one past the last byte
     */
    public record Entry(String name, DType dtype, Shape shape, long begin, long end) {
        /**
         * Validates the components.
         *
         * @param name the tensor's name
         * @param dtype its element type
         * @param shape its shape
         * @param begin the first byte
         * @param end one past the last byte
         */
        public Entry {
            Objects.requireNonNull(name, "name is null");
            Objects.requireNonNull(dtype, "dtype is null");
            Objects.requireNonNull(shape, "shape is null");
        }
    }

    /**
     * The validated header of a file.
     *
     * @param metadata the {@code "__metadata__"} map, empty when absent
     * @param tensors the tensors in the order the header lists them
     * @param dataOffset the file position of the data section ({@code 8 + N})
     * @param dataLength the size of the data section in bytes
     */
    public record Header(Map<String, String> metadata, List<Entry> tensors, long dataOffset, long dataLength) {
        /**
         * Copies the collections.
         *
         * @param metadata the metadata
         * @param tensors the tensors
         * @param dataOffset the data section's position
         * @param dataLength the data section's size
         */
        public Header {
            metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
            tensors = List.copyOf(tensors);
        }
    }

    private Safetensors() {
    }

    // ---------------------------------------------------------------- reading

    /**
     * Reads and validates the header of a file, with the default header size limit.
     *
     * @param file the file
     * @return the header
     * @throws CheckpointFormatException if the file is not a valid safetensors file of supported element types
     * @throws CheckpointException if the file cannot be read
     */
    public static Header readHeader(Path file) {
        return readHeader(file, DEFAULT_MAX_HEADER_BYTES);
    }

    /**
     * Reads and validates the header of a file.
     *
     * @param file the file
     * @param maxHeaderBytes the largest header length accepted
     * @return the header
     * @throws CheckpointFormatException if the file is not a valid safetensors file of supported element types
     * @throws CheckpointException if the file cannot be read
     */
    public static Header readHeader(Path file, long maxHeaderBytes) {
        try (FileChannel channel = openForReading(file)) {
            return readHeader(file, channel, maxHeaderBytes);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot read safetensors header: " + e, e);
        }
    }

    /**
     * Reads every tensor of a file into new tensors owned by {@code scope}, on its device.
     *
     * <p>The file is mapped read-only and each tensor's bytes are copied into memory the backend allocates (on the cpu
     * backend a plain copy, on an accelerator the host-to-device transfer). The copy is deliberate: a tensor wrapping
     * the mapping would keep the file mapped and open as long as it lives, would break when the file is replaced by the
     * next checkpoint, and could not be written to. The mapping is released before this method returns.
     *
     * @param file the file
     * @param scope the scope that owns the tensors, and whose device they are created on
     * @return the tensors by name, in the order the header lists them
     * @throws CheckpointFormatException if the file is malformed
     * @throws CheckpointException if the file cannot be read
     */
    public static Map<String, Tensor> read(Path file, TensorScope scope) {
        Objects.requireNonNull(scope, "scope is null");
        Map<String, Tensor> out = new LinkedHashMap<>();
        boolean complete = false;
        try (MappedFile mapped = map(file)) {
            for (Entry e : mapped.header().tensors()) {
                out.put(e.name(), ownedCopy(scope, mapped.rows(e.name(), 0, rows(e.shape())), e.dtype(), e.shape()));
            }
            complete = true;
            return out;
        } finally {
            if (!complete) {
                out.values().forEach(Tensor::close);
            }
        }
    }

    /**
     * Maps a file read-only and validates its header, for reading parts of tensors: a sharded checkpoint's loader
     * copies only the rows of dim 0 each rank needs, and the pages it does not touch are never read.
     *
     * @param file the file
     * @return the mapped file; close it to unmap
     * @throws CheckpointFormatException if the file is malformed
     * @throws CheckpointException if the file cannot be read
     */
    public static MappedFile map(Path file) {
        requireLittleEndianHost(file);
        Arena arena = Arena.ofConfined();
        try (FileChannel channel = openForReading(file)) {
            Header header = readHeader(file, channel, DEFAULT_MAX_HEADER_BYTES);
            MemorySegment data = header.dataLength() == 0
                    ? MemorySegment.ofArray(new byte[0])
                    : channel.map(FileChannel.MapMode.READ_ONLY, header.dataOffset(), header.dataLength(), arena);
            return new MappedFile(file, header, data, arena);
        } catch (IOException | RuntimeException e) {
            arena.close();
            if (e instanceof IOException io) {
                throw new CheckpointException(file, "cannot read safetensors file: " + io, io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * A safetensors file mapped read-only, with its validated header. The segments {@link #rows} returns are views of
     * the mapping, valid until {@link #close()} unmaps it; copy what must outlive it. Closing twice is allowed; any
     * other use after close throws {@link IllegalStateException}.
     */
    public static final class MappedFile implements AutoCloseable {
        private final Path file;
        private final Header header;
        private final Map<String, Entry> entries = new LinkedHashMap<>();
        private final MemorySegment data;
        private final Arena arena;
        private boolean closed;

        private MappedFile(Path file, Header header, MemorySegment data, Arena arena) {
            this.file = file;
            this.header = header;
            this.data = data;
            this.arena = arena;
            header.tensors().forEach(e -> entries.put(e.name(), e));
        }

        /**
         * Returns the file.
         *
         * @return the path it was mapped from
         */
        public Path file() {
            return file;
        }

        /**
         * Returns the validated header.
         *
         * @return the header
         */
        public Header header() {
            return header;
        }

        /**
         * Returns the header entry of a tensor.
         *
         * @param name the tensor's name
         * @return the entry, or empty when the file does not hold the tensor
         */
        public java.util.Optional<Entry> entry(String name) {
            return java.util.Optional.ofNullable(entries.get(name));
        }

        /**
         * Returns the bytes of rows {@code [from, to)} of a tensor's dim 0 (a scalar has one row), row-major and
         * little-endian, as a read-only view of the mapping.
         *
         * @param name the tensor's name
         * @param from the first row
         * @param to one past the last row
         * @return {@code (to - from) * rowBytes} bytes
         * @throws IllegalArgumentException if the file has no such tensor or the rows are out of range
         * @throws IllegalStateException if the file was closed
         */
        public MemorySegment rows(String name, long from, long to) {
            if (closed) {
                throw new IllegalStateException("Already closed: " + this);
            }
            Entry e = entries.get(name);
            if (e == null) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "%s holds no tensor '%s'; it holds %s", file, name, entries.keySet()));
            }
            int rows = Safetensors.rows(e.shape());
            if (from < 0 || to < from || to > rows) {
                throw new IllegalArgumentException(String.format(Locale.ROOT, "rows [%d, %d) of tensor '%s' %s in %s, which has %d rows", from, to, name, e.shape(), file, rows));
            }
            long rowBytes = rowBytes(e.dtype(), e.shape());
            if (to == from || rowBytes == 0) {
                return MemorySegment.ofArray(new byte[0]);
            }
            return data.asSlice(e.begin() + from * rowBytes, (to - from) * rowBytes).asReadOnly();
        }

        /** Unmaps the file. */
        @Override
        public void close() {
            if (!closed) {
                closed = true;
                arena.close();
            }
        }

        @Override
        public String toString() {
            return "Safetensors.MappedFile[" + file + "]";
        }
    }

    /** The rows of dim 0 of a shape: its first dimension, or 1 for a scalar. */
    static int rows(Shape shape) {
        return shape.rank() == 0 ? 1 : shape.dim(0);
    }

    /** The bytes of one row of dim 0: the product of the other dimensions times the element size. */
    static long rowBytes(DType dtype, Shape shape) {
        long elements = 1;
        for (int d = 1; d < shape.rank(); d++) {
            elements = Math.multiplyExact(elements, shape.dim(d));
        }
        return Math.multiplyExact(elements, dtype.byteSize());
    }

    /** A tensor of {@code bytes} that owns its memory, never an alias of the mapping that is about to be unmapped. */
    static Tensor ownedCopy(TensorScope scope, MemorySegment bytes, DType dtype, Shape shape) {
        // The mapping is read-only, and backends do not wrap read-only memory (the cpu backend declines it), so this
        // copies. A backend that wrapped it anyway would leave the tensor pointing at unmapped memory: copy once more.
        Tensor t = scope.fromSegment(bytes, dtype, shape);
        if (bytes.byteSize() > 0 && aliases(t, bytes)) {
            try (Grad.Scope off = Grad.noGrad()) {
                Tensor copy = scope.full(shape, 0, dtype);
                copy.assign(t);
                t.close();
                return copy;
            }
        }
        return t;
    }

    private static boolean aliases(Tensor t, MemorySegment bytes) {
        MemorySegment memory;
        try {
            memory = t.asSegment();
        } catch (CrossbarException deviceMemory) {
            return false;
        }
        return memory.isNative() && memory.address() >= bytes.address() && memory.address() < bytes.address() + bytes.byteSize();
    }

    private static FileChannel openForReading(Path file) {
        try {
            return FileChannel.open(file, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            throw new CheckpointException(file, "no such file", e);
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot open: " + e, e);
        }
    }

    static Header readHeader(Path file, FileChannel channel, long maxHeaderBytes) throws IOException {
        long fileSize = channel.size();
        if (fileSize < Long.BYTES) {
            throw new CheckpointFormatException(file, null, Problem.TRUNCATED, String.format(Locale.ROOT,
                    "the file has %d bytes, fewer than the 8-byte header length that starts a safetensors file", fileSize));
        }
        ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN);
        readFully(channel, prefix, 0);
        long n = prefix.getLong(0);
        if (n < 0 || n > maxHeaderBytes) {
            throw new CheckpointFormatException(file, null, Problem.HEADER_TOO_LARGE, String.format(Locale.ROOT,
                    "header length %s exceeds the limit of %d bytes; the file is corrupt or not safetensors",
                    Long.toUnsignedString(n), maxHeaderBytes));
        }
        if (n > fileSize - Long.BYTES) {
            throw new CheckpointFormatException(file, null, Problem.TRUNCATED, String.format(Locale.ROOT,
                    "header length %d exceeds the %d bytes that follow it; the file is truncated or not safetensors",
                    n, fileSize - Long.BYTES));
        }
        ByteBuffer json = ByteBuffer.allocate((int) n);
        readFully(channel, json, Long.BYTES);
        return parseHeader(file, json.array(), Long.BYTES + n, fileSize - Long.BYTES - n);
    }

    private static void readFully(FileChannel channel, ByteBuffer buffer, long position) throws IOException {
        long p = position;
        while (buffer.hasRemaining()) {
            int read = channel.read(buffer, p);
            if (read < 0) {
                throw new IOException("unexpected end of file at byte " + p);
            }
            p += read;
        }
    }

    /** Parses and validates a header's JSON against a data section of {@code dataLength} bytes. */
    static Header parseHeader(Path file, byte[] json, long dataOffset, long dataLength) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(json)).toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointFormatException(file, null, Problem.MALFORMED_HEADER, "the header is not valid UTF-8: " + e, e);
        }
        if (text.isEmpty() || text.charAt(0) != '{') {
            throw new CheckpointFormatException(file, null, Problem.MALFORMED_HEADER,
                    "the header must start with '{' but starts with " + (text.isEmpty() ? "nothing" : "'" + quote(text.substring(0, 1)) + "'"));
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String current = null;
        try (JsonParser p = JSON.createParser(text)) {
            p.nextToken();
            boolean sawMetadata = false;
            while (p.nextToken() == JsonToken.FIELD_NAME) {
                current = p.currentName();
                if (METADATA_KEY.equals(current)) {
                    if (sawMetadata) {
                        throw new CheckpointFormatException(file, null, Problem.DUPLICATE_NAME, "\"" + METADATA_KEY + "\" appears twice in the header");
                    }
                    sawMetadata = true;
                    readMetadata(file, p, metadata);
                } else {
                    if (!names.add(current)) {
                        throw new CheckpointFormatException(file, current, Problem.DUPLICATE_NAME, "the name appears twice in the header");
                    }
                    entries.add(readEntry(file, p, current, dataLength));
                }
                current = null;
            }
            if (p.currentToken() != JsonToken.END_OBJECT) {
                throw malformed(file, null, "expected a tensor name or '}' but found " + p.currentToken());
            }
            JsonToken trailing = p.nextToken();
            if (trailing != null) {
                throw malformed(file, null, "unexpected " + trailing + " after the header object");
            }
        } catch (CheckpointFormatException e) {
            throw e;
        } catch (IOException e) {
            // Jackson's JsonProcessingException and its subclasses: syntax errors, numbers out of range, limits.
            throw new CheckpointFormatException(file, current, Problem.MALFORMED_HEADER, "the header is not valid JSON: " + e.getMessage(), e);
        }
        checkCoverage(file, entries, dataLength);
        return new Header(metadata, entries, dataOffset, dataLength);
    }

    private static void readMetadata(Path file, JsonParser p, Map<String, String> metadata) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw malformed(file, null, "\"" + METADATA_KEY + "\" must be an object of strings, found " + p.currentToken());
        }
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String key = p.currentName();
            if (p.nextToken() != JsonToken.VALUE_STRING) {
                throw malformed(file, null, "\"" + METADATA_KEY + "\" value of '" + key + "' must be a string, found " + p.currentToken());
            }
            if (metadata.put(key, p.getText()) != null) {
                throw malformed(file, null, "\"" + METADATA_KEY + "\" key '" + key + "' appears twice");
            }
        }
    }

    private static Entry readEntry(Path file, JsonParser p, String name, long dataLength) throws IOException {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw malformed(file, name, "expected an object {\"dtype\", \"shape\", \"data_offsets\"} but found " + p.currentToken());
        }
        String dtypeName = null;
        long[] shape = null;
        long[] offsets = null;
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String field = p.currentName();
            p.nextToken();
            switch (field) {
                case "dtype" -> {
                    requireAbsent(file, name, field, dtypeName);
                    if (p.currentToken() != JsonToken.VALUE_STRING) {
                        throw malformed(file, name, "\"dtype\" must be a string, found " + p.currentToken());
                    }
                    dtypeName = p.getText();
                }
                case "shape" -> {
                    requireAbsent(file, name, field, shape);
                    shape = readNonNegativeLongs(file, p, name, field);
                }
                case "data_offsets" -> {
                    requireAbsent(file, name, field, offsets);
                    offsets = readNonNegativeLongs(file, p, name, field);
                }
                default -> throw malformed(file, name, "unknown field \"" + field + "\"; a tensor has only \"dtype\", \"shape\" and \"data_offsets\"");
            }
        }
        if (dtypeName == null || shape == null || offsets == null) {
            throw malformed(file, name, "missing " + (dtypeName == null ? "\"dtype\"" : shape == null ? "\"shape\"" : "\"data_offsets\""));
        }
        DType dtype = dtypeOf(file, name, dtypeName);
        if (offsets.length != 2) {
            throw malformed(file, name, "\"data_offsets\" must be [begin, end], found " + offsets.length + " numbers");
        }
        int[] dims = new int[shape.length];
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] > Integer.MAX_VALUE) {
                throw malformed(file, name, "dimension " + shape[i] + " of shape " + Arrays.toString(shape) + " exceeds " + Integer.MAX_VALUE);
            }
            dims[i] = (int) shape[i];
        }
        long begin = offsets[0];
        long end = offsets[1];
        if (end < begin) {
            throw new CheckpointFormatException(file, name, Problem.OUT_OF_BOUNDS, String.format(Locale.ROOT, "data_offsets [%d, %d] end before they begin", begin, end));
        }
        Shape s;
        long expected;
        try {
            s = Shape.of(dims);
            expected = Math.multiplyExact(s.size(), dtype.byteSize());
        } catch (ArithmeticException e) {
            throw new CheckpointFormatException(file, name, Problem.SIZE_MISMATCH, "shape " + Arrays.toString(shape) + " has more bytes than a file can hold", e);
        }
        if (end - begin != expected) {
            throw new CheckpointFormatException(file, name, Problem.SIZE_MISMATCH, String.format(Locale.ROOT,
                    "%s%s needs %d bytes but data_offsets [%d, %d] hold %d", dtypeName, s, expected, begin, end, end - begin));
        }
        return new Entry(name, dtype, s, begin, end);
    }

    private static void requireAbsent(Path file, String name, String field, Object seen) {
        if (seen != null) {
            throw malformed(file, name, "field \"" + field + "\" appears twice");
        }
    }

    private static long[] readNonNegativeLongs(Path file, JsonParser p, String name, String field) throws IOException {
        if (p.currentToken() != JsonToken.START_ARRAY) {
            throw malformed(file, name, "\"" + field + "\" must be an array of non-negative integers, found " + p.currentToken());
        }
        long[] values = new long[4];
        int n = 0;
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                throw malformed(file, name, "\"" + field + "\" must be an array of non-negative integers, found " + p.currentToken());
            }
            long v = p.getLongValue();
            if (v < 0) {
                throw malformed(file, name, "\"" + field + "\" holds the negative number " + v);
            }
            if (n == values.length) {
                values = Arrays.copyOf(values, n * 2);
            }
            values[n++] = v;
        }
        return Arrays.copyOf(values, n);
    }

    /** Checks that the tensors tile the data section: sorted by offset, each begins where the previous one ends. */
    private static void checkCoverage(Path file, List<Entry> entries, long dataLength) {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long covered = 0;
        String previous = null;
        for (Entry e : sorted) {
            if (e.begin() != covered) {
                if (e.end() > dataLength) {
                    throw new CheckpointFormatException(file, e.name(), Problem.OUT_OF_BOUNDS, String.format(Locale.ROOT,
                            "data_offsets [%d, %d] reach past the %d-byte data section", e.begin(), e.end(), dataLength));
                }
                if (e.begin() < covered) {
                    throw new CheckpointFormatException(file, e.name(), Problem.OVERLAP, String.format(Locale.ROOT,
                            "data_offsets [%d, %d] overlap tensor '%s', which ends at %d", e.begin(), e.end(), previous, covered));
                }
                throw new CheckpointFormatException(file, e.name(), Problem.GAP, String.format(Locale.ROOT,
                        "data_offsets [%d, %d] leave bytes [%d, %d) of the data section unused%s", e.begin(), e.end(), covered, e.begin(),
                        previous == null ? "" : " after tensor '" + previous + "'"));
            }
            covered = e.end();
            previous = e.name();
        }
        if (covered > dataLength) {
            throw new CheckpointFormatException(file, previous, Problem.TRUNCATED, String.format(Locale.ROOT,
                    "the tensors need a %d-byte data section but the file holds %d bytes after the header; the file is truncated", covered, dataLength));
        }
        if (covered < dataLength) {
            throw new CheckpointFormatException(file, previous, Problem.GAP, String.format(Locale.ROOT,
                    "the tensors cover %d bytes of the %d-byte data section; %d trailing bytes belong to no tensor", covered, dataLength, dataLength - covered));
        }
    }

    private static DType dtypeOf(Path file, String tensor, String name) {
        return switch (name) {
            case "F32" -> DType.F32;
            case "F64" -> DType.F64;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "I8" -> DType.I8;
            case "I32" -> DType.I32;
            case "I64" -> DType.I64;
            case "BOOL" -> DType.BOOL;
            case "F8_E4M3" -> DType.F8E4M3FN;
            case "F8_E5M2" -> DType.F8E5M2;
            default -> throw new CheckpointFormatException(file, tensor, Problem.UNKNOWN_DTYPE, String.format(Locale.ROOT,
                    "dtype \"%s\" is not supported; Crossbar reads %s", quote(name), supportedNames()));
        };
    }

    private static List<String> supportedNames() {
        List<String> names = new ArrayList<>();
        for (DType d : EnumSet.allOf(DType.class)) {
            names.add(nameOf(d));
        }
        return names;
    }

    /**
     * Returns the safetensors name of an element type.
     *
     * @param dtype the type
     * @return its name in headers, such as {@code "BF16"}
     */
    public static String nameOf(DType dtype) {
        return switch (dtype) {
            case F32 -> "F32";
            case F64 -> "F64";
            case F16 -> "F16";
            case BF16 -> "BF16";
            case I8 -> "I8";
            case I32 -> "I32";
            case I64 -> "I64";
            case BOOL -> "BOOL";
            // The safetensors format's names for the OCP types (its E4M3 is the FN variant, as PyTorch's float8_e4m3fn).
            case F8E4M3FN -> "F8_E4M3";
            case F8E5M2 -> "F8_E5M2";
        };
    }

    private static CheckpointFormatException malformed(Path file, String tensor, String message) {
        return new CheckpointFormatException(file, tensor, Problem.MALFORMED_HEADER, message);
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c > 0x7e ? String.format(Locale.ROOT, "\\u%04x", (int) c) : String.valueOf(c));
        }
        return b.toString();
    }

    static void requireLittleEndianHost(Path file) {
        if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
            throw new CheckpointFormatException(file, null, Problem.BYTE_ORDER, "safetensors data is little-endian and this host is "
                    + ByteOrder.nativeOrder() + "; Crossbar does not convert byte order yet, so read and write checkpoints on a little-endian host");
        }
    }

    // ---------------------------------------------------------------- writing

    /**
     * Writes tensors to a file, atomically: the bytes go to a temporary file in the same directory, which is forced to
     * disk and renamed over {@code file}, and the directory is forced too. A crash at any moment leaves either the
     * previous file or the complete new one.
     *
     * <p>The header lists the tensors in the map's order. The data section places tensors of wider element types first
     * (stable otherwise), as the reference writer does, so every tensor starts at a multiple of its element size.
     * Contiguous tensors in host memory are written straight from their memory; others are copied to the host first.
     *
     * @param file the file to create or replace
     * @param tensors the tensors by name, in the order the header lists them; open, on any device
     * @param metadata strings stored under {@code "__metadata__"}; omitted when empty
     * @throws CheckpointException if the file cannot be written; the previous file, if any, is then unchanged
     * @throws IllegalArgumentException if a name is empty or {@code "__metadata__"}
     */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        Objects.requireNonNull(file, "file is null");
        Objects.requireNonNull(tensors, "tensors is null");
        Objects.requireNonNull(metadata, "metadata is null");
        requireLittleEndianHost(file);
        List<Entry> layout = layout(tensors);
        byte[] header = headerBytes(layout, metadata);
        Map<String, Entry> byName = new LinkedHashMap<>();
        layout.forEach(e -> byName.put(e.name(), e));
        List<Entry> dataOrder = new ArrayList<>(layout);
        dataOrder.sort(Comparator.comparingLong(Entry::begin));
        try {
            AtomicFiles.write(file, channel -> {
                ByteBuffer prefix = ByteBuffer.allocate(Long.BYTES).order(ByteOrder.LITTLE_ENDIAN).putLong(0, header.length);
                writeFully(channel, prefix);
                writeFully(channel, ByteBuffer.wrap(header));
                for (Entry e : dataOrder) {
                    writeTensor(channel, tensors.get(e.name()));
                }
                long expected = Long.BYTES + header.length + (dataOrder.isEmpty() ? 0 : dataOrder.getLast().end());
                if (channel.position() != expected) {
                    throw new IOException(String.format(Locale.ROOT, "wrote %d bytes but the header describes %d", channel.position(), expected));
                }
            });
        } catch (IOException e) {
            throw new CheckpointException(file, "cannot write safetensors file: " + e.getMessage(), e);
        }
    }

    /** Assigns data offsets: wider element types first, the map's order within a width. */
    private static List<Entry> layout(Map<String, Tensor> tensors) {
        List<String> names = new ArrayList<>(tensors.keySet());
        List<String> dataOrder = new ArrayList<>(names);
        dataOrder.sort(Comparator.comparingInt((String n) -> -Objects.requireNonNull(tensors.get(n), () -> "tensor '" + n + "' is null").dtype().byteSize()));
        Map<String, Entry> entries = new LinkedHashMap<>();
        long offset = 0;
        for (String name : dataOrder) {
            if (name.isEmpty() || METADATA_KEY.equals(name)) {
                throw new IllegalArgumentException("Tensor name '" + name + "' is reserved or empty; choose another name");
            }
            Tensor t = tensors.get(name);
            long bytes = t.size() * t.dtype().byteSize();
            entries.put(name, new Entry(name, t.dtype(), t.shape(), offset, offset + bytes));
            offset += bytes;
        }
        List<Entry> inHeaderOrder = new ArrayList<>();
        names.forEach(n -> inHeaderOrder.add(entries.get(n)));
        return inHeaderOrder;
    }

    /** The header JSON as the reference writes it: compact, metadata first, padded with spaces to 8 bytes. */
    static byte[] headerBytes(List<Entry> entries, Map<String, String> metadata) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(METADATA_KEY);
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    g.writeStringField(Objects.requireNonNull(m.getKey(), "metadata key is null"),
                            Objects.requireNonNull(m.getValue(), () -> "metadata value of '" + m.getKey() + "' is null"));
                }
                g.writeEndObject();
            }
            for (Entry e : entries) {
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", nameOf(e.dtype()));
                g.writeArrayFieldStart("shape");
                for (int d : e.shape().dims()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(e.begin());
                g.writeNumber(e.end());
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        int padding = (8 - out.size() % 8) % 8;
        for (int i = 0; i < padding; i++) {
            out.write(' ');
        }
        return out.toByteArray();
    }

    private static void writeTensor(FileChannel channel, Tensor t) throws IOException {
        if (t.size() == 0) {
            return;
        }
        try (Grad.Scope off = Grad.noGrad(); Tensor c = t.contiguous()) {
            MemorySegment bytes;
            try {
                bytes = c.asSegment();
            } catch (CrossbarException deviceMemory) {
                bytes = MemorySegment.ofArray(hostBytes(c));
            }
            for (long off0 = 0; off0 < bytes.byteSize(); off0 += CHUNK_BYTES) {
                MemorySegment chunk = bytes.asSlice(off0, Math.min(CHUNK_BYTES, bytes.byteSize() - off0));
                if (chunk.isNative()) {
                    writeFully(channel, chunk.asByteBuffer());
                } else {
                    writeFully(channel, ByteBuffer.wrap(chunk.toArray(ValueLayout.JAVA_BYTE)));
                }
            }
        }
    }

    /** The little-endian bytes of a tensor in device memory, read through the API's host copies. */
    private static byte[] hostBytes(Tensor t) {
        int n = Math.toIntExact(t.size());
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(n, t.dtype().byteSize())).order(ByteOrder.LITTLE_ENDIAN);
        switch (t.dtype()) {
            case F32 -> b.asFloatBuffer().put(t.toFloatArray());
            case F64 -> b.asDoubleBuffer().put(t.toDoubleArray());
            case I32 -> b.asIntBuffer().put(t.toIntArray());
            case I64 -> b.asLongBuffer().put(t.toLongArray());
            case I8 -> {
                int[] v = t.toIntArray();
                for (int i = 0; i < n; i++) {
                    b.put(i, (byte) v[i]);
                }
            }
            case BOOL -> {
                boolean[] v = t.toBooleanArray();
                for (int i = 0; i < n; i++) {
                    b.put(i, (byte) (v[i] ? 1 : 0));
                }
            }
            // F16 and BF16 widen to F32 exactly, so narrowing back restores the bits (NaN payloads aside).
            case F16 -> {
                float[] v = t.toFloatArray();
                for (int i = 0; i < n; i++) {
                    b.putShort(2 * i, Float.floatToFloat16(v[i]));
                }
            }
            case BF16 -> {
                float[] v = t.toFloatArray();
                for (int i = 0; i < n; i++) {
                    b.putShort(2 * i, (short) (Float.floatToRawIntBits(v[i]) >>> 16));
                }
            }
        }
        return b.array();
    }

    private static void writeFully(FileChannel channel, ByteBuffer buffer) throws IOException {
        while (buffer.hasRemaining()) {
            channel.write(buffer);
        }
    }
}
