/**
 * Device benchmarks (run by scripts/gpu-check.sh): {@link dev.fusedit.tornado.bench.GpuBench}
 * times GEMM and attention through the provider, {@link dev.fusedit.tornado.bench.BlockGraphsBench}
 * a FuseDiT step as per-block task graphs against kernel by kernel.
 */
package dev.fusedit.tornado.bench;
