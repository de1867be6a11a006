package dev.fusedit.cli;

import org.junit.jupiter.api.Test;

import static dev.fusedit.cli.CliRuns.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

/** --backend: its values, and the clear refusal of tornado in a build without the TornadoVM provider. */
class BackendOptionTest {

    @Test
    void unknownBackendsAreRejectedWithTheChoices() {
        assertThat(errorOf("sample", "--prompt", "a red circle", "--backend", "gpu")).contains("--backend must be cpu, tornado or auto, got 'gpu'");
        assertThat(errorOf("eval-shapes", "--backend", "cuda")).contains("--backend must be cpu, tornado or auto");
    }

    @Test
    void tornadoInABuildWithoutTheProviderSaysHowToBuildIt() {
        assertThat(errorOf("sample", "--prompt", "a red circle", "--backend", "tornado")).contains("--backend tornado").contains("mvn -Ptornado");
    }
}
