package dev.crossbar.backend.xla.pjrt.archfixture;

/** Stands for a class of backend-xla's exported PJRT package. */
public class PjrtClientFixture {
}
