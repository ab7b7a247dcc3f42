package dev.crossbar.backend.neuron;

import dev.crossbar.api.distributed.DeviceMesh;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;

/**
 * The NeuronCores one process may use on one instance, as the Neuron runtime reads its environment, and how ranks and
 * device meshes map onto them. One rank runs on one logical NeuronCore; ranks are numbered node by node, so rank
 * {@code r} runs on node {@code r / coresPerNode} on the {@code (r % coresPerNode)}-th visible core.
 *
 * <p>The runtime's settings (AWS Neuron documentation, {@code neuron-runtime/nrt-configurable-parameters.html} and
 * {@code general/arch/neuron-features/logical-neuroncore-config.html}):
 * <ul>
 *   <li>{@code NEURON_LOGICAL_NC_CONFIG}: physical cores per logical core (LNC), among the values the chip accepts;
 *   <li>{@code NEURON_RT_VISIBLE_CORES}: one logical core index or an inclusive range such as {@code 4-7};
 *   <li>{@code NEURON_RT_NUM_CORES}: a count of cores, 0 meaning all.
 * </ul>
 * Both core settings at once are accepted only when they agree on the count.
 */
final class NeuronTopology {
    static final String LOGICAL_CORE_CONFIG = "NEURON_LOGICAL_NC_CONFIG";
    static final String VISIBLE_CORES = "NEURON_RT_VISIBLE_CORES";
    static final String NUM_CORES = "NEURON_RT_NUM_CORES";
    private static final Pattern CORE_SET = Pattern.compile("(\\d+)(?:-(\\d+))?");

    private final NeuronInstanceType instance;
    private final int logicalCoreConfig;
    private final List<Integer> visibleCores;

    private NeuronTopology(NeuronInstanceType instance, int logicalCoreConfig, List<Integer> visibleCores) {
        this.instance = instance;
        this.logicalCoreConfig = logicalCoreConfig;
        this.visibleCores = List.copyOf(visibleCores);
    }

    /**
     * Reads and validates the Neuron runtime's core settings for an instance type.
     *
     * @param instance the instance
     * @param environment the process environment
     * @return the topology
     * @throws NeuronConfigurationException naming the setting, its value and what the instance offers
     */
    static NeuronTopology of(NeuronInstanceType instance, UnaryOperator<String> environment) {
        int lnc = logicalCoreConfig(instance, setting(environment, LOGICAL_CORE_CONFIG));
        int logicalCores = instance.physicalCores() / lnc;
        Optional<String> visible = setting(environment, VISIBLE_CORES);
        Optional<String> count = setting(environment, NUM_CORES);
        List<Integer> cores = visible.map(value -> parseVisibleCores(instance, lnc, logicalCores, value))
                .orElseGet(() -> IntStream.range(0, logicalCores).boxed().toList());
        if (count.isPresent()) {
            int requested = parseCount(instance, lnc, logicalCores, count.get());
            if (visible.isPresent() && requested != 0 && requested != cores.size()) {
                throw new NeuronConfigurationException(String.format(Locale.ROOT,
                        "%s=%s names %d cores but %s=%s asks for %d; set only one of them, or make them agree",
                        VISIBLE_CORES, visible.get(), cores.size(), NUM_CORES, count.get(), requested));
            }
            if (visible.isEmpty() && requested != 0) {
                cores = cores.subList(0, requested);
            }
        }
        return new NeuronTopology(instance, lnc, cores);
    }

    private static Optional<String> setting(UnaryOperator<String> environment, String name) {
        return Optional.ofNullable(environment.apply(name)).map(String::strip).filter(value -> !value.isEmpty());
    }

    private static int logicalCoreConfig(NeuronInstanceType instance, Optional<String> setting) {
        if (setting.isEmpty()) {
            return instance.chip().defaultLogicalCoreConfig();
        }
        List<Integer> supported = instance.chip().logicalCoreConfigs();
        try {
            int value = Integer.parseInt(setting.get());
            if (supported.contains(value)) {
                return value;
            }
        } catch (NumberFormatException e) {
            // Reported below with the values the chip accepts.
        }
        throw new NeuronConfigurationException(String.format(Locale.ROOT,
                "%s=%s is not supported on %s (%s): the logical NeuronCore configurations it accepts are %s",
                LOGICAL_CORE_CONFIG, setting.get(), instance.name(), instance.chip().displayName(), supported));
    }

    private static List<Integer> parseVisibleCores(NeuronInstanceType instance, int lnc, int logicalCores, String value) {
        Matcher matcher = CORE_SET.matcher(value);
        if (!matcher.matches()) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT,
                    "%s=%s is neither a core index nor an inclusive range such as 0-3", VISIBLE_CORES, value));
        }
        int first = Integer.parseInt(matcher.group(1));
        int last = matcher.group(2) == null ? first : Integer.parseInt(matcher.group(2));
        if (first > last || last >= logicalCores) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT,
                    "%s=%s names cores that do not exist: %s has logical NeuronCores 0-%d (%s)",
                    VISIBLE_CORES, value, instance.name(), logicalCores - 1, describeCores(instance, lnc)));
        }
        return IntStream.rangeClosed(first, last).boxed().toList();
    }

    private static int parseCount(NeuronInstanceType instance, int lnc, int logicalCores, String value) {
        try {
            int count = Integer.parseInt(value);
            if (count >= 0 && count <= logicalCores) {
                return count;
            }
        } catch (NumberFormatException e) {
            // Reported below with the range the instance offers.
        }
        throw new NeuronConfigurationException(String.format(Locale.ROOT,
                "%s=%s is not a core count this instance has: %s has %d logical NeuronCores (%s); use 1 to %d, or 0 for all",
                NUM_CORES, value, instance.name(), logicalCores, describeCores(instance, lnc), logicalCores));
    }

    private static String describeCores(NeuronInstanceType instance, int lnc) {
        return String.format(Locale.ROOT, "%d %s chips x %d physical %s, %s=%d", instance.devices(), instance.chip().displayName(),
                instance.chip().physicalCores(), instance.chip().coreGeneration(), LOGICAL_CORE_CONFIG, lnc);
    }

    NeuronInstanceType instance() {
        return instance;
    }

    int logicalCoreConfig() {
        return logicalCoreConfig;
    }

    /** Logical NeuronCores on the instance. */
    int logicalCores() {
        return instance.physicalCores() / logicalCoreConfig;
    }

    /** Logical NeuronCores on one chip. */
    int logicalCoresPerDevice() {
        return instance.chip().physicalCores() / logicalCoreConfig;
    }

    /** The logical cores this process may use, in rank order. */
    List<Integer> visibleCores() {
        return visibleCores;
    }

    /** The chip (Neuron device index) holding a logical core. */
    int deviceOf(int logicalCore) {
        return logicalCore / logicalCoresPerDevice();
    }

    /**
     * Returns the logical core a rank runs on, on its node.
     *
     * @throws NeuronConfigurationException if the rank is beyond the visible cores of all nodes
     */
    int coreOfRank(int rank, int nodes) {
        requireRank(rank, nodes);
        return visibleCores.get(rank % visibleCores.size());
    }

    /** Returns the node a rank runs on. */
    int nodeOfRank(int rank, int nodes) {
        requireRank(rank, nodes);
        return rank / visibleCores.size();
    }

    private void requireRank(int rank, int nodes) {
        int world = worldSize(nodes);
        if (rank < 0 || rank >= world) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT,
                    "rank %d does not exist: %d node(s) x %d visible NeuronCores (%s) give ranks 0-%d",
                    rank, nodes, visibleCores.size(), visibleCoresText(), world - 1));
        }
    }

    /** Ranks on {@code nodes} instances of this topology: one per visible core. */
    int worldSize(int nodes) {
        if (nodes < 1) {
            throw new NeuronConfigurationException("a Neuron job runs on at least 1 node, not " + nodes);
        }
        return Math.multiplyExact(nodes, visibleCores.size());
    }

    /**
     * Checks that every rank of a device mesh runs on a visible logical core of one of the {@code nodes} instances.
     *
     * @throws NeuronConfigurationException naming the mesh, the ranks without a core, the cores and the fix
     */
    void checkMesh(DeviceMesh mesh, int nodes) {
        requireCores("device mesh " + mesh, mesh.ranks(), nodes);
    }

    /**
     * Checks a process group about to be created on NeuronCores: every rank must run on a visible logical core of one of
     * the {@code nodes} instances, since its collectives' replica groups name those cores.
     *
     * @param group the group's name, for the message
     * @param ranks the group's global ranks
     * @param nodes the instances of the job
     * @return the logical core of each rank, in group order
     * @throws NeuronConfigurationException naming the group, the ranks without a core, the cores and the fix
     */
    List<Integer> checkGroup(String group, List<Integer> ranks, int nodes) {
        requireCores("process group " + group, ranks, nodes);
        return ranks.stream().map(rank -> coreOfRank(rank, nodes)).toList();
    }

    private void requireCores(String what, List<Integer> ranks, int nodes) {
        int world = worldSize(nodes);
        List<Integer> beyond = ranks.stream().filter(rank -> rank < 0 || rank >= world).toList();
        if (!beyond.isEmpty()) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT,
                    "%s needs a NeuronCore for rank(s) %s, but %d node(s) x %d visible cores (%s on %s, %s=%d) give ranks 0-%d;"
                            + " run at most %d ranks per node, or make more cores visible with %s",
                    what, beyond, nodes, visibleCores.size(), visibleCoresText(), instance.name(), LOGICAL_CORE_CONFIG, logicalCoreConfig, world - 1,
                    visibleCores.size(), VISIBLE_CORES));
        }
    }

    /**
     * Checks the mesh FSDP or HSDP is about to shard over: a 1-D mesh as {@link #checkFsdpMesh}, a 2-D mesh (axis 0
     * replicates, axis 1 shards, as {@code Fsdp.fullyShard} reads it) as {@link #checkHsdpMesh}.
     *
     * @throws NeuronConfigurationException naming the mesh, the cores and the fix
     */
    void checkShardingMesh(DeviceMesh mesh, int nodes) {
        if (mesh.ndim() == 2) {
            checkHsdpMesh(mesh, nodes, mesh.axisNames().get(0), mesh.axisNames().get(1));
        } else {
            checkFsdpMesh(mesh, nodes);
        }
    }

    /**
     * Checks an FSDP mesh: one dimension, each rank on a visible core.
     *
     * @throws NeuronConfigurationException naming the mesh and the cores
     */
    void checkFsdpMesh(DeviceMesh mesh, int nodes) {
        if (mesh.ndim() != 1) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT,
                    "FSDP shards over a 1-D device mesh, not %s; use HSDP for a 2-D (replicate x shard) mesh", mesh));
        }
        checkMesh(mesh, nodes);
    }

    /**
     * Checks an HSDP mesh: two dimensions, replicate x shard, where every shard group stays on one instance so that
     * the per-layer all-gathers and reduce-scatters run over NeuronLink, and only the gradient all-reduce across
     * replicas crosses the network (EFA) between instances.
     *
     * @throws NeuronConfigurationException naming the mesh, the group and the nodes it spans
     */
    void checkHsdpMesh(DeviceMesh mesh, int nodes, String replicateAxis, String shardAxis) {
        if (mesh.ndim() != 2 || !mesh.axisNames().contains(replicateAxis) || !mesh.axisNames().contains(shardAxis)) {
            throw new NeuronConfigurationException(String.format(Locale.ROOT,
                    "HSDP needs a 2-D device mesh with axes '%s' and '%s', not %s", replicateAxis, shardAxis, mesh));
        }
        checkMesh(mesh, nodes);
        for (List<Integer> group : mesh.groupsAlong(shardAxis)) {
            List<Integer> groupNodes = group.stream().map(rank -> nodeOfRank(rank, nodes)).distinct().sorted().toList();
            if (groupNodes.size() > 1) {
                throw new NeuronConfigurationException(String.format(Locale.ROOT,
                        "HSDP shard group %s of mesh %s spans nodes %s; each shard group must stay on one instance (%d visible NeuronCores"
                                + " per node), so make the '%s' axis at most %d long and a divisor of it",
                        group, mesh, groupNodes, visibleCores.size(), shardAxis, visibleCores.size()));
            }
        }
    }

    /**
     * Returns the setting that pins the process of a rank to its core, for launchers that start one process per core.
     *
     * @return such as {@code NEURON_RT_VISIBLE_CORES=5}
     */
    String visibleCoresSettingForRank(int rank, int nodes) {
        return VISIBLE_CORES + "=" + coreOfRank(rank, nodes);
    }

    private String visibleCoresText() {
        int first = visibleCores.getFirst();
        int last = visibleCores.getLast();
        return first == last ? "core " + first : "cores " + first + "-" + last;
    }

    @Override
    public String toString() {
        return String.format(Locale.ROOT, "%s: %d %s chips, %s=%d, %d logical NeuronCores, visible %s", instance.name(), instance.devices(),
                instance.chip().displayName(), LOGICAL_CORE_CONFIG, logicalCoreConfig, logicalCores(), visibleCoresText());
    }
}
