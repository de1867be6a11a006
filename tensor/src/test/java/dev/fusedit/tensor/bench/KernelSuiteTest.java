package dev.fusedit.tensor.bench;

import dev.fusedit.tensor.kernels.KernelPool;
import dev.fusedit.tensor.kernels.VectorKernels;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Every workload of the suite builds, runs once on two threads and names a reference the suite has. */
class KernelSuiteTest {
    @Test
    void everyWorkloadRunsAndHasItsReferenceInTheSuite() {
        try (KernelPool pool = new KernelPool(2)) {
            VectorKernels kernels = new VectorKernels(pool);
            KernelSuite.warmUpKernels(kernels, 0.2);
            for (String name : KernelSuite.NAMES)
                try (Arena arena = Arena.ofShared()) {
                    KernelWorkload w = KernelSuite.create(name, kernels, arena);
                    assertThat(w.name()).isEqualTo(name);
                    assertThat(KernelSuite.NAMES).contains(w.reference());
                    assertThat(w.work()).as(name).isPositive();
                    w.call().run();
                }
        }
    }

    @Test
    void anUnknownNameListsTheSuite() {
        try (KernelPool pool = new KernelPool(1); Arena arena = Arena.ofShared()) {
            assertThatThrownBy(() -> KernelSuite.create("gemv", new VectorKernels(pool), arena))
                    .hasMessageContaining("\"gemv\"").hasMessageContaining("bf16-matvec");
        }
    }
}
