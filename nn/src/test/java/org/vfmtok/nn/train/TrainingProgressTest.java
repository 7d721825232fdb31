package org.vfmtok.nn.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The library's dependency-free progress report: rate-limited lines, always the last step. */
class TrainingProgressTest {
    @Test
    void linesPrintTheLastStepAndNothingInBetweenWithinTheInterval() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TrainingProgress p = TrainingProgress.lines(new PrintStream(bytes, true, StandardCharsets.UTF_8), "train", 0, 3, 3_600_000)) {
            p.update(1, 2.5);
            p.update(2, 2.25);
            p.update(3, 2.0);
        }
        assertEquals("train: step 3/3, loss 2.0000\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void closePrintsAStepThatWasNotReportedYet() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TrainingProgress p = TrainingProgress.lines(new PrintStream(bytes, true, StandardCharsets.UTF_8), "train", 5, 10, 3_600_000)) {
            p.update(6, 1.5);
        }
        assertEquals("train: step 6/10, loss 1.5000\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void everyStepIsPrintedWithAZeroInterval() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TrainingProgress p = TrainingProgress.lines(new PrintStream(bytes, true, StandardCharsets.UTF_8), "t", 0, 2, 0)) {
            p.update(1, 1);
            p.update(2, 0.5);
        }
        assertEquals("t: step 1/2, loss 1.0000\nt: step 2/2, loss 0.5000\n", bytes.toString(StandardCharsets.UTF_8));
    }
}
