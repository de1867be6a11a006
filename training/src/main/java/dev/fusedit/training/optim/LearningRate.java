package dev.fusedit.training.optim;

/**
 * The learning-rate schedules of diffusers' get_scheduler that the reference configs use:
 * "constant" and "constant_with_warmup" (linear warm-up over num_warmup_steps, then flat).
 */
public record LearningRate(String name, double base, int warmupSteps) {
    public LearningRate {
        if (!name.equals("constant") && !name.equals("constant_with_warmup"))
            throw new IllegalArgumentException("lr_scheduler.name '" + name + "' is not supported (constant, constant_with_warmup are)");
        if (warmupSteps < 0) throw new IllegalArgumentException("lr_scheduler.num_warmup_steps must be >= 0");
    }

    /** Learning rate of optimizer step {@code step} (counting from 0, as the scheduler's own counter). */
    public double at(long step) {
        if (name.equals("constant") || warmupSteps == 0 || step >= warmupSteps) return base;
        return base * step / (double) Math.max(1, warmupSteps);
    }
}
