package dev.fusedit.tensor.kernels;

import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.fusedit.tensor.kernels.GemmPacking.ORDER;
import static dev.fusedit.tensor.kernels.VectorWidth.F;
import static dev.fusedit.tensor.kernels.VectorWidth.LANES;

/**
 * bfloat16 to float32 on load. A bfloat16 is the upper half of a float32, so widening is a 16-bit
 * left shift: LANES shorts are loaded (half of {@link VectorWidth#F}'s bits), sign-extended to
 * ints (the extension is shifted out again) and reinterpreted as floats.
 */
final class Bf16Widening {
    private Bf16Widening() {}

    /** LANES shorts: the bfloat16 values that widen to one float vector. */
    static final VectorSpecies<Short> S = VectorSpecies.of(short.class, VectorShape.forBitSize(LANES * Short.SIZE));
    /** Ints of F's shape, the intermediate of the widening. */
    static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, F.vectorShape());
    static final ValueLayout.OfShort BF16 = ValueLayout.JAVA_SHORT_UNALIGNED;

    static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    /** Widens count bfloat16 values at srcByte into dst[at ..]. */
    static void widen(MemorySegment src, long srcByte, float[] dst, int at, int count) {
        int i = 0;
        for (int vb = VectorWidth.loopBound(count); i < vb; i += LANES)
            ((IntVector) ShortVector.fromMemorySegment(S, src, srcByte + (long) i * Short.BYTES, ORDER)
                    .convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, at + i);
        for (; i < count; i++) dst[at + i] = toFloat(src.get(BF16, srcByte + (long) i * Short.BYTES));
    }
}
