package dev.fusedit.tornado;

import dev.fusedit.tensor.Settings;

/**
 * Whether TornadoVM can run kernels in this JVM, asked without touching a TornadoVM class until
 * its runtime is known to be loaded (the provider's jar may sit on a plain JVM's class path).
 */
public final class TornadoAvailability {
    private TornadoAvailability() {}

    static final String BAILOUT_PROPERTY = "tornado.recover.bailout";
    /**
     * TornadoVM's per-graph bytecode buffer (4096 bytes by default) holds about a dozen tasks with
     * their transfers; a whole transformer block ({@link dev.fusedit.tornado.plan.FuseDiTGraphs})
     * needs more, and an overflow surfaces only as a bailout. Read once, when TornadoVM first compiles a graph.
     */
    static final String BYTECODE_SIZE_PROPERTY = "tornado.tvm.maxbytecodesize";
    static final String BYTECODE_SIZE = "65536";

    /**
     * Null when the device of this JVM's settings ({@link Settings#tornadoDevice()}, TornadoVM's
     * default when unset) is ready; otherwise why not, in words for a one-line log.
     */
    public static String problem() {
        // TornadoVM's recovery runs a kernel it cannot compile as plain Java, once: right for
        // @Parallel loops, wrong for KernelContext kernels, which expect one call per work-item.
        String bailout = System.getProperty(BAILOUT_PROPERTY);
        if (bailout == null) System.setProperty(BAILOUT_PROPERTY, "False");
        else if (Boolean.parseBoolean(bailout))
            return "-D" + BAILOUT_PROPERTY + "=" + bailout + " would run failed kernels as sequential Java with wrong results; remove it";
        if (System.getProperty(BYTECODE_SIZE_PROPERTY) == null) System.setProperty(BYTECODE_SIZE_PROPERTY, BYTECODE_SIZE);
        if (ModuleLayer.boot().findModule("tornado.runtime").isEmpty())
            return "the TornadoVM runtime is not loaded in this JVM (start java with the flags of `$TORNADO_SDK/bin/tornado --printJavaFlags`;"
                    + " ./fusedit adds them when TORNADO_SDK is set)";
        String deviceSpec = Settings.get().tornadoDevice();
        try {
            return TornadoDevices.problem(deviceSpec);
        } catch (LinkageError | RuntimeException e) {
            return "the TornadoVM runtime failed to start: " + e;
        }
    }
}
