/**
 * Collective communication between ranks: {@link dev.crossbar.api.distributed.DeviceMesh} arranges ranks on named
 * axes, {@link dev.crossbar.api.distributed.ProcessGroup} runs collectives (all-reduce, all-gather, reduce-scatter,
 * broadcast, all-to-all, send/recv, barrier) among the ranks of a group, and
 * {@link dev.crossbar.api.distributed.InProcessSpmd} runs one rank per device of one backend in this JVM.
 *
 * <p>Every collective has a timeout and fails with {@link dev.crossbar.api.distributed.CollectiveTimeoutException}
 * naming the ranks that never arrived; ranks that disagree on a collective fail with
 * {@link dev.crossbar.api.distributed.CollectiveMismatchException}. A collective never hangs.
 */
package dev.crossbar.api.distributed;
