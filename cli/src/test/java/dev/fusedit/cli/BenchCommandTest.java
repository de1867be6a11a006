package dev.fusedit.cli;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;

import static dev.fusedit.cli.CliRuns.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

/** Option checks of `fusedit bench` (the measurements themselves take too long for a unit test) and its timing helper. */
class BenchCommandTest {

    @Test
    void badOptionCombinationsAreRejectedWithTheOptionNamed() {
        assertThat(errorOf("bench", "gemm", "--threads", "0")).contains("--threads must be >= 1");
        assertThat(errorOf("bench", "gemm", "--shapes", "--training")).contains("--shapes and --training");
        assertThat(errorOf("bench", "gemm", "--cpu-time", "--threads", "2")).contains("--cpu-time needs --threads 1");
        assertThat(errorOf("bench", "kernels", "--threads", "-1")).contains("--threads must be >= 1");
    }

    @Test
    void interleavedTimingRunsBothBodiesAndReportsTheirOwnTimes() {
        AtomicInteger fast = new AtomicInteger(), slow = new AtomicInteger();
        double[] t = BenchTiming.interleavedMedians(fast::incrementAndGet, () -> {
            slow.incrementAndGet();
            long end = System.nanoTime() + 2_000_000;
            while (System.nanoTime() < end) Thread.onSpinWait();
        }, 0.2);
        assertThat(fast.get()).isGreaterThanOrEqualTo(3);
        assertThat(slow.get()).isGreaterThanOrEqualTo(3);
        assertThat(t[1]).isGreaterThanOrEqualTo(2e-3).isGreaterThan(t[0]);
    }

    @Test
    void trainingShapesCoverTheThreeProductsOfALinearLayer() {
        var cases = BenchGemmCommand.trainingShapes();
        assertThat(cases).anySatisfy(c -> assertThat(c.transB() && !c.transA() && c.m() == 4096).isTrue());
        assertThat(cases).anySatisfy(c -> assertThat(!c.transB() && !c.transA() && c.m() == 4096).isTrue());
        assertThat(cases).anySatisfy(c -> assertThat(c.transA() && c.k() == 4096).isTrue());
    }
}
