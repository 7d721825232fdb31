package org.vfmtok.nn.io;

import static org.junit.jupiter.api.Assertions.*;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pickle machine on its own: opcode coverage across protocols, and hostile pickles. */
class TorchUnpicklerTest {

    private static Object unpickle(byte[] pickle) throws TorchCheckpointException {
        return new Unpickler(MemorySegment.ofArray(pickle), 0, pickle.length, new TorchGlobals(null)).load();
    }

    private static byte[] bytes(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof String s) out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
            else if (p instanceof Integer i) out.write(i);
            else if (p instanceof byte[] b) out.writeBytes(b);
        }
        return out.toByteArray();
    }

    private static TorchCheckpointException fails(byte[] pickle, String expected) {
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> unpickle(pickle));
        assertTrue(e.getMessage().contains(expected), "'" + expected + "' in: " + e.getMessage());
        return e;
    }

    /** Python wrote the same structure with protocols 1, 2, 4 and 5 (tools/fixtures/make_torch_fixtures.py). */
    @Test
    void plainPicklesOfEveryProtocol() throws Exception {
        List<String> lines = Files.readAllLines(TorchFixtures.path("pickles.txt"));
        assertEquals(4, lines.size());
        for (String line : lines) {
            int proto = Integer.parseInt(line.substring(0, line.indexOf(' ')));
            Map<?, ?> got = (Map<?, ?>) unpickle(HexFormat.of().parseHex(line.substring(line.indexOf(' ') + 1)));
            Map<Object, Object> want = new LinkedHashMap<>();
            want.put("a", java.util.Arrays.asList(1L, -2L, 3.5, null, true, false));
            want.put("b", List.of("x", BigInteger.TWO.pow(70), Long.MIN_VALUE, 65535L, 70000L));
            want.put("c", Map.of("nested", Map.of(1L, "one", List.of(1L, "t"), 2L)));
            want.put("u", "ünï");
            want.put("big", "y".repeat(300));
            want.put("shared", List.of(List.of(7L), List.of(7L)));
            want.put("e", List.of());
            want.put("e1", List.of("one"));
            want.put("neg", -1.5e-300);
            if (proto >= 4) {
                want.put("s", Set.of(1L, 2L));
                want.put("f", Set.of("z"));
                assertArrayEquals(new byte[] {0, (byte) 0xff}, (byte[]) got.get("by"), "protocol " + proto);
            }
            Map<Object, Object> comparable = new LinkedHashMap<>(got);
            comparable.remove("by");
            assertEquals(want, comparable, "protocol " + proto);
            List<?> shared = (List<?>) got.get("shared");
            assertSame(shared.get(0), shared.get(1), "memo keeps identity (protocol " + proto + ")");
            assertInstanceOf(ArrayList.class, got.get("a"), "lists are mutable ArrayLists");
            assertThrows(UnsupportedOperationException.class, () -> ((List<Object>) got.get("b")).add(1L), "tuples are immutable");
        }
    }

    @Test
    void forbiddenGlobalsAreNamedAndNeverRun(@TempDir Path tmp) {
        Path marker = tmp.resolve("pwned");
        String cmd = "touch " + marker;
        // GLOBAL os.system + REDUCE (protocol 2)
        ForbiddenGlobalException e = assertInstanceOf(ForbiddenGlobalException.class,
                fails(bytes(0x80, 2, "cos\nsystem\n", "X", cmd.length(), 0, 0, 0, cmd, 0x85, "R."), "forbidden global os.system"));
        assertEquals("os", e.module());
        assertEquals("system", e.name());
        // STACK_GLOBAL builtins.eval (protocol 4)
        fails(bytes(0x80, 4, 0x8c, 8, "builtins", 0x8c, 4, "eval", 0x93, 0x8c, 1, "1", 0x85, "R."), "forbidden global builtins.eval");
        fails(bytes("cnumpy.core.multiarray\n_reconstruct\n."), "numpy.core.multiarray._reconstruct");
        fails(bytes("ccopyreg\n_reconstructor\n."), "copyreg._reconstructor");
        fails(bytes("ctorch\nload\n."), "torch.load");
        fails(bytes("ctorch\nComplexFloatStorage\n."), "storage type torch.ComplexFloatStorage is not supported");
        assertFalse(Files.exists(marker), "nothing was executed");
    }

    @Test
    void allowedGlobalsValidateTheirArguments() {
        // _rebuild_tensor_v2 with a string where the storage belongs
        fails(bytes(0x80, 2, "ctorch._utils\n_rebuild_tensor_v2\n(X", 1, 0, 0, 0, "xK", 0, ")))", 0x89, "}tR."),
                "tensor storage must be a persistent storage reference");
        fails(bytes("ctorch\nFloatStorage\n)R."), "not callable");
        fails(bytes("ccollections\nOrderedDict\nK", 1, 0x85, "R."), "collections.OrderedDict argument must be a list of pairs");
        fails(bytes("cargparse\nNamespace\n)", 0x81, "K", 1, "b."), "BUILD state of argparse.Namespace must be a dict");
        fails(bytes("c_codecs\nencode\nX", 1, 0, 0, 0, "aX", 5, 0, 0, 0, "utf-7", 0x86, "R."), "encode(str, 'latin1')");
    }

    @Test
    void malformedPicklesFailWithPositions() {
        fails(bytes(0x80, 2, "X", 0xff, 0xff, 0xff, 0x7f, "abc"), "truncated pickle: needs 2147483647 bytes");
        fails(bytes(0x80, 4, 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x40), "truncated pickle");
        fails(bytes(0x80, 2, "j", 9, 0, 0, 0, "."), "memo entry 9 was never stored");
        fails(bytes(0x80, 2, "."), "stack underflow");
        fails(bytes(0x80, 2, "(a."), "stack underflow");
        fails(bytes(0x80, 2, "]e."), "MARK expected");
        fails(bytes(0x80, 2, 0xff), "unsupported pickle opcode 0xff");
        fails(bytes(0x80, 2, "(i__main__\nX\n."), "INST");
        fails(bytes(0x80, 9), "unsupported pickle protocol 9");
        fails(bytes(0x80, 2, ")K", 1, "a."), "APPEND to a tuple");
        fails(bytes(0x80, 2, "}]K", 1, "s."), "unsupported dict/set key of type list");
        fails(bytes(0x80, 2, "}(K", 1, "u."), "odd number of items");
        fails(bytes(0x80, 2, "K", 1, ")R."), "REDUCE applied to a int");
        fails(bytes(0x80, 2, "}}b."), "BUILD on a dict");
        fails(bytes(0x80, 4, 0x95, 0, 0, 0, 0, 0, 0, 0, 0x10, "N."), "FRAME of");
        fails(bytes(0x80, 2, "cos"), "unterminated text argument");
        fails(bytes(0x80, 2, "N"), "truncated pickle");
    }

    @Test
    void deepNestingAndCyclesAreBounded() throws Exception {
        int depth = 200_000;
        byte[] deep = bytes(0x80, 2, "]".repeat(depth), "a".repeat(depth - 1), ".");
        Object nested = unpickle(deep); // iterative machine: no stack overflow
        IllegalStateException tooDeep = assertThrows(IllegalStateException.class, () -> PyTree.flatten(nested));
        assertTrue(tooDeep.getMessage().contains("deeper than"), tooDeep.getMessage());

        Object cyclic = unpickle(bytes(0x80, 2, "]q", 0, "h", 0, "a."));
        assertSame(cyclic, ((List<?>) cyclic).getFirst());
        assertTrue(assertThrows(IllegalStateException.class, () -> PyTree.flatten(cyclic)).getMessage().contains("cyclic"));

        // a tuple key nested deeper than hashing should recurse
        byte[] deepKey = bytes(0x80, 2, "}", "N", String.valueOf((char) 0x85).repeat(100), "N", "s.");
        fails(deepKey, "unsupported dict/set key of type tuple");

        // memo sharing makes DAGs: 2^40 paths through 40 small lists, and a tuple key with 2^14 parts
        String doubling = "q\u0000" + "0" + "](h\u0000h\u0000e";
        Object dag = unpickle(bytes(0x80, 2, "]K", 1, "a", doubling.repeat(40), "."));
        IllegalStateException tooMany = assertThrows(IllegalStateException.class, () -> PyTree.flatten(dag));
        assertTrue(tooMany.getMessage().contains("more than " + PyTree.MAX_VALUES), tooMany.getMessage());
        String tupleDoubling = "q\u0000" + "0" + "h\u0000h\u0000" + (char) 0x86;
        fails(bytes(0x80, 2, "}", "K", 1, 0x85, tupleDoubling.repeat(14), "N", "s."), "unsupported dict/set key of type tuple");
        assertInstanceOf(Map.class, unpickle(bytes(0x80, 2, "}", "K", 1, 0x85, tupleDoubling.repeat(5), "N", "s.")), "small shared tuple keys are fine");
    }

    @Test
    void protocolZeroTextOpcodes() throws Exception {
        assertEquals(List.of(5L, true, 2.5, new BigInteger("123456789012345678901234567890")),
                unpickle(bytes("(lp0\nI5\naI01\naF2.5\naL123456789012345678901234567890L\na.")));
        assertEquals(Map.of(1L, 2L), unpickle(bytes("(dp0\nI1\nI2\ns.")));
    }
}
