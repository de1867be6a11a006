package dev.fusedit.tensor;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Properties;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SettingsTest {

    private static Properties of(String... keyValues) {
        Properties p = new Properties();
        for (int i = 0; i < keyValues.length; i += 2) p.setProperty(keyValues[i], keyValues[i + 1]);
        return p;
    }

    @Test
    void nothingSetGivesTheDefaults() {
        Settings s = Settings.read(new Properties());
        assertThat(s.backend()).isEqualTo("cpu");
        assertThat(s.threads()).isZero();
        assertThat(s.vectorBits()).isNull();
        assertThat(s.deviceForward()).isTrue();
        assertThat(s.tornadoDevice()).isNull();
        assertThat(s.tornadoOnFailure()).isEqualTo("fallback");
        assertThat(s.home()).isNull();
    }

    @Test
    void valuesAreReadTrimmedAndTheOldBackendSpellingStillWorks() {
        Settings s = Settings.read(of(Settings.KERNELS, " scalar ", Settings.THREADS, "3", Settings.VECTOR_BITS, "0",
                Settings.DEVICE_FORWARD, "OFF", Settings.TORNADO_DEVICE, "0:1", Settings.TORNADO_ON_FAILURE, "fail", Settings.HOME, "/x"));
        assertThat(s).isEqualTo(new Settings("scalar", 3, "scalar", false, "0:1", "fail", Path.of("/x")));
        assertThat(Settings.read(of(Settings.BACKEND, "auto", Settings.KERNELS, "scalar")).backend()).isEqualTo("auto");
    }

    @Test
    void aBadValueNamesItsPropertyAndWhatIsExpected() {
        assertThatThrownBy(() -> Settings.read(of(Settings.THREADS, "two"))).hasMessageContaining("-Dfusedit.threads=two").hasMessageContaining("positive");
        assertThatThrownBy(() -> Settings.read(of(Settings.THREADS, "0"))).hasMessageContaining("-Dfusedit.threads=0");
        assertThatThrownBy(() -> Settings.read(of(Settings.VECTOR_BITS, "1024"))).hasMessageContaining("512, 256, 128 or scalar");
        assertThatThrownBy(() -> Settings.read(of(Settings.DEVICE_FORWARD, "maybe"))).hasMessageContaining("-Dfusedit.deviceForward=maybe");
        assertThatThrownBy(() -> Settings.read(of(Settings.TORNADO_ON_FAILURE, "retry"))).hasMessageContaining("fallback or fail");
    }
}
