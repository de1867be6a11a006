/**
 * The TornadoVM kernel provider (backend "tornado"): {@link dev.fusedit.tornado.TornadoKernels}
 * routes each kernel of {@link dev.fusedit.tensor.kernels.Kernels} to a device class
 * ({@code DeviceGemm}, {@code DeviceAttention}, {@code DeviceRowKernels}), which stages the data
 * into a compiled {@code DevicePlan} and runs the kernel methods of {@code GemmKernel},
 * {@code AttentionKernel}, {@code RowKernels} and {@code PointwiseKernels} on the device.
 * See tornado-tasks/README.md for what stays on the device and what travels per call.
 */
package dev.fusedit.tornado;
