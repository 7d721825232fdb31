package org.vfmtok.eval.inception;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pool;

/**
 * pytorch-fid's {@code FIDInceptionE_1} (Mixed_7b: the pool branch averages without counting the padding)
 * and {@code FIDInceptionE_2} (Mixed_7c: the pool branch is a 3x3 max pool, a quirk of the TensorFlow graph
 * that pytorch-fid reproduces).
 */
final class InceptionE extends UnaryModule {
    enum PoolBranch { AVERAGE_WITHOUT_PADDING, MAX }

    private final PoolBranch pool;
    private final BasicConv2d branch1x1, branch3x3_1, branch3x3_2a, branch3x3_2b;
    private final BasicConv2d branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3a, branch3x3dbl_3b, branchPool;

    InceptionE(int in, PoolBranch pool) {
        this.pool = pool;
        branch1x1 = register("branch1x1", new BasicConv2d(in, 320, 1, 1, 0));
        branch3x3_1 = register("branch3x3_1", new BasicConv2d(in, 384, 1, 1, 0));
        branch3x3_2a = register("branch3x3_2a", new BasicConv2d(384, 384, 1, 3, 1, 0, 1));
        branch3x3_2b = register("branch3x3_2b", new BasicConv2d(384, 384, 3, 1, 1, 1, 0));
        branch3x3dbl_1 = register("branch3x3dbl_1", new BasicConv2d(in, 448, 1, 1, 0));
        branch3x3dbl_2 = register("branch3x3dbl_2", new BasicConv2d(448, 384, 3, 1, 1));
        branch3x3dbl_3a = register("branch3x3dbl_3a", new BasicConv2d(384, 384, 1, 3, 1, 0, 1));
        branch3x3dbl_3b = register("branch3x3dbl_3b", new BasicConv2d(384, 384, 3, 1, 1, 1, 0));
        branchPool = register("branch_pool", new BasicConv2d(in, 192, 1, 1, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor b1 = branch1x1.forward(x);
        Tensor b3 = branch3x3_1.forward(x);
        b3 = Indexing.concat(1, branch3x3_2a.forward(b3), branch3x3_2b.forward(b3));
        Tensor bd = branch3x3dbl_2.forward(branch3x3dbl_1.forward(x));
        bd = Indexing.concat(1, branch3x3dbl_3a.forward(bd), branch3x3dbl_3b.forward(bd));
        Tensor pooled = pool == PoolBranch.MAX ? Pool.maxPool2d(x, 3, 1, 1) : Pool.avgPool2d(x, 3, 1, 1, false);
        return Indexing.concat(1, b1, b3, bd, branchPool.forward(pooled)); // (N, 320 + 768 + 768 + 192, H, W)
    }
}
