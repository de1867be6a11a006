package dev.fusedit.training.optim;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LearningRateTest {

    @Test
    void warmUpIsLinearForBothWarmUpSchedules() {
        for (String name : new String[] {"constant_with_warmup", "cosine"}) {
            LearningRate lr = new LearningRate(name, 1e-3, 100, 1000);
            assertThat(lr.at(0)).isZero();
            assertThat(lr.at(25)).isCloseTo(2.5e-4, within(1e-15));
            assertThat(lr.at(100)).isCloseTo(1e-3, within(1e-15));
        }
        assertThat(new LearningRate("constant", 1e-3, 100, 1000).at(0)).isEqualTo(1e-3);
    }

    @Test
    void cosineFallsFromTheBaseToZeroThroughHalfAtTheMidpoint() {
        LearningRate lr = new LearningRate("cosine", 1e-3, 100, 1100);
        assertThat(lr.at(100)).isCloseTo(1e-3, within(1e-15));
        assertThat(lr.at(600)).isCloseTo(5e-4, within(1e-15));
        assertThat(lr.at(1100)).isCloseTo(0.0, within(1e-15));
        assertThat(lr.at(5000)).isGreaterThanOrEqualTo(0.0);
        double previous = lr.at(100);
        for (int step = 101; step <= 1100; step++) {
            assertThat(lr.at(step)).isLessThan(previous);
            previous = lr.at(step);
        }
        // symmetric about the midpoint, as half a cosine is: lr(mid - d) + lr(mid + d) = base
        assertThat(lr.at(350) + lr.at(850)).isCloseTo(1e-3, within(1e-15));
    }

    @Test
    void warmupStableDecayEqualsConstantWithWarmupUntilItsLineDownToZero() {
        LearningRate wsd = new LearningRate("warmup_stable_decay", 1e-3, 100, 3000, 1000);
        LearningRate flat = new LearningRate("constant_with_warmup", 1e-3, 100, 2000);
        for (int step = 0; step <= 2000; step++) assertThat(wsd.at(step)).isEqualTo(flat.at(step));
        assertThat(wsd.at(2500)).isCloseTo(5e-4, within(1e-15));
        assertThat(wsd.at(2999)).isCloseTo(1e-6, within(1e-15));
        assertThat(wsd.at(3000)).isZero();
        assertThat(wsd.at(3100)).isZero();
    }

    @Test
    void badSettingsNameTheKey() {
        assertThatThrownBy(() -> new LearningRate("linear", 1e-3, 0, 10)).hasMessageContaining("lr_scheduler.name 'linear'");
        assertThatThrownBy(() -> new LearningRate("cosine", 1e-3, 100, 100)).hasMessageContaining("trainer.max_steps");
        assertThatThrownBy(() -> new LearningRate("warmup_stable_decay", 1e-3, 100, 1000, 0)).hasMessageContaining("num_decay_steps");
        assertThatThrownBy(() -> new LearningRate("warmup_stable_decay", 1e-3, 100, 1000, 950)).hasMessageContaining("trainer.max_steps");
    }
}
