package dev.fusedit.tensor.kernels;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Backend names to providers, in this module where no plugin is installed. */
class KernelProviderTest {

    @Test
    void cpuAndVectorAreTheVectorKernels() {
        assertThat(KernelProvider.choose("cpu").kernels()).isInstanceOf(VectorKernels.class);
        assertThat(KernelProvider.choose(" Vector ").kernels()).isInstanceOf(VectorKernels.class);
        assertThat(KernelProvider.choose("scalar").kernels()).isSameAs(ScalarKernels.F32);
    }

    @Test
    void autoWithoutAPluginFallsBackToTheVectorKernelsAndSaysWhy() {
        KernelProvider.Choice choice = KernelProvider.choose("auto");
        assertThat(choice.kernels()).isInstanceOf(VectorKernels.class);
        assertThat(choice.reason()).contains("no GPU provider in this build");
        assertThat(choice.logLine()).startsWith("fusedit: backend auto -> vector-").contains("-Ptornado");
    }

    @Test
    void tornadoWithoutTheProviderFailsNamingTheBuildProfile() {
        assertThatThrownBy(() -> KernelProvider.choose("tornado"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("mvn -Ptornado");
        assertThatThrownBy(() -> KernelProvider.choose("cuda"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("expected cpu, tornado, auto");
    }
}
