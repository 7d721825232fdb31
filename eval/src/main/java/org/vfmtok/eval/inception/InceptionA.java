package org.vfmtok.eval.inception;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pool;

/**
 * pytorch-fid's {@code FIDInceptionA} (Mixed_5b/5c/5d): 1x1, 5x5, double 3x3 and pool branches. The pool
 * branch averages without counting the padding ({@code count_include_pad=False}), as TensorFlow does.
 */
final class InceptionA extends UnaryModule {
    private final BasicConv2d branch1x1, branch5x5_1, branch5x5_2, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3, branchPool;

    InceptionA(int in, int poolFeatures) {
        branch1x1 = register("branch1x1", new BasicConv2d(in, 64, 1, 1, 0));
        branch5x5_1 = register("branch5x5_1", new BasicConv2d(in, 48, 1, 1, 0));
        branch5x5_2 = register("branch5x5_2", new BasicConv2d(48, 64, 5, 1, 2));
        branch3x3dbl_1 = register("branch3x3dbl_1", new BasicConv2d(in, 64, 1, 1, 0));
        branch3x3dbl_2 = register("branch3x3dbl_2", new BasicConv2d(64, 96, 3, 1, 1));
        branch3x3dbl_3 = register("branch3x3dbl_3", new BasicConv2d(96, 96, 3, 1, 1));
        branchPool = register("branch_pool", new BasicConv2d(in, poolFeatures, 1, 1, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor b1 = branch1x1.forward(x);
        Tensor b5 = branch5x5_2.forward(branch5x5_1.forward(x));
        Tensor b3 = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        Tensor bp = branchPool.forward(Pool.avgPool2d(x, 3, 1, 1, false));
        return Indexing.concat(1, b1, b5, b3, bp); // (N, 64 + 64 + 96 + poolFeatures, H, W)
    }
}
