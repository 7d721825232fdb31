package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Tensor;

/** Output naming and code shapes: no output overwrites another, no shape is guessed. */
class OutputSafetyTest {
    @Test
    void inputsOfTheSameNameGetDistinctOutputs() {
        List<Path> in = List.of(Path.of("a/x.png"), Path.of("b/x.png"), Path.of("c/X.jpg"), Path.of("x-1.png"), Path.of("x.input.jpg"), Path.of("y.png"));
        List<String> names = OutputNames.unique(in, List.of(".png", ".input.png"));
        assertEquals(List.of("x", "x-1", "X-2", "x-1-1", "x.input-1", "y"), names);
        // every file the command writes is distinct, ignoring case
        java.util.Set<String> files = new java.util.HashSet<>();
        for (String n : names) for (String s : List.of(".png", ".input.png")) assertTrue(files.add((n + s).toLowerCase()), n + s);
        assertEquals(names, OutputNames.unique(in, List.of(".png", ".input.png")), "deterministic");
    }

    @Test
    void detokenizeAcceptsOnlyRowsOfTheTokenizersLength() {
        Path f = Path.of("codes.npy");
        assertArrayEquals(new int[] {1, 4}, DetokenizeCommand.codeRows(Tensor.ofLongs(new long[] {1, 2, 3, 4}, 4), 4, f).shape(),
                "a 1-D array of exactly `tokens` codes is one image");
        assertArrayEquals(new int[] {2, 4}, DetokenizeCommand.codeRows(Tensor.ofLongs(new long[8], 2, 4), 4, f).shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DetokenizeCommand.codeRows(Tensor.ofLongs(new long[0], 0), 4, f));
        assertTrue(e.getMessage().contains("empty") && e.getMessage().contains("codes.npy"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DetokenizeCommand.codeRows(Tensor.ofLongs(new long[0], 0, 4), 4, f));
        assertTrue(e.getMessage().contains("empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DetokenizeCommand.codeRows(Tensor.ofLongs(new long[8], 8), 4, f));
        assertTrue(e.getMessage().contains("1-D") && e.getMessage().contains("4 codes"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> DetokenizeCommand.codeRows(Tensor.ofLongs(new long[6], 2, 3), 4, f));
        assertTrue(e.getMessage().contains("(N, 4)") && e.getMessage().contains("[2, 3]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> DetokenizeCommand.codeRows(Tensor.ofLongs(new long[8], 2, 1, 4), 4, f));
    }
}
