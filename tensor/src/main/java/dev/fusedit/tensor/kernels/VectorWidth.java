package dev.fusedit.tensor.kernels;

import dev.fusedit.tensor.Settings;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The float vector width of the Vector API kernels, chosen once per JVM: the CPU's preferred
 * width, or what {@code -Dfusedit.vector.bits=512|256|128|scalar} forces. Being a static final
 * constant is what lets C2 compile the vector loops to single instructions. "scalar" keeps the
 * blocked, threaded algorithms but runs every element through their scalar tail loops.
 */
public final class VectorWidth {
    private VectorWidth() {}

    /** True when -Dfusedit.vector.bits=scalar: vector loops run zero iterations. */
    public static final boolean SCALAR;

    /** The species every Vector API kernel uses. */
    public static final VectorSpecies<Float> F;

    /** Lanes per vector (F.length()). */
    public static final int LANES;

    static {
        String forced = Settings.get().vectorBits(); // null, or 512|256|128|scalar (checked there)
        SCALAR = "scalar".equals(forced);
        F = forced == null ? FloatVector.SPECIES_PREFERRED : switch (forced) {
            case "512" -> FloatVector.SPECIES_512;
            case "256" -> FloatVector.SPECIES_256;
            default -> FloatVector.SPECIES_128;
        };
        LANES = F.length();
    }

    /** Upper bound of the vector loop over n elements: a multiple of LANES, or 0 in scalar mode. */
    public static int loopBound(int n) {
        return SCALAR ? 0 : F.loopBound(n);
    }

    public static long loopBound(long n) {
        return SCALAR ? 0 : F.loopBound(n);
    }

    /** "512-bit", "256-bit", ... or "scalar". */
    public static String describe() {
        return SCALAR ? "scalar" : F.vectorBitSize() + "-bit";
    }
}
