package dev.fusedit.training.optim;

import java.util.List;

/**
 * The learning-rate schedules of diffusers' get_scheduler that the reference configs and our
 * shapes recipes use: "constant", "constant_with_warmup" (linear warm-up over num_warmup_steps,
 * then flat) and "cosine" (the same warm-up, then half a cosine from the base rate down to 0 at
 * {@code totalSteps}, as get_cosine_schedule_with_warmup with num_cycles 0.5), plus one that
 * diffusers lacks: "warmup_stable_decay" (the warm-up, flat, then a straight line down to 0 over the
 * last {@code decaySteps} steps). The last lets a constant-rate run be cooled down later by resuming
 * it with a longer max_steps: up to the decay its rates equal those of constant_with_warmup.
 *
 * @param totalSteps the run's last optimizer step (the schedule's num_training_steps); "cosine"
 *                   and "warmup_stable_decay" read it
 * @param decaySteps how many steps "warmup_stable_decay" spends going down to 0 (the others ignore it)
 */
public record LearningRate(String name, double base, int warmupSteps, long totalSteps, int decaySteps) {
    /** The schedule names this record takes, in the order error messages list them. */
    public static final List<String> NAMES = List.of("constant", "constant_with_warmup", "cosine", "warmup_stable_decay");

    public LearningRate(String name, double base, int warmupSteps, long totalSteps) {
        this(name, base, warmupSteps, totalSteps, 0);
    }

    public LearningRate {
        if (!NAMES.contains(name))
            throw new IllegalArgumentException("lr_scheduler.name '" + name + "' is not supported (" + String.join(", ", NAMES) + " are)");
        if (warmupSteps < 0) throw new IllegalArgumentException("lr_scheduler.num_warmup_steps must be >= 0");
        if (name.equals("cosine") && totalSteps <= warmupSteps)
            throw new IllegalArgumentException("lr_scheduler 'cosine' needs trainer.max_steps (" + totalSteps
                    + ") above lr_scheduler.num_warmup_steps (" + warmupSteps + ")");
        if (name.equals("warmup_stable_decay") && (decaySteps <= 0 || warmupSteps + decaySteps > totalSteps))
            throw new IllegalArgumentException("lr_scheduler 'warmup_stable_decay' needs num_decay_steps (" + decaySteps
                    + ") > 0 and num_warmup_steps + num_decay_steps (" + (warmupSteps + decaySteps) + ") <= trainer.max_steps (" + totalSteps + ")");
    }

    /** Learning rate of optimizer step {@code step} (counting from 0, as the scheduler's own counter). */
    public double at(long step) {
        if (name.equals("constant")) return base;
        if (step < warmupSteps) return base * step / (double) Math.max(1, warmupSteps);
        if (name.equals("constant_with_warmup")) return base;
        if (name.equals("warmup_stable_decay")) return base * Math.clamp((totalSteps - step) / (double) decaySteps, 0.0, 1.0);
        double progress = (step - warmupSteps) / (double) Math.max(1, totalSteps - warmupSteps);
        return base * Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * progress)));
    }
}
