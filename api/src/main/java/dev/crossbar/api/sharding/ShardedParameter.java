package dev.crossbar.api.sharding;

import dev.crossbar.api.Shape;
import dev.crossbar.api.Tensor;
import dev.crossbar.api.nn.Parameter;

/** One parameter of a sharded unit: its full shape and where its shard sits in the unit's flat buffer. */
final class ShardedParameter {
    final String name;
    final Parameter parameter;
    /** The parameter's own shape; a scalar is sharded as {@code [1]}. */
    final Shape fullShape;
    /** The shape that is split on dim 0: {@link #fullShape}, or {@code [1]} for a scalar. */
    final Shape shardedShape;
    final int rows;
    final int chunk;
    final int[] shardDims;
    /** Elements of the shard: {@code chunk} rows. */
    final int numel;
    /** Where the shard starts in the unit's flattened shards. */
    final int offset;
    Tensor shard;

    ShardedParameter(String name, Parameter parameter, int parts, int offset) {
        this.name = name;
        this.parameter = parameter;
        this.fullShape = parameter.value().shape();
        this.shardedShape = fullShape.rank() == 0 ? Shape.of(1) : fullShape;
        this.rows = shardedShape.dim(0);
        this.chunk = Shard.chunk(rows, parts);
        this.shardDims = shardedShape.dims();
        shardDims[0] = chunk;
        this.numel = Math.toIntExact(Shape.of(shardDims).size());
        this.offset = offset;
    }

    /** Elements per row of dim 0. */
    int rowNumel() {
        return chunk == 0 ? 0 : numel / chunk;
    }
}
