package dev.fusedit.training.optim;

import java.util.List;

/**
 * The learning-rate schedules of diffusers' get_scheduler that the reference configs and our
 * shapes recipes use: "constant", "constant_with_warmup" (linear warm-up over num_warmup_steps,
 * then flat) and "cosine" (the same warm-up, then half a cosine from the base rate down to 0 at
 * {@code totalSteps}, as get_cosine_schedule_with_warmup with num_cycles 0.5).
 *
 * @param totalSteps the run's last optimizer step (the schedule's num_training_steps); only
 *                   "cosine" reads it
 */
public record LearningRate(String name, double base, int warmupSteps, long totalSteps) {
    /** The schedule names this record takes, in the order error messages list them. */
    public static final List<String> NAMES = List.of("constant", "constant_with_warmup", "cosine");

    public LearningRate {
        if (!NAMES.contains(name))
            throw new IllegalArgumentException("lr_scheduler.name '" + name + "' is not supported (constant, constant_with_warmup, cosine are)");
        if (warmupSteps < 0) throw new IllegalArgumentException("lr_scheduler.num_warmup_steps must be >= 0");
        if (name.equals("cosine") && totalSteps <= warmupSteps)
            throw new IllegalArgumentException("lr_scheduler 'cosine' needs trainer.max_steps (" + totalSteps
                    + ") above lr_scheduler.num_warmup_steps (" + warmupSteps + ")");
    }

    /** Learning rate of optimizer step {@code step} (counting from 0, as the scheduler's own counter). */
    public double at(long step) {
        if (name.equals("constant")) return base;
        if (step < warmupSteps) return base * step / (double) Math.max(1, warmupSteps);
        if (name.equals("constant_with_warmup")) return base;
        double progress = (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps);
        return base * Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
    }
}
