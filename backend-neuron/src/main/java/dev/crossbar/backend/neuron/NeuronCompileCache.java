package dev.crossbar.backend.neuron;

import dev.crossbar.api.checkpoint.AtomicFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Stream;

/**
 * A persistent cache of compiled Neuron programs, because Neuron compilation takes minutes. An entry is keyed by the
 * SHA-256 of the program, its compile options, the plugin's version and the compiler flags, so a new compiler or other
 * flags never return a stale executable. Entries are written atomically (temporary file, fsync, rename) and carry a checksum of their
 * content; a damaged entry counts as a miss and is removed. Hit and miss counts are kept in the folder, across
 * processes, so that {@code crossbar doctor} can show them.
 */
final class NeuronCompileCache {
    static final String FOLDER_PROPERTY = "crossbar.neuron.compile.cache";
    private static final String ENTRY_SUFFIX = ".executable";
    private static final String STATS_FILE = "stats.properties";
    private static final String LOCK_FILE = "stats.lock";
    private static final byte[] MAGIC = "crossbar-neuron-cache-1\n".getBytes(StandardCharsets.US_ASCII);
    private static final int DIGEST_BYTES = 32;

    private final Path folder;

    /**
     * A cache key: the hex SHA-256 of what determines the compiled program.
     *
     * @param hex 64 hex digits
     */
    record Key(String hex) {}

    /**
     * Usage of a cache folder.
     *
     * @param entries compiled programs stored
     * @param bytes their total size
     * @param hits lookups that found a program, over all processes
     * @param misses lookups that did not
     */
    record Stats(long entries, long bytes, long hits, long misses) {}

    NeuronCompileCache(Path folder) {
        this.folder = folder.toAbsolutePath().normalize();
    }

    /** The folder named by {@code crossbar.neuron.compile.cache}, else {@code ~/.cache/crossbar/neuron}. */
    static Path defaultFolder(Optional<String> setting) {
        return setting.filter(s -> !s.isBlank()).map(Path::of)
                .orElseGet(() -> Path.of(System.getProperty("user.home"), ".cache", "crossbar", "neuron"));
    }

    Path folder() {
        return folder;
    }

    /**
     * Computes the key of a program.
     *
     * @param program the program as handed to the compiler (StableHLO text or bytecode)
     * @param compileOptions the serialized compile options (replicas, partitions)
     * @param pluginVersion the Neuron PJRT plugin's version, such as its {@code xla_version} and API version
     * @param compilerFlags the flags in the order the compiler receives them
     */
    static Key key(byte[] program, byte[] compileOptions, String pluginVersion, List<String> compilerFlags) {
        MessageDigest digest = sha256();
        update(digest, sha256().digest(program));
        update(digest, compileOptions);
        update(digest, pluginVersion.getBytes(StandardCharsets.UTF_8));
        digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(compilerFlags.size()).array());
        for (String flag : compilerFlags) {
            update(digest, flag.getBytes(StandardCharsets.UTF_8));
        }
        return new Key(HexFormat.of().formatHex(digest.digest()));
    }

    /** Length-prefixes each part so that ("ab", "c") and ("a", "bc") give different keys. */
    private static void update(MessageDigest digest, byte[] part) {
        digest.update(ByteBuffer.allocate(Integer.BYTES).putInt(part.length).array());
        digest.update(part);
    }

    /**
     * Looks a program up and counts a hit or a miss.
     *
     * @return the compiled program, or empty if absent or damaged (a damaged entry is removed)
     */
    Optional<byte[]> get(Key key) {
        Path entry = entry(key);
        Optional<byte[]> found = Optional.empty();
        try {
            if (Files.isRegularFile(entry)) {
                found = decode(Files.readAllBytes(entry));
                if (found.isEmpty()) {
                    Files.deleteIfExists(entry);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Neuron compile cache entry " + entry, e);
        }
        count(found.isPresent());
        return found;
    }

    /** Stores a compiled program atomically, replacing any entry with the same key. */
    void put(Key key, byte[] executable) {
        try {
            Files.createDirectories(folder);
            byte[] checksum = sha256().digest(executable);
            AtomicFiles.write(entry(key), channel -> {
                channel.write(ByteBuffer.wrap(MAGIC));
                channel.write(ByteBuffer.wrap(checksum));
                channel.write(ByteBuffer.wrap(executable));
            });
        } catch (IOException e) {
            throw new UncheckedIOException(String.format(Locale.ROOT, "cannot write Neuron compile cache entry %s; check that %s is writable,"
                    + " or point %s elsewhere", entry(key), folder, FOLDER_PROPERTY), e);
        }
    }

    /** Reads the folder's usage; a missing folder is an empty cache. */
    Stats stats() {
        if (!Files.isDirectory(folder)) {
            return new Stats(0, 0, 0, 0);
        }
        long entries = 0;
        long bytes = 0;
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(ENTRY_SUFFIX)).toList()) {
                entries++;
                bytes += Files.size(file);
            }
            Properties counts = readCounts();
            return new Stats(entries, bytes, Long.parseLong(counts.getProperty("hits", "0")), Long.parseLong(counts.getProperty("misses", "0")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Neuron compile cache " + folder, e);
        }
    }

    /** The line doctor shows, such as {@code /home/u/.cache/crossbar/neuron: 3 entries (12 MB), 10 hits, 3 misses}. */
    String describe() {
        Stats stats = stats();
        return String.format(Locale.ROOT, "%s: %d entries (%.1f MB), %d hits, %d misses", folder, stats.entries(), stats.bytes() / 1e6,
                stats.hits(), stats.misses());
    }

    private Path entry(Key key) {
        return folder.resolve(key.hex() + ENTRY_SUFFIX);
    }

    private static Optional<byte[]> decode(byte[] stored) {
        int header = MAGIC.length + DIGEST_BYTES;
        if (stored.length < header || !Arrays.equals(stored, 0, MAGIC.length, MAGIC, 0, MAGIC.length)) {
            return Optional.empty();
        }
        byte[] executable = Arrays.copyOfRange(stored, header, stored.length);
        boolean intact = Arrays.equals(sha256().digest(executable), Arrays.copyOfRange(stored, MAGIC.length, header));
        return intact ? Optional.of(executable) : Optional.empty();
    }

    /** Adds one hit or miss to the counts in the folder, under a file lock shared by all processes using it. */
    private void count(boolean hit) {
        try {
            Files.createDirectories(folder);
            try (FileChannel lockChannel = FileChannel.open(folder.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                    FileLock lock = lockChannel.lock()) {
                Properties counts = readCounts();
                String field = hit ? "hits" : "misses";
                counts.setProperty(field, Long.toString(Long.parseLong(counts.getProperty(field, "0")) + 1));
                StringBuilder text = new StringBuilder();
                counts.stringPropertyNames().stream().sorted().forEach(name -> text.append(name).append('=').append(counts.getProperty(name)).append('\n'));
                AtomicFiles.write(folder.resolve(STATS_FILE), channel -> channel.write(ByteBuffer.wrap(text.toString().getBytes(StandardCharsets.UTF_8))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot update the hit and miss counts of Neuron compile cache " + folder, e);
        }
    }

    private Properties readCounts() throws IOException {
        Properties counts = new Properties();
        Path stats = folder.resolve(STATS_FILE);
        if (Files.isRegularFile(stats)) {
            try (var reader = Files.newBufferedReader(stats, StandardCharsets.UTF_8)) {
                counts.load(reader);
            }
        }
        return counts;
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every Java platform provides SHA-256", e);
        }
    }
}
