package org.vfmtok.nn.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.tensor.Tensor;

/**
 * Checkpoints over 4 GB (the larger GPT models) are ZIP64 archives. A real one is too big for a test,
 * so a small archive is rewritten into the ZIP64 form: every central record gets 0xFFFFFFFF sizes and
 * offset plus a ZIP64 extra field, and the end record points to a ZIP64 end record via its locator.
 */
class TorchZip64Test {

    @Test
    void zip64ArchiveReadsLikeTheOriginal(@TempDir Path tmp) throws Exception {
        Path original = TorchFixtures.path("shared.pt");
        Path zip64 = Files.write(tmp.resolve("shared64.pt"), toZip64(Files.readAllBytes(original)));
        try (TorchCheckpoint want = TorchCheckpoint.open(original); TorchCheckpoint got = TorchCheckpoint.open(zip64)) {
            Map<String, Tensor> w = want.tensors(""), g = got.tensors("");
            assertEquals(w.keySet(), g.keySet());
            for (String k : w.keySet()) {
                assertArrayEquals(w.get(k).toDoubleArray(), g.get(k).toDoubleArray(), 0.0, k);
                assertArrayEquals(w.get(k).strides(), g.get(k).strides(), k);
            }
            assertTrue(g.get("base").segment().isMapped());
            assertSame(g.get("base").storage(), g.get("transposed").storage());
        }
    }

    static byte[] toZip64(byte[] zip) {
        ByteBuffer in = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int eocd = zip.length - 22;
        while (in.getInt(eocd) != 0x06054b50) eocd--;
        int count = in.getShort(eocd + 10) & 0xFFFF;
        int cdOffset = in.getInt(eocd + 16);
        ByteBuffer out = ByteBuffer.allocate(zip.length + count * 28 + 200).order(ByteOrder.LITTLE_ENDIAN);
        out.put(zip, 0, cdOffset); // local headers and data unchanged
        int p = cdOffset;
        for (int i = 0; i < count; i++) {
            int nameLen = in.getShort(p + 28) & 0xFFFF, extraLen = in.getShort(p + 30) & 0xFFFF, commentLen = in.getShort(p + 32) & 0xFFFF;
            long csize = Integer.toUnsignedLong(in.getInt(p + 20)), usize = Integer.toUnsignedLong(in.getInt(p + 24));
            long local = Integer.toUnsignedLong(in.getInt(p + 42));
            int start = out.position();
            out.put(zip, p, 46);
            out.putInt(start + 20, -1).putInt(start + 24, -1).putInt(start + 42, -1).putShort(start + 30, (short) (extraLen + 28));
            out.put(zip, p + 46, nameLen);
            out.putShort((short) 1).putShort((short) 24).putLong(usize).putLong(csize).putLong(local);
            out.put(zip, p + 46 + nameLen, extraLen + commentLen);
            p += 46 + nameLen + extraLen + commentLen;
        }
        long cdSize = out.position() - cdOffset;
        long zip64End = out.position();
        out.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45).putInt(0).putInt(0)
                .putLong(count).putLong(count).putLong(cdSize).putLong(cdOffset);
        out.putInt(0x07064b50).putInt(0).putLong(zip64End).putInt(1);
        out.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) -1).putShort((short) -1).putInt(-1).putInt(-1).putShort((short) 0);
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.write(out.array(), 0, out.position());
        return b.toByteArray();
    }
}
