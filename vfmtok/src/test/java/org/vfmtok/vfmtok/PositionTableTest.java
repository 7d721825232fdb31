package org.vfmtok.vfmtok;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Scope;
import org.vfmtok.tensor.Tensor;
import org.vfmtok.tensor.io.Npy;
import org.vfmtok.tensor.ops.Indexing;
import org.vfmtok.vfmtok.model.DecoderViT;

/**
 * The two interpolation traps at the official geometry (spec §1.2, §1.6): DINOv2's 37→24 antialiased
 * bicubic (a = −0.5) and the decoder's 24→21 bicubic with scale factor 21.1/24, against torch.
 */
class PositionTableTest {
    private static Tensor npy(String name) throws Exception {
        return Npy.read(Path.of(PositionTableTest.class.getResource("/fixtures/small/" + name + ".npy").toURI()));
    }

    @Test
    void dinov2PosEmbed37To24() throws Exception {
        try (Scope s = Scope.open()) {
            Tensor in = npy("unit_dino_pos_full_in"); // (1, 1370, 8)
            Tensor out = org.vfmtok.vfmtok.vfm.PosEmbed.resize(in, 37, 24, 24);
            SmallTokenizerParityTest.assertAbsolute("DINOv2 pos-embed 37->24", npy("unit_dino_pos_full_out"), out, 1e-5);
        }
    }

    @Test
    void decoderTable24To21WithScale21Point1() throws Exception {
        try (Scope s = Scope.open()) {
            Tensor in = npy("unit_dec_pos_full_in"); // (1, 577, 8)
            Tensor grid = DecoderViT.resizePositions(in.narrow(1, 1, 576), 24, 21);
            Tensor out = Indexing.concat(1, in.narrow(1, 0, 1), grid);
            SmallTokenizerParityTest.assertAbsolute("decoder pos table 24->21 (21.1/24)", npy("unit_dec_pos_full_out"), out, 1e-5);
        }
    }
}
