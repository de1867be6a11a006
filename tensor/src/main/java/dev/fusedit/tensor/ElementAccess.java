package dev.fusedit.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Reads and writes single elements of any dtype as double; the generic (slow) path of the ops. */
public final class ElementAccess {
    private ElementAccess() {}

    public static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED;
    public static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED;
    public static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    public static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED;
    public static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED;

    public static double read(MemorySegment s, DType t, long i) {
        return switch (t) {
            case F32 -> s.getAtIndex(F32, i);
            case F64 -> s.getAtIndex(F64, i);
            case BF16 -> bf16ToFloat(s.getAtIndex(I16, i));
            case F16 -> Float.float16ToFloat(s.getAtIndex(I16, i));
            case I64 -> s.getAtIndex(I64, i);
            case I32 -> s.getAtIndex(I32, i);
            case U8 -> Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, i));
        };
    }

    public static void write(MemorySegment s, DType t, long i, double v) {
        switch (t) {
            case F32 -> s.setAtIndex(F32, i, (float) v);
            case F64 -> s.setAtIndex(F64, i, v);
            case BF16 -> s.setAtIndex(I16, i, floatToBf16((float) v));
            case F16 -> s.setAtIndex(I16, i, Float.floatToFloat16((float) v));
            case I64 -> s.setAtIndex(I64, i, (long) v);
            case I32 -> s.setAtIndex(I32, i, (int) v);
            case U8 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) Math.max(0, Math.min(255, (int) v)));
        }
    }

    public static float bf16ToFloat(short bits) {
        return Float.intBitsToFloat((bits & 0xffff) << 16);
    }

    /** Round to nearest even, as PyTorch converts float32 to bfloat16. */
    public static short floatToBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) return (short) ((bits >>> 16) | 0x40);
        int rounding = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }
}
