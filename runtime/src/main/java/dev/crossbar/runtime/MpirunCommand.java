package dev.crossbar.runtime;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The Open MPI {@code mpirun} command line that starts a program as an SPMD job, one rank per process, with the options
 * this machine needs: {@code --allow-run-as-root} when run as root (Open MPI refuses otherwise), {@code --oversubscribe}
 * when there are more processes than cores here, and {@code --bind-to none} so each JVM's threads (compiler, garbage
 * collector, kernels) are not pinned to one core. {@code ./crossbar launch} builds the same command in bash.
 */
public final class MpirunCommand {
    private MpirunCommand() {
    }

    /**
     * Finds {@code mpirun} on the {@code PATH}.
     *
     * @return its path, or empty when Open MPI is not installed (Debian: {@code apt-get install openmpi-bin libopenmpi-dev})
     */
    public static Optional<Path> find() {
        String path = Objects.requireNonNullElse(System.getenv("PATH"), "");
        for (String dir : path.split(File.pathSeparator)) {
            if (!dir.isEmpty()) {
                Path candidate = Path.of(dir, "mpirun");
                if (Files.isExecutable(candidate)) {
                    return Optional.of(candidate);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * Builds the command that starts {@code processes} copies of {@code program}.
     *
     * @param processes the number of processes, at least 1
     * @param hosts the hosts to spread them over ({@code --host}), or empty for this machine
     * @param program the program and its arguments
     * @return the command line
     */
    public static List<String> of(int processes, List<String> hosts, List<String> program) {
        if (processes < 1) {
            throw new IllegalArgumentException("An MPI job needs at least 1 process, got " + processes);
        }
        List<String> command = new ArrayList<>(List.of("mpirun"));
        if ("root".equals(System.getProperty("user.name"))) {
            command.add("--allow-run-as-root");
        }
        if (hosts.isEmpty() && processes > Runtime.getRuntime().availableProcessors() || !hosts.isEmpty() && processes > hosts.size()) {
            command.add("--oversubscribe");
        }
        command.addAll(List.of("--bind-to", "none", "-n", Integer.toString(processes)));
        if (!hosts.isEmpty()) {
            command.addAll(List.of("--host", String.join(",", hosts)));
        }
        command.addAll(program);
        return List.copyOf(command);
    }
}
