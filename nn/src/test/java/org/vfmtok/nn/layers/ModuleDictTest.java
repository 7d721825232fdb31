package org.vfmtok.nn.layers;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.Rng;

class ModuleDictTest {
    @Test
    void childrenAreKeyedAndTypedWithoutCasts() {
        Rng rng = new Rng(1);
        ModuleDict<Linear> heads = new ModuleDict<Linear>().put("cls", new Linear(4, 3, true, rng)).put("box", new Linear(4, 2, false, rng));
        assertEquals(List.of("cls.weight", "cls.bias", "box.weight"), List.copyOf(heads.stateDict().keySet()));
        Linear box = heads.get("box");
        assertArrayEquals(new int[] {2, 4}, box.weight.shape());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> heads.get("mask"));
        assertEquals("no module 'mask' in [cls, box]", e.getMessage());
    }
}
