package dev.crossbar.conformance;

import dev.crossbar.spi.Cell;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;

/**
 * The per-cell outcomes of one backend's conformance run, written as a tab-separated file with the columns
 * {@code cell}, {@code result} and {@code detail}, one row per cell in op and dtype order, for the compatibility
 * matrix.
 */
public final class ConformanceReport {
    private final String backend;
    private final Map<Cell, String[]> rows = new ConcurrentSkipListMap<>();

    /**
     * Creates an empty report.
     *
     * @param backend the backend's name, which names the file
     */
    public ConformanceReport(String backend) {
        this.backend = backend;
    }

    /**
     * Records a cell's outcome, replacing an earlier one.
     *
     * @param cell the cell
     * @param result the outcome
     * @param detail why, in one line; empty for a pass
     */
    public void record(Cell cell, CellResult result, String detail) {
        rows.put(cell, new String[] {result.name(), detail.replaceAll("\\s+", " ").strip()});
    }

    /**
     * Returns the outcome recorded for a cell.
     *
     * @param cell the cell
     * @return the outcome, or null when none was recorded
     */
    public CellResult result(Cell cell) {
        String[] row = rows.get(cell);
        return row == null ? null : CellResult.valueOf(row[0]);
    }

    /**
     * Writes {@code <backend>.tsv} into a directory, creating it.
     *
     * @param directory the directory, such as {@code target/conformance}
     * @return the file written
     * @throws UncheckedIOException if the file cannot be written
     */
    public Path writeTo(Path directory) {
        List<String> lines = new ArrayList<>();
        lines.add("cell\tresult\tdetail");
        rows.forEach((cell, row) -> lines.add(cell + "\t" + row[0] + "\t" + row[1]));
        Path file = directory.resolve(backend + ".tsv");
        try {
            Files.createDirectories(directory);
            Files.write(file, lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the conformance results of '" + backend + "' to " + file, e);
        }
        return file;
    }
}
