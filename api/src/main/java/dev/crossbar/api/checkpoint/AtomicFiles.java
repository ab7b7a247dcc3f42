package dev.crossbar.api.checkpoint;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replaces files so that a crash at any moment leaves either the old file or the new one: the content goes to a
 * temporary file in the same directory, is forced to disk, renamed over the target atomically, and the directory
 * entry is forced too. Checkpoints use it, and so do backends that persist files, such as compile caches.
 */
public final class AtomicFiles {
    private static final Logger LOG = LoggerFactory.getLogger(AtomicFiles.class);

    /** Prefix and suffix of temporary files, so a later save can remove those a crash left behind. */
    static final String TEMP_PREFIX = ".crossbar-";
    static final String TEMP_SUFFIX = ".tmp";

    /** Writes the content of a file through an open channel. */
    @FunctionalInterface
    public interface Body {
        /**
         * Writes the whole content.
         *
         * @param channel the temporary file, open for writing
         * @throws IOException if writing fails; the target is then left as it was
         */
        void writeTo(FileChannel channel) throws IOException;
    }

    private AtomicFiles() {
    }

    /**
     * Writes {@code target} atomically with the content {@code body} produces.
     *
     * @param target the file to create or replace; its directory must exist
     * @param body writes the content
     * @throws IOException if writing or renaming fails (the target is then unchanged), or the file system cannot rename
     *     atomically
     */
    public static void write(Path target, Body body) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Path temp = Files.createTempFile(dir, TEMP_PREFIX + target.getFileName() + ".", TEMP_SUFFIX);
        boolean moved = false;
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                body.writeTo(channel);
                channel.force(true);
            }
            try {
                Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                throw new IOException("the file system of " + dir + " cannot rename atomically, so a crash could tear "
                        + target.getFileName() + "; write it to a local or POSIX file system", e);
            }
            moved = true;
            forceDirectory(dir);
        } finally {
            if (!moved) {
                Files.deleteIfExists(temp);
            }
        }
    }

    /**
     * Forces a directory's entries to disk so a rename survives a power loss. Some platforms (Windows) cannot open a
     * directory as a channel; there the rename is as durable as the file system makes it.
     */
    static void forceDirectory(Path dir) {
        try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
            channel.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("Cannot fsync directory {} on this platform ({}); relying on the file system to persist the rename", dir, e.toString());
        }
    }

    /** Tells whether a file name is one of this class's temporary files. */
    static boolean isTemporary(String fileName) {
        return fileName.startsWith(TEMP_PREFIX) && fileName.endsWith(TEMP_SUFFIX);
    }
}
