package dev.crossbar.backend.neuron;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * An EC2 instance type with Neuron devices. Chips per instance, from the AWS Neuron documentation
 * (awsdocs-neuron.readthedocs-hosted.com) and the EC2 instance type pages (aws.amazon.com/ec2/instance-types):
 * trn1.2xlarge 1, trn1.32xlarge and trn1n.32xlarge 16 ({@code general/arch/neuron-hardware/trn1-arch.html});
 * trn2.48xlarge 16 ({@code training/best-practices.html}); inf2.xlarge and inf2.8xlarge 1, inf2.24xlarge 6,
 * inf2.48xlarge 12 ({@code ec2/instance-types/inf2}; "up to twelve Inferentia2 chips" in
 * {@code general/arch/neuron-hardware/inferentia2.html}).
 *
 * @param name the EC2 name, such as {@code trn1.32xlarge}
 * @param chip the chip the instance carries
 * @param devices the number of chips (Neuron devices, {@code /dev/neuron0..})
 */
record NeuronInstanceType(String name, NeuronChip chip, int devices) {
    static final List<NeuronInstanceType> KNOWN = List.of(
            new NeuronInstanceType("trn1.2xlarge", NeuronChip.TRAINIUM, 1),
            new NeuronInstanceType("trn1.32xlarge", NeuronChip.TRAINIUM, 16),
            new NeuronInstanceType("trn1n.32xlarge", NeuronChip.TRAINIUM, 16),
            new NeuronInstanceType("trn2.48xlarge", NeuronChip.TRAINIUM2, 16),
            new NeuronInstanceType("inf2.xlarge", NeuronChip.INFERENTIA2, 1),
            new NeuronInstanceType("inf2.8xlarge", NeuronChip.INFERENTIA2, 1),
            new NeuronInstanceType("inf2.24xlarge", NeuronChip.INFERENTIA2, 6),
            new NeuronInstanceType("inf2.48xlarge", NeuronChip.INFERENTIA2, 12));

    /**
     * Finds a known instance type by its EC2 name.
     *
     * @throws NeuronConfigurationException naming the known types if the name is not one of them
     */
    static NeuronInstanceType named(String name) {
        return find(name).orElseThrow(() -> new NeuronConfigurationException(String.format(Locale.ROOT,
                "instance type '%s' is not one Crossbar knows the Neuron topology of; known: %s", name,
                KNOWN.stream().map(NeuronInstanceType::name).toList())));
    }

    static Optional<NeuronInstanceType> find(String name) {
        String normalized = name.strip().toLowerCase(Locale.ROOT);
        return KNOWN.stream().filter(type -> type.name.equals(normalized)).findFirst();
    }

    /** Physical NeuronCores on the whole instance. */
    int physicalCores() {
        return devices * chip.physicalCores();
    }
}
