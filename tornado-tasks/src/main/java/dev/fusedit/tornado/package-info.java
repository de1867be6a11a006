/**
 * FuseDiT on TornadoVM, by role:
 * <ul>
 *   <li>{@link dev.fusedit.tornado.kernels}: the {@code Kernels} provider (backend "tornado"),
 *       the kernel bodies TornadoVM compiles for the device, and their launchers;</li>
 *   <li>{@link dev.fusedit.tornado.plan}: FuseDiT's DiT stream as one TornadoVM execution plan
 *       of per-block task graphs (sampling);</li>
 *   <li>{@link dev.fusedit.tornado.bench}: the device benchmarks scripts/gpu-check.sh runs;</li>
 *   <li>this package: what they all use: whether TornadoVM can run here
 *       ({@link dev.fusedit.tornado.TornadoAvailability}), the device
 *       ({@link dev.fusedit.tornado.TornadoDevices}) and what the plans on one device share
 *       ({@link dev.fusedit.tornado.DeviceContext}).</li>
 * </ul>
 * See tornado-tasks/README.md for what stays on the device and what travels per call.
 */
package dev.fusedit.tornado;
