package org.vfmtok.eval.inception;

import org.vfmtok.nn.UnaryModule;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.tensor.ops.Pool;

/** torchvision's {@code InceptionD} (Mixed_7a, unpatched by pytorch-fid): the 17 → 8 grid reduction. */
final class InceptionD extends UnaryModule {
    private final BasicConv2d branch3x3_1, branch3x3_2, branch7x7x3_1, branch7x7x3_2, branch7x7x3_3, branch7x7x3_4;

    InceptionD(int in) {
        branch3x3_1 = register("branch3x3_1", new BasicConv2d(in, 192, 1, 1, 0));
        branch3x3_2 = register("branch3x3_2", new BasicConv2d(192, 320, 3, 2, 0));
        branch7x7x3_1 = register("branch7x7x3_1", new BasicConv2d(in, 192, 1, 1, 0));
        branch7x7x3_2 = register("branch7x7x3_2", new BasicConv2d(192, 192, 1, 7, 1, 0, 3));
        branch7x7x3_3 = register("branch7x7x3_3", new BasicConv2d(192, 192, 7, 1, 1, 3, 0));
        branch7x7x3_4 = register("branch7x7x3_4", new BasicConv2d(192, 192, 3, 2, 0));
    }

    @Override
    public Tensor forward(Tensor x) {
        Tensor b3 = branch3x3_2.forward(branch3x3_1.forward(x));
        Tensor b7 = branch7x7x3_4.forward(branch7x7x3_3.forward(branch7x7x3_2.forward(branch7x7x3_1.forward(x))));
        Tensor bp = Pool.maxPool2d(x, 3, 2, 0);
        return Indexing.concat(1, b3, b7, bp); // (N, 320 + 192 + in, H', W')
    }
}
