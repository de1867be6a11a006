/**
 * The whole-model device plan: FuseDiT's DiT stream as one TornadoVM execution plan of per-block
 * task graphs ({@link dev.fusedit.tornado.plan.FuseDiTGraphs}, built by {@code DiTBlockTasks} on
 * {@code TaskGraphBuilder} from the kernel bodies of {@link dev.fusedit.tornado.kernels}), offered
 * to sampling through the model's {@code DeviceVelocityFactory} seam
 * ({@link dev.fusedit.tornado.plan.TornadoFuseDiTFactory}, {@link dev.fusedit.tornado.plan.TornadoFuseDiT}).
 */
package dev.fusedit.tornado.plan;
