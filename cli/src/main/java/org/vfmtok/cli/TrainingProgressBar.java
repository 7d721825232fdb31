package org.vfmtok.cli;

import java.util.Locale;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.vfmtok.nn.train.TrainingProgress;

/**
 * The training loop's progress as a terminal bar (steps, rate, ETA, last loss). Registered as the
 * {@link TrainingProgress.Factory} service of this module, so the progress-bar library is a dependency
 * of the command line only, never of the library modules.
 */
public final class TrainingProgressBar implements TrainingProgress {
    private final ProgressBar bar;

    TrainingProgressBar(String task, long startStep, long totalSteps) {
        bar = new ProgressBarBuilder().setTaskName(task).setInitialMax(totalSteps)
                .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).showSpeed().build();
        bar.stepTo(startStep);
    }

    @Override
    public void update(long step, double loss) {
        bar.stepTo(step);
        bar.setExtraMessage(String.format(Locale.ROOT, "loss %.4f", loss));
    }

    @Override
    public void close() { bar.close(); }

    /** The service entry point found by {@link TrainingProgress#open}. */
    public static final class Factory implements TrainingProgress.Factory {
        @Override
        public TrainingProgress open(String task, long startStep, long totalSteps) {
            return new TrainingProgressBar(task, startStep, totalSteps);
        }
    }
}
