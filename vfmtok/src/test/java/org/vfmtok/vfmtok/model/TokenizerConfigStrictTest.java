package org.vfmtok.vfmtok.model;

import static org.junit.jupiter.api.Assertions.*;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.vfmtok.vfmtok.train.TokenizerConfigs;

/** The tokenizer config refuses misspelt keys (naming the nearest known one) and fractional integers. */
class TokenizerConfigStrictTest {
    static String demoJson() { return TokenizerConfigs.toJson(TokenizerConfigs.demo()); }

    @Test
    void theWrittenFormAndTheReferenceLayoutReadBack(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("t.json"), demoJson());
        assertEquals(TokenizerConfigs.demo().tokens(), TokenizerConfig.load(f).tokens());
        int read = 0;
        for (String ref : new String[] {"full_config.json", "small_config.json"}) {
            Path p = Path.of("..", "tools", "reference", ref);
            if (Files.exists(p)) {
                TokenizerConfig.load(p); // the reference layout's informational keys are known
                read++;
            }
        }
        assertEquals(2, read, "tools/reference configs found from the module folder");
    }

    @Test
    void misspeltKeysAreRefusedWithTheNearestKnownKey(@TempDir Path dir) throws IOException {
        Path f = Files.writeString(dir.resolve("t.json"), demoJson().replace("\"num_res_blocks\"", "\"num_res_block\""));
        IOException e = assertThrows(IOException.class, () -> TokenizerConfig.load(f));
        assertTrue(e.getMessage().contains("'pixel_decoder.num_res_block'") && e.getMessage().contains("did you mean 'pixel_decoder.num_res_blocks'")
                && e.getMessage().contains("t.json"), e.getMessage());
        Path g = Files.writeString(dir.resolve("g.json"), demoJson().replace("\"codebook_size\"", "\"codebok_size\""));
        e = assertThrows(IOException.class, () -> TokenizerConfig.load(g));
        assertTrue(e.getMessage().contains("did you mean 'codebook_size'"), e.getMessage());
    }

    @Test
    void fractionalIntegersAreRefused(@TempDir Path dir) throws IOException {
        String json = demoJson();
        assertTrue(json.contains("\"image_size\": 24,"), json);
        Path f = Files.writeString(dir.resolve("t.json"), json.replace("\"image_size\": 24,", "\"image_size\": 24.5,"));
        IOException e = assertThrows(IOException.class, () -> TokenizerConfig.load(f));
        assertTrue(e.getMessage().contains("'image_size'") && e.getMessage().contains("24.5"), e.getMessage());
        Path g = Files.writeString(dir.resolve("g.json"), json.replace("\"image_size\": 24,", "\"image_size\": 24.0,"));
        assertEquals(24, TokenizerConfig.load(g).imageSize(), "a whole number written with a fraction part is fine");
    }
}
