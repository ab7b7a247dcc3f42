package dev.crossbar.backend.neuron;

import dev.crossbar.api.CrossbarException;

/** A Neuron setting, topology or program that cannot work: the message names the value, what is possible, and the fix. */
final class NeuronConfigurationException extends CrossbarException {
    NeuronConfigurationException(String message) {
        super(message);
    }
}
