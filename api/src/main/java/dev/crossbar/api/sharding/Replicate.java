package dev.crossbar.api.sharding;

/** Every rank of the mesh axis holds the whole tensor (along that axis). */
public record Replicate() implements Placement {
    static final Replicate INSTANCE = new Replicate();
}
