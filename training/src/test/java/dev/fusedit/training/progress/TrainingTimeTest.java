package dev.fusedit.training.progress;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Training time counts what the run computed: a stop of the process counts as an ordinary step, everything else in full. */
class TrainingTimeTest {
    static final long S = 1_000_000_000L;

    @Test
    void aStoppedProcessCountsAsOneOrdinaryStep() {
        TrainingTime t = new TrainingTime(5 * S);
        for (int i = 0; i < 20; i++) t.add(S);
        assertThat(t.add(600 * S)).isEqualTo(S);        // ten minutes stopped mid-step
        for (int i = 0; i < 5; i++) t.add(S);
        assertThat(t.totalNanos()).isEqualTo((5 + 20 + 1 + 5) * S);
        assertThat(t.stoppedNanos()).isEqualTo(599 * S);
    }

    @Test
    void slowIntervalsCountInFull() {
        TrainingTime t = new TrainingTime(0);
        for (int i = 0; i < 20; i++) t.add(S / 2);
        assertThat(t.add(50 * S)).as("a slow checkpoint write, under the one-minute floor").isEqualTo(50 * S);
        for (int i = 0; i < 40; i++) t.add(4 * S);     // a neighbour's load slows every step
        assertThat(t.add(70 * S)).as("over a minute but within 20 times the recent median (4 s)").isEqualTo(70 * S);
        assertThat(t.stoppedNanos()).isZero();
        assertThat(t.totalNanos()).isEqualTo(10 * S + 50 * S + 160 * S + 70 * S);
    }

    @Test
    void theFirstIntervalsAreNotJudged() {
        TrainingTime t = new TrainingTime(0);
        assertThat(t.add(100 * S)).as("a first step that compiles for minutes").isEqualTo(100 * S);
        for (int i = 0; i < 6; i++) t.add(S);
        assertThat(t.add(300 * S)).as("eighth interval: still warming up").isEqualTo(300 * S);
        assertThat(t.add(3000 * S)).as("ninth: the median of eight (1 s) judges it").isEqualTo(S);
    }
}
