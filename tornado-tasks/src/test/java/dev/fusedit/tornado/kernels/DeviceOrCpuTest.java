package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.kernels.DeviceKernelException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The failure policy around device runs: fall back loudly and stay on the CPU, or fail naming the kernel. */
class DeviceOrCpuTest {

    private static Runnable failing(List<String> log) {
        return () -> {
            log.add("device");
            throw new IllegalStateException("CL_OUT_OF_RESOURCES\u001B[33m\nsecond line of the driver's message");
        };
    }

    @Test
    void fallBackRunsTheCpuKernelAndKeepsThatKernelOnTheCpu() {
        var policy = new DeviceOrCpu(OnDeviceFailure.FALL_BACK, () -> "test device", "vector-test");
        List<String> log = new ArrayList<>();
        policy.run("softmax", failing(log), () -> log.add("cpu"));
        policy.run("softmax", failing(log), () -> log.add("cpu"));
        policy.run("geglu", () -> log.add("device"), () -> log.add("cpu"));
        // the second softmax call does not try the device again; other kernels still use it
        assertThat(log).containsExactly("device", "cpu", "cpu", "device");
        assertThat(policy.kernelsOnCpu()).containsExactly("softmax");
    }

    @Test
    void failThrowsNamingTheKernelTheDeviceAndTheWayOut() {
        var policy = new DeviceOrCpu(OnDeviceFailure.FAIL, () -> "test device", "vector-test");
        List<String> log = new ArrayList<>();
        assertThatThrownBy(() -> policy.run("matmul", failing(log), () -> log.add("cpu")))
                .isInstanceOf(DeviceKernelException.class)
                .hasMessageContaining("'matmul'").hasMessageContaining("test device").hasMessageContaining("CL_OUT_OF_RESOURCES")
                .hasMessageNotContaining("second line").hasMessageNotContaining("\u001B").hasMessageContaining("--backend cpu");
        assertThat(log).containsExactly("device");
    }

    @Test
    void badArgumentsAreTheCallersErrorNotADeviceFailure() {
        var policy = new DeviceOrCpu(OnDeviceFailure.FALL_BACK, () -> "test device", "vector-test");
        assertThatThrownBy(() -> policy.run("rope", () -> {
            throw new IllegalArgumentException("rope x needs 12 elements");
        }, () -> { })).isInstanceOf(IllegalArgumentException.class).hasMessage("rope x needs 12 elements");
        assertThat(policy.kernelsOnCpu()).isEmpty();
    }
}
