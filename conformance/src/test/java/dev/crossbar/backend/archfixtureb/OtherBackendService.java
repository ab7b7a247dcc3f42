package dev.crossbar.backend.archfixtureb;

/** A class of another backend. */
public class OtherBackendService {
}
