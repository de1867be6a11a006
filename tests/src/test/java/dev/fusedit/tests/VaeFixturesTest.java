package dev.fusedit.tests;

import dev.fusedit.model.parity.ParityCase;
import dev.fusedit.model.parity.ParityResult;
import dev.fusedit.model.parity.ParityRunner;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The SD3-layout VAE fixtures (kind vae), through the same runner `fusedit parity check` uses. */
class VaeFixturesTest {
    static final Path VAE = Path.of("..", "fixtures", "vae");

    @ParameterizedTest
    @ValueSource(strings = {"c4_b16x32_l1_6x10", "c16_b32x32x64_l2_5x7"})
    void vaeCasesMatchTheReference(String name) throws IOException {
        List<ParityResult> results = ParityRunner.check(ParityCase.open(VAE.resolve(name)));
        assertThat(results).extracting(ParityResult::tensor)
                .containsExactlyInAnyOrder("decoder_input", "decoded", "encoded_mean", "encoded_logvar", "image_uint8");
        for (ParityResult r : results)
            assertThat(r.pass()).as(name + " " + r.tensor() + ": error " + r.error() + " > " + r.limit() + " " + r.note()).isTrue();
    }
}
