package dev.crossbar.runtime.cli;

import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code crossbar} command: {@code doctor} and {@code matrix}. */
@Command(name = "crossbar",
        mixinStandardHelpOptions = true,
        versionProvider = CrossbarCli.Version.class,
        description = "Crossbar: one Java model, any AI accelerator.",
        subcommands = {DoctorCommand.class, MatrixCommand.class, CommandLine.HelpCommand.class})
public final class CrossbarCli implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    /**
     * Runs the command line and exits with its status.
     *
     * @param args the arguments, such as {@code doctor}
     */
    public static void main(String[] args) {
        // UTF-8 whatever the platform encoding: the matrix has non-ASCII marks.
        PrintWriter out = new PrintWriter(new OutputStreamWriter(new FileOutputStream(FileDescriptor.out), StandardCharsets.UTF_8), true);
        System.exit(run(out, args));
    }

    /** Runs the command line, printing to {@code out}, and returns the exit status. */
    static int run(PrintWriter out, String... args) {
        int status = new CommandLine(new CrossbarCli()).setOut(out).execute(args);
        out.flush();
        return status;
    }

    @Override
    public void run() {
        spec.commandLine().usage(spec.commandLine().getOut());
    }

    /** Reports the runtime's version from its jar manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = CrossbarCli.class.getPackage().getImplementationVersion();
            return new String[] {"crossbar " + (version == null ? "(development build)" : version)};
        }
    }
}
