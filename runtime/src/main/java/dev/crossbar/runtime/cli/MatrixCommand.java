package dev.crossbar.runtime.cli;

import dev.crossbar.runtime.CompatibilityMatrix;
import dev.crossbar.runtime.Crossbar;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code crossbar matrix}: the compatibility matrix generated from the discovered backends' declarations. */
@Command(name = "matrix", description = "Prints COMPATIBILITY.md, generated from the discovered backends' @Kernel declarations.")
final class MatrixCommand implements Callable<Integer> {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Option(names = "--write", paramLabel = "PATH", description = "Write the matrix to this file instead of printing it.")
    private Path target;

    @Override
    public Integer call() {
        CompatibilityMatrix matrix = new CompatibilityMatrix(Crossbar.builder().diagnose().backends());
        String markdown = matrix.toMarkdown();
        PrintWriter out = spec.commandLine().getOut();
        if (target == null) {
            out.print(markdown);
            out.flush();
            return 0;
        }
        try {
            Files.writeString(target, markdown, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot write the matrix to " + target.toAbsolutePath() + ": " + e.getMessage(), e);
        }
        out.printf("Wrote %s with backends %s%n", target, matrix.backendNames());
        return 0;
    }
}
