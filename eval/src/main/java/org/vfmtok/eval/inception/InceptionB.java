package org.vfmtok.eval.inception;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pool;

/** torchvision's {@code InceptionB} (Mixed_6a, unpatched by pytorch-fid): the 35 → 17 grid reduction. */
final class InceptionB extends UnaryModule {
    private final BasicConv2d branch3x3, branch3x3dbl_1, branch3x3dbl_2, branch3x3dbl_3;

    InceptionB(int in) {
        branch3x3 = register("branch3x3", new BasicConv2d(in, 384, 3, 2, 0));
        branch3x3dbl_1 = register("branch3x3dbl_1", new BasicConv2d(in, 64, 1, 1, 0));
        branch3x3dbl_2 = register("branch3x3dbl_2", new BasicConv2d(64, 96, 3, 1, 1));
        branch3x3dbl_3 = register("branch3x3dbl_3", new BasicConv2d(96, 96, 3, 2, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor b3 = branch3x3.forward(x);
        Tensor bd = branch3x3dbl_3.forward(branch3x3dbl_2.forward(branch3x3dbl_1.forward(x)));
        Tensor bp = Pool.maxPool2d(x, 3, 2, 0);
        return Indexing.concat(1, b3, bd, bp); // (N, 384 + 96 + in, H', W')
    }
}
