package dev.fusedit.tornado.plan;

import dev.fusedit.model.fusedit.DeviceVelocity;
import dev.fusedit.model.fusedit.DeviceVelocityFactory;
import dev.fusedit.model.fusedit.FuseDiT;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tornado.kernels.TornadoKernels;

/**
 * Registers the per-block FuseDiT forward (META-INF/services): sampling on the TornadoVM kernels
 * runs the DiT stream as one plan of task graphs ({@link FuseDiTGraphs}) on the same device.
 */
public final class TornadoFuseDiTFactory implements DeviceVelocityFactory {

    @Override
    public boolean serves(Kernels active) {
        return active instanceof TornadoKernels;
    }

    @Override
    public String unsupportedReason(FuseDiT model) {
        return FuseDiTGraphs.unsupportedReason(model.config);
    }

    @Override
    public DeviceVelocity open(FuseDiT model, Kernels active) {
        if (!(active instanceof TornadoKernels tornado))
            throw new IllegalArgumentException("the per-block FuseDiT forward runs on the TornadoVM kernels, not on " + active.name());
        return new TornadoFuseDiT(model, tornado, tornado.context().profile());
    }
}
