package dev.fusedit.model.pipeline;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;

import java.awt.image.BufferedImage;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Arrays;

/**
 * Decoded images to 8-bit pixels as diffusers VaeImageProcessor.postprocess does it, step for
 * step in float32: (x/2 + 0.5).clamp(0, 1), ·255, round half to even (numpy's round), uint8.
 */
public final class ImagePostprocess {
    private ImagePostprocess() {}

    /** images [B, C, H, W] (C = 1 or 3, any floating dtype) → uint8 [B, H, W, C]. */
    public static Tensor toUint8Nhwc(Tensor images) {
        if (images.dim() != 4 || (images.size(1) != 1 && images.size(1) != 3))
            throw new IllegalArgumentException("images must be [batch, 1 or 3, height, width], got " + Arrays.toString(images.shape()));
        if (!images.dtype().isFloating()) throw new IllegalArgumentException("images must be floating point, got " + images.dtype());
        int b = images.size(0), c = images.size(1), h = images.size(2), w = images.size(3);
        float[] x = images.contiguous().toFloatArray();
        Tensor out = Tensor.zeros(DType.U8, b, h, w, c);
        MemorySegment o = out.data();
        long at = 0;
        for (int n = 0; n < b; n++)
            for (int y = 0; y < h; y++)
                for (int xx = 0; xx < w; xx++)
                    for (int ch = 0; ch < c; ch++)
                        o.set(ValueLayout.JAVA_BYTE, at++, (byte) toByte(x[((n * c + ch) * h + y) * w + xx]));
        return out;
    }

    /** One value: every operation rounded to float32 as torch and numpy do, NaN → 0. */
    static int toByte(float v) {
        float y = v / 2f + 0.5f;
        y = y < 0f ? 0f : y > 1f ? 1f : y;
        if (Float.isNaN(y)) y = 0f;
        float scaled = y * 255f;
        return (int) Math.rint(scaled);
    }

    /** uint8 [B, H, W, 3 or 1] → one RGB (or gray) image per batch entry. */
    public static BufferedImage[] toImages(Tensor uint8Nhwc) {
        if (uint8Nhwc.dtype() != DType.U8 || uint8Nhwc.dim() != 4 || (uint8Nhwc.size(3) != 3 && uint8Nhwc.size(3) != 1))
            throw new IllegalArgumentException("expected uint8 [batch, height, width, 1 or 3], got " + uint8Nhwc.dtype() + " " + Arrays.toString(uint8Nhwc.shape()));
        Headless.ensure();
        int b = uint8Nhwc.size(0), h = uint8Nhwc.size(1), w = uint8Nhwc.size(2), c = uint8Nhwc.size(3);
        MemorySegment s = uint8Nhwc.contiguous().data();
        BufferedImage[] images = new BufferedImage[b];
        long at = 0;
        for (int n = 0; n < b; n++) {
            BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++) {
                    int r = Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at));
                    int g = c == 3 ? Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at + 1)) : r;
                    int bl = c == 3 ? Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, at + 2)) : r;
                    at += c;
                    img.setRGB(x, y, (r << 16) | (g << 8) | bl);
                }
            images[n] = img;
        }
        return images;
    }

    /** Decoded images [B, C, H, W] straight to pictures. */
    public static BufferedImage[] decodedToImages(Tensor images) {
        return toImages(toUint8Nhwc(images));
    }
}
