package org.vfmtok.nn.train;

import java.io.PrintStream;
import java.util.Locale;
import java.util.ServiceLoader;

/**
 * What the {@link Trainer} reports while it runs when {@link Trainer.Config#progressBar()} is set: one
 * {@link #update} after each optimizer step, then {@link #close}. The library itself ships only
 * {@link #lines}, a dependency-free text report; a terminal front end (the command-line module's
 * progress bar) plugs in through a {@link Factory} found by {@link ServiceLoader}, so that the terminal
 * library stays out of the inference modules' dependencies.
 *
 * <p>A progress reporter is used by the one thread running the training loop.
 */
public interface TrainingProgress extends AutoCloseable {
    /** Called after each optimizer step with the new step number and that step's loss. */
    void update(long step, double loss);

    /** Ends the report (a bar prints its final state); called once when the loop ends or fails. */
    @Override
    void close();

    /** Makes progress reporters; implementations are found with {@link ServiceLoader}. */
    interface Factory {
        /** A reporter for {@code task} that starts at {@code startStep} of {@code totalSteps}. */
        TrainingProgress open(String task, long startStep, long totalSteps);
    }

    /**
     * The first {@link Factory} on the class path or module path, else {@link #lines} on
     * {@code System.err}.
     */
    static TrainingProgress open(String task, long startStep, long totalSteps) {
        return ServiceLoader.load(Factory.class, TrainingProgress.class.getClassLoader()).findFirst()
                .map(f -> f.open(task, startStep, totalSteps))
                .orElseGet(() -> lines(System.err, task, startStep, totalSteps, 10_000));
    }

    /**
     * A plain-text reporter: one line {@code "task: step s/total, loss l"} at most every
     * {@code intervalMillis}, and one for the last step.
     */
    static TrainingProgress lines(PrintStream out, String task, long startStep, long totalSteps, long intervalMillis) {
        return new TrainingProgress() {
            private long lastPrint = System.nanoTime();
            private long step = startStep;
            private double loss = Double.NaN;
            private boolean printedLast = true;

            @Override
            public void update(long s, double l) {
                step = s;
                loss = l;
                printedLast = false;
                long now = System.nanoTime();
                if (s >= totalSteps || now - lastPrint >= intervalMillis * 1_000_000L) {
                    print();
                    lastPrint = now;
                }
            }

            private void print() {
                out.printf(Locale.ROOT, "%s: step %d/%d, loss %.4f%n", task, step, totalSteps, loss);
                printedLast = true;
            }

            @Override
            public void close() {
                if (!printedLast) print();
            }
        };
    }
}
