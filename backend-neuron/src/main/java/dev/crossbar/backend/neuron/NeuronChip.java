package dev.crossbar.backend.neuron;

import java.util.List;

/**
 * The Neuron chips (Neuron devices) Crossbar knows, with their physical NeuronCores and the logical NeuronCore
 * configurations ({@code NEURON_LOGICAL_NC_CONFIG}, LNC) the Neuron runtime accepts on them. Sources (AWS Neuron
 * documentation, awsdocs-neuron.readthedocs-hosted.com):
 * <ul>
 *   <li>Trainium: two NeuronCore-v2 per chip ({@code general/arch/neuron-hardware/trainium.html}); only LNC 1
 *       ({@code compiler/error-codes/EARG001.html}: "On trn1, only lnc=1 is supported").
 *   <li>Trainium2: eight physical NeuronCore-v3 per chip ({@code general/arch/neuron-features/logical-neuroncore-config.html});
 *       LNC 1 or 2 ({@code nki/get-started/about/lnc.html}); LNC 2 by default, four logical cores per chip
 *       ({@code training/best-practices.html}).
 *   <li>Inferentia2: two NeuronCore-v2 per chip ({@code general/arch/neuron-hardware/inferentia2.html}); LNC is a
 *       Trainium2 setting, so only LNC 1.
 * </ul>
 */
enum NeuronChip {
    /** Trainium (Trn1, Trn1n). */
    TRAINIUM("Trainium", "NeuronCore-v2", 2, List.of(1), 1),
    /** Trainium2 (Trn2). */
    TRAINIUM2("Trainium2", "NeuronCore-v3", 8, List.of(1, 2), 2),
    /** Inferentia2 (Inf2). */
    INFERENTIA2("Inferentia2", "NeuronCore-v2", 2, List.of(1), 1);

    private final String displayName;
    private final String coreGeneration;
    private final int physicalCores;
    private final List<Integer> logicalCoreConfigs;
    private final int defaultLogicalCoreConfig;

    NeuronChip(String displayName, String coreGeneration, int physicalCores, List<Integer> logicalCoreConfigs, int defaultLogicalCoreConfig) {
        this.displayName = displayName;
        this.coreGeneration = coreGeneration;
        this.physicalCores = physicalCores;
        this.logicalCoreConfigs = logicalCoreConfigs;
        this.defaultLogicalCoreConfig = defaultLogicalCoreConfig;
    }

    String displayName() {
        return displayName;
    }

    String coreGeneration() {
        return coreGeneration;
    }

    /** Physical NeuronCores on one chip. */
    int physicalCores() {
        return physicalCores;
    }

    /** The LNC values the runtime accepts: how many physical cores make one logical core. */
    List<Integer> logicalCoreConfigs() {
        return logicalCoreConfigs;
    }

    /** The LNC the runtime uses when {@code NEURON_LOGICAL_NC_CONFIG} is unset. */
    int defaultLogicalCoreConfig() {
        return defaultLogicalCoreConfig;
    }
}
