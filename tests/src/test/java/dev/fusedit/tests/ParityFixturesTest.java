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

/** Every parity fixture the runner supports, through the same runner `fusedit parity check` uses. */
class ParityFixturesTest {
    static final Path PARITY = Path.of("..", "fixtures", "parity");

    @ParameterizedTest
    @ValueSource(strings = {"gemma-llm", "gemma2-llm"})
    void llmCasesMatchTheReference(String name) throws IOException {
        List<ParityResult> results = ParityRunner.check(ParityCase.open(PARITY.resolve(name)));
        assertThat(results).isNotEmpty();
        for (ParityResult r : results)
            assertThat(r.pass()).as(name + " " + r.tensor() + ": error " + r.error() + " > " + r.limit() + " " + r.note()).isTrue();
    }
}
