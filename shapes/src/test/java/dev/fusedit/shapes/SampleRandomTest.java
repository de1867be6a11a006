package dev.fusedit.shapes;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SampleRandomTest {

    @Test
    void matchesThePublishedSplitMix64Sequence() {
        // Reference outputs of splitmix64.c (Vigna) from state 0.
        SampleRandom r = new SampleRandom(0);
        assertThat(r.nextLong()).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(r.nextLong()).isEqualTo(0x6E789E6AA1B965F4L);
        assertThat(r.nextLong()).isEqualTo(0x06C45D188009454FL);
    }

    @Test
    void boundedDrawsAreInRangeAndRoughlyUniform() {
        SampleRandom r = new SampleRandom(7);
        int[] counts = new int[5];
        for (int i = 0; i < 50_000; i++) counts[r.nextInt(7, 11) - 7]++;
        for (int c : counts) assertThat(c).isBetween(9_500, 10_500);
        for (int i = 0; i < 1000; i++) assertThat(r.nextDouble()).isGreaterThanOrEqualTo(0).isLessThan(1);
        assertThatThrownBy(() -> r.nextInt(0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void perSampleGeneratorsDependOnSeedAndIndexOnly() {
        assertThat(SampleRandom.forSample(3, 10).nextLong()).isEqualTo(SampleRandom.forSample(3, 10).nextLong());
        assertThat(SampleRandom.forSample(3, 10).nextLong()).isNotEqualTo(SampleRandom.forSample(3, 11).nextLong());
        assertThat(SampleRandom.forSample(3, 10).nextLong()).isNotEqualTo(SampleRandom.forSample(4, 10).nextLong());
    }
}
