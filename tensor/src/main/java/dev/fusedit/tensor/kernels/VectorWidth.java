package dev.fusedit.tensor.kernels;

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

    public static final String PROPERTY = "fusedit.vector.bits";

    /** True when -Dfusedit.vector.bits=scalar: vector loops run zero iterations. */
    public static final boolean SCALAR;

    /** The species every Vector API kernel uses. */
    public static final VectorSpecies<Float> F;

    /** Lanes per vector (F.length()). */
    public static final int LANES;

    static {
        String forced = System.getProperty(PROPERTY, "").trim().toLowerCase();
        SCALAR = forced.equals("scalar") || forced.equals("0");
        F = switch (SCALAR ? "" : forced) {
            case "" -> SCALAR ? FloatVector.SPECIES_128 : FloatVector.SPECIES_PREFERRED;
            case "512" -> FloatVector.SPECIES_512;
            case "256" -> FloatVector.SPECIES_256;
            case "128" -> FloatVector.SPECIES_128;
            default -> throw new IllegalArgumentException("-D" + PROPERTY + " must be 512, 256, 128 or scalar, got '" + forced + "'");
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
