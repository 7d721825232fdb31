package org.vfmtok.eval.inception;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pool;

/**
 * pytorch-fid's {@code FIDInceptionC} (Mixed_6b..6e): 1x1, factorised 7x7, double factorised 7x7 and pool
 * branches; the pool branch averages without counting the padding.
 */
final class InceptionC extends UnaryModule {
    private final BasicConv2d branch1x1;
    private final BasicConv2d branch7x7_1, branch7x7_2, branch7x7_3;
    private final BasicConv2d branch7x7dbl_1, branch7x7dbl_2, branch7x7dbl_3, branch7x7dbl_4, branch7x7dbl_5;
    private final BasicConv2d branchPool;

    InceptionC(int in, int c7) {
        branch1x1 = register("branch1x1", new BasicConv2d(in, 192, 1, 1, 0));
        branch7x7_1 = register("branch7x7_1", new BasicConv2d(in, c7, 1, 1, 0));
        branch7x7_2 = register("branch7x7_2", new BasicConv2d(c7, c7, 1, 7, 1, 0, 3));
        branch7x7_3 = register("branch7x7_3", new BasicConv2d(c7, 192, 7, 1, 1, 3, 0));
        branch7x7dbl_1 = register("branch7x7dbl_1", new BasicConv2d(in, c7, 1, 1, 0));
        branch7x7dbl_2 = register("branch7x7dbl_2", new BasicConv2d(c7, c7, 7, 1, 1, 3, 0));
        branch7x7dbl_3 = register("branch7x7dbl_3", new BasicConv2d(c7, c7, 1, 7, 1, 0, 3));
        branch7x7dbl_4 = register("branch7x7dbl_4", new BasicConv2d(c7, c7, 7, 1, 1, 3, 0));
        branch7x7dbl_5 = register("branch7x7dbl_5", new BasicConv2d(c7, 192, 1, 7, 1, 0, 3));
        branchPool = register("branch_pool", new BasicConv2d(in, 192, 1, 1, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
        return forwardWithBranch1x1(x)[0];
    }

    /**
     * The block's output and its 1x1 branch (N, 192, H, W): for Mixed_6d that branch is the TF graph's
     * {@code mixed_6/conv}, whose first 7 channels are ADM's sFID features.
     */
    Tensor[] forwardWithBranch1x1(Tensor x) {
        Tensor b1 = branch1x1.forward(x);
        Tensor b7 = branch7x7_3.forward(branch7x7_2.forward(branch7x7_1.forward(x)));
        Tensor bd = branch7x7dbl_1.forward(x);
        bd = branch7x7dbl_5.forward(branch7x7dbl_4.forward(branch7x7dbl_3.forward(branch7x7dbl_2.forward(bd))));
        Tensor bp = branchPool.forward(Pool.avgPool2d(x, 3, 1, 1, false));
        return new Tensor[] {Indexing.concat(1, b1, b7, bd, bp), b1}; // (N, 768, H, W), (N, 192, H, W)
    }
}
