package org.vfmtok.cli;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.vfmtok.tensor.cuda.Cuda;
import picocli.CommandLine;

/** {@code --device}: cpu runs, cuda refuses with the reason (here: no GPU), nonsense is named. */
class DeviceOptionTest {
    private static String fail(String... args) {
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine();
        cl.setErr(new PrintWriter(err, true));
        cl.setOut(new PrintWriter(new StringWriter(), true));
        assertEquals(2, cl.execute(args), err.toString());
        return err.toString();
    }

    @Test
    void cudaWithoutAGpuAndUnknownDevicesAreRefusedByName() {
        assumeTrue(Cuda.deviceCount() == 0, "this check is for machines without a GPU");
        for (String cmd : new String[] {"train-ar", "train-tokenizer"}) {
            String e = fail(cmd, "--device", "cuda", "--out", "/nonexistent/run");
            assertTrue(e.contains("--device cuda: no CUDA device is visible (unavailable: "), e);
            assertTrue(e.contains("use --device cpu"), e);
        }
        String e = fail("train-ar", "--device", "tpu", "--out", "/nonexistent/run");
        assertTrue(e.contains("--device tpu: expected cpu, cuda or cuda:N"), e);
    }

    @Test
    void everyModelCommandHasTheOption() {
        CommandLine cl = Main.commandLine();
        for (String cmd : new String[] {"train-tokenizer", "train-ar", "extract-codes", "generate", "tokenize", "detokenize", "reconstruct"}) {
            assertNotNull(cl.getSubcommands().get(cmd).getCommandSpec().findOption("--device"), cmd);
        }
    }
}
