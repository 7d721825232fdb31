package org.vfmtok.tensor.io;

import static org.junit.jupiter.api.Assertions.*;

import org.junit.jupiter.api.Test;

class TerminalTextTest {
    @Test
    void controlCharactersAndBidiOverridesBecomeVisibleEscapes() {
        String key = "model.w\nvfm inspect: \u001b[31mforged\u001b[0m\r\t\u0000\u007f\u009b\u202e\u2028";
        String shown = TerminalText.escape(key);
        assertEquals("model.w\\nvfm inspect: \\x1b[31mforged\\x1b[0m\\r\\t\\x00\\x7f\\x9b\\u202e\\u2028", shown);
        for (char c : shown.toCharArray()) assertTrue(c >= 0x20 && c != 0x7f, "printable: " + (int) c);
    }

    @Test
    void escapingIsIdempotentAndLeavesPlainTextAlone() {
        String plain = "decoder.conv_in.weight \\n é 漢字 [2,3]";
        assertSame(plain, TerminalText.escape(plain));
        String once = TerminalText.escape("a\nb\u001b");
        assertEquals(once, TerminalText.escape(once));
        assertEquals("null", TerminalText.escape(null));
    }

    @Test
    void longTextIsCutSayingHowLongItWas() {
        assertEquals("abc...(10 chars)", TerminalText.escape("abcdefghij", 3));
        assertEquals("\\n\\n...(6 chars)", TerminalText.escape("\n\n\n", 4));
    }
}
