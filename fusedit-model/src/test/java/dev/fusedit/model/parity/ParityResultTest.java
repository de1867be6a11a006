package dev.fusedit.model.parity;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ParityResultTest {
    /** uint8 tolerance as the VAE fixtures give it: ±1 on at most 1% of the values. */
    static final ParityCase.Tolerance UINT8 = new ParityCase.Tolerance(1, false, 0.01);

    static Tensor bytes(int n, int offByOne, int offByTwo) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = 100 + (i < offByOne ? 1 : 0) + (i >= n - offByTwo ? 2 : 0);
        return Tensor.of(DType.U8, v, n);
    }

    @Test
    void atMostTheAllowedFractionMayBeOffByOne() {
        Tensor want = bytes(1000, 0, 0);
        assertThat(ParityResult.compare("image_uint8", bytes(1000, 0, 0), want, UINT8).pass()).isTrue();
        assertThat(ParityResult.compare("image_uint8", bytes(1000, 10, 0), want, UINT8).pass()).isTrue();
        ParityResult tooMany = ParityResult.compare("image_uint8", bytes(1000, 11, 0), want, UINT8);
        assertThat(tooMany.pass()).isFalse();
        assertThat(tooMany.note()).contains("11 of 1000");
    }

    @Test
    void noValueMayBeOffByMoreThanTheLimit() {
        ParityResult r = ParityResult.compare("image_uint8", bytes(1000, 0, 1), bytes(1000, 0, 0), UINT8);
        assertThat(r.error()).isEqualTo(2);
        assertThat(r.pass()).isFalse();
    }

    @Test
    void plainAbsoluteTolerancesIgnoreTheFraction() {
        ParityCase.Tolerance abs = new ParityCase.Tolerance(1e-4, false, 0);
        Tensor want = Tensor.of(new float[] {1f, 2f, 3f}, 3);
        assertThat(ParityResult.compare("decoded", Tensor.of(new float[] {1f, 2.00005f, 3f}, 3), want, abs).pass()).isTrue();
        assertThat(ParityResult.compare("decoded", Tensor.of(new float[] {1f, 2.0002f, 3f}, 3), want, abs).pass()).isFalse();
    }
}
