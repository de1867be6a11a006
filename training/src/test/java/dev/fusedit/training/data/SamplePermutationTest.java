package dev.fusedit.training.data;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SamplePermutationTest {

    @Test
    void everyPositionMapsToADistinctSample() {
        for (int n : new int[] {1, 2, 3, 5, 16, 17, 1000, 4099}) {
            SamplePermutation p = new SamplePermutation(n, 7);
            int[] order = IntStream.range(0, n).map(p::apply).toArray();
            assertThat(Arrays.stream(order).sorted().toArray()).as("n = %d", n).isEqualTo(IntStream.range(0, n).toArray());
        }
    }

    @Test
    void seedsGiveDifferentOrdersAndTheSameSeedTheSame() {
        int[] a = IntStream.range(0, 1000).map(new SamplePermutation(1000, 1)::apply).toArray();
        int[] b = IntStream.range(0, 1000).map(new SamplePermutation(1000, 2)::apply).toArray();
        int[] again = IntStream.range(0, 1000).map(new SamplePermutation(1000, 1)::apply).toArray();
        assertThat(a).isNotEqualTo(b).isEqualTo(again).isNotEqualTo(IntStream.range(0, 1000).toArray());
    }

    @Test
    void positionsOutsideTheRangeAreRejected() {
        assertThatThrownBy(() -> new SamplePermutation(5, 0).apply(5)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> new SamplePermutation(0, 0)).isInstanceOf(IllegalArgumentException.class);
    }
}
