/**
 * The TornadoVM kernel provider (backend "tornado"): {@link dev.fusedit.tornado.kernels.TornadoKernels}
 * routes each kernel of {@link dev.fusedit.tensor.kernels.Kernels} through the failure policy
 * ({@code DeviceOrCpu}) to a launcher ({@code DeviceGemm}, {@code DeviceAttention},
 * {@code DeviceRowKernels}, {@code DevicePointwiseKernels}, {@code DeviceOptimizerKernels}). Each
 * launcher describes its call to the one launch sequence ({@code Launcher}), which stages the data
 * into a compiled {@code DevicePlan} (kept in a {@code PlanCache} by size class) and runs the kernel
 * bodies: {@code GemmKernel}, {@code AttentionKernel}, {@code RowKernels} (RMSNorm, softmax),
 * {@code PointwiseKernels} (RoPE, GeGLU, the block graphs' glue) and {@code OptimizerKernels}
 * (AdamW, sum of squares, scale, EMA). The bodies that the whole-model plan also uses are public.
 */
package dev.fusedit.tornado.kernels;
