package dev.crossbar.backend.xla.internal.tf;

import java.lang.reflect.InvocationTargetException;
import java.util.Locale;
import java.util.Optional;

/** Finds TensorFlow Java by reflection only, so the probe can report it without loading its classes or native library. */
public final class TensorFlowRuntime {
    private static final String GRAPH_CLASS = "org.tensorflow.Graph";

    /** What the verification executor needs on the class or module path. */
    public static final String ARTIFACTS = "org.tensorflow:tensorflow-core-api:1.1.0 and org.tensorflow:tensorflow-core-native:1.1.0:linux-x86_64";

    private TensorFlowRuntime() {
    }

    /**
     * Loads TensorFlow's native library (about 3 s the first time in a JVM) and returns the version of the TensorFlow
     * core it holds; called only when the verification executor is selected.
     *
     * @return the core version, such as {@code "2.18.0"}
     * @throws IllegalStateException if the library cannot be loaded, with the loader's reason
     */
    public static String loadNative() {
        try {
            Class<?> tensorflow = Class.forName("org.tensorflow.TensorFlow", true, TensorFlowRuntime.class.getClassLoader());
            return (String) tensorflow.getMethod("version").invoke(null);
        } catch (InvocationTargetException e) {
            throw new IllegalStateException(describe(e.getCause()), e.getCause());
        } catch (ReflectiveOperationException | LinkageError e) {
            throw new IllegalStateException(describe(e), e);
        }
    }

    /**
     * Reads how many devices share the one XLA:CPU runtime of the verification executor, as the cpu backend's virtual
     * devices share its one machine.
     *
     * @param property the setting's name, for the error
     * @param setting its value, if set
     * @return the count, 1 when not set
     * @throws IllegalArgumentException if the value is not a positive integer, naming the setting and the value
     */
    public static int deviceCount(String property, Optional<String> setting) {
        String value = setting.orElse("1").strip();
        try {
            int count = Integer.parseInt(value);
            if (count >= 1) {
                return count;
            }
        } catch (NumberFormatException e) {
            // reported below with the accepted values
        }
        throw new IllegalArgumentException(String.format(Locale.ROOT, "%s must be a positive integer, got '%s'", property, value));
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /**
     * Returns TensorFlow Java's version when its classes are present.
     *
     * @return the version (from the module descriptor or the jar manifest, {@code "unknown"} if neither says), or empty
     *     when TensorFlow Java is absent
     */
    public static Optional<String> version() {
        Class<?> graph;
        try {
            graph = Class.forName(GRAPH_CLASS, false, TensorFlowRuntime.class.getClassLoader());
        } catch (ClassNotFoundException | LinkageError e) {
            return Optional.empty();
        }
        Module module = graph.getModule();
        Optional<String> fromModule = module.getDescriptor() == null ? Optional.empty() : module.getDescriptor().rawVersion();
        return Optional.of(fromModule.or(() -> Optional.ofNullable(graph.getPackage().getImplementationVersion())).orElse("unknown"));
    }
}
