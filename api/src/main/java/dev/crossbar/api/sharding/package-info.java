/**
 * Sharding: placements of a tensor over the axes of a {@link dev.crossbar.api.distributed.DeviceMesh}
 * ({@link dev.crossbar.api.sharding.Shard}, {@link dev.crossbar.api.sharding.Replicate},
 * {@link dev.crossbar.api.sharding.Partial}), distributed tensors ({@link dev.crossbar.api.sharding.DTensor}), and
 * fully sharded data parallelism with PyTorch FSDP2's semantics ({@link dev.crossbar.api.sharding.Fsdp}).
 */
package dev.crossbar.api.sharding;
