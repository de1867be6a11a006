package dev.fusedit.cli;

import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;

import static dev.fusedit.cli.CliRuns.errorOf;
import static org.assertj.core.api.Assertions.assertThat;

/** `fusedit serve` refuses what it cannot do before it serves (the server itself: server/ tests). */
class ServeCommandTest {
    @Test
    void refusesBadLimitsNamingThem() {
        assertThat(errorOf("serve", "--port", "70000")).contains("port must be 0-65535, got 70000");
        assertThat(errorOf("serve", "--max-batch", "0")).contains("max batch must be at least 1");
        assertThat(errorOf("serve", "--model", "no/such/folder")).contains("no/such/folder: no such model folder");
    }

    @Test
    void aPortInUseIsAClearErrorNotAStackTrace() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            String err = errorOf("serve", "--model", "../models/shapes-tiny", "--port", Integer.toString(taken.getLocalPort()));
            assertThat(err).contains("127.0.0.1:" + taken.getLocalPort() + " cannot be bound").doesNotContain("\tat ");
        }
    }
}
