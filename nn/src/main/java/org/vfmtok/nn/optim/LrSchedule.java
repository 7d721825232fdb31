package org.vfmtok.nn.optim;

/** Learning rate as a function of the step (0-based, before the step's update). */
@FunctionalInterface
public interface LrSchedule {
    double lr(long step);

    static LrSchedule constant(double lr) { return s -> lr; }

    /**
     * Linear warm-up from {@code startLr} to {@code lr} over {@code warmupSteps}, then constant: timm's
     * CosineLRScheduler with lr_min = lr, as the VFMTok tokenizer trains.
     */
    static LrSchedule warmupConstant(double lr, double startLr, long warmupSteps) {
        return s -> s < warmupSteps ? startLr + s * (lr - startLr) / warmupSteps : lr;
    }

    /** Linear warm-up, then half-cosine decay from lr to minLr at totalSteps. */
    static LrSchedule cosine(double lr, double minLr, long warmupSteps, long totalSteps) {
        return s -> {
            if (s < warmupSteps) return lr * (s + 1) / warmupSteps;
            double t = Math.min(1.0, (double) (s - warmupSteps) / Math.max(1, totalSteps - warmupSteps));
            return minLr + 0.5 * (lr - minLr) * (1 + Math.cos(Math.PI * t));
        };
    }
}
