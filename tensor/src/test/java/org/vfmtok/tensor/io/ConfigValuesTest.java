package org.vfmtok.tensor.io;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigValuesTest {
    @Test
    void integersAreNotTruncated() {
        assertEquals(3, ConfigValues.intValue("depth", 3L));
        assertEquals(3, ConfigValues.intValue("depth", 3.0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.intValue("depth", 2.5));
        assertTrue(e.getMessage().contains("'depth'") && e.getMessage().contains("2.5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.intValue("depth", 1L << 40));
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.intValue("depth", "3"));
        assertThrows(IllegalArgumentException.class, () -> ConfigValues.doubleValue("eps", Double.NaN));
    }

    @Test
    void unknownKeysNameTheNearestKnownOne() {
        List<String> known = List.of("depth", "heads", "ffn_dim");
        ConfigValues.requireKnownKeys(Map.of("depth", 1, "heads", 2), "encoder.", known);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ConfigValues.requireKnownKeys(Map.of("dpeth", 1), "encoder.", known));
        assertTrue(e.getMessage().contains("'encoder.dpeth'") && e.getMessage().contains("did you mean 'encoder.depth'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.requireKnownKeys(Map.of("zzzzzzzz", 1), "", known));
        assertFalse(e.getMessage().contains("did you mean"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConfigValues.requireKnownKeys(Map.of("x\n\u001b[31m", 1), "", known));
        assertFalse(e.getMessage().contains("\n") || e.getMessage().contains("\u001b"), "control characters from a file are escaped");
        assertEquals(2, ConfigValues.levenshtein("dpeth", "depth"));
    }
}
