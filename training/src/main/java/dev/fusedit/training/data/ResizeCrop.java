package dev.fusedit.training.data;

import dev.fusedit.model.pipeline.RgbImage;

/**
 * The reference's image transform: Resize(resolution) on the shorter side, then a centre or
 * random crop to resolution × resolution (torchvision on PIL images).
 *
 * <p>Filter: bilinear, antialiased as PIL applies it — the triangle kernel is widened by the
 * shrink factor when downscaling, so every source pixel contributes (an area-like average)
 * instead of the 2×2 taps of textbook bilinear, which alias badly at the 4–16× reductions
 * web images need to reach 256 or 512. It is the filter the reference trains with, so a model
 * sees the same kind of softness here as there. As in PIL, the horizontal pass runs first and
 * each pass rounds to 8 bits; the longer side becomes floor(resolution · long / short) as in
 * torchvision, and the centre crop offset is round((size − resolution) / 2), ties to even.
 */
public final class ResizeCrop {
    private ResizeCrop() {}

    /** {@code image} resized so its shorter side is {@code resolution}, then cropped at (left, top) chosen by {@code crop}. */
    public static RgbImage apply(RgbImage image, int resolution, CropChoice crop) {
        int w = image.width(), h = image.height();
        int short_ = Math.min(w, h), long_ = Math.max(w, h);
        int newLong = (int) ((long) resolution * long_ / short_);
        int nw = w <= h ? resolution : newLong, nh = w <= h ? newLong : resolution;
        RgbImage resized = resize(image, nw, nh);
        int left = crop.offset(nw - resolution, true), top = crop.offset(nh - resolution, false);
        return crop(resized, left, top, resolution);
    }

    /** How far to shift the crop window along an axis with {@code slack} spare pixels (0..slack). */
    public interface CropChoice {
        int offset(int slack, boolean horizontal);

        CropChoice CENTER = (slack, horizontal) -> (int) Math.rint(slack / 2.0);
    }

    static RgbImage resize(RgbImage image, int width, int height) {
        if (width == image.width() && height == image.height()) return image;
        byte[] wide = pass(image.pixels(), image.width(), image.height(), width, true);
        byte[] out = pass(wide, width, image.height(), height, false);
        return new RgbImage(width, height, out);
    }

    /** One separable pass of the antialiased triangle filter along x (horizontal) or y, rounding to 8 bits. */
    private static byte[] pass(byte[] in, int w, int h, int outSize, boolean horizontal) {
        int inSize = horizontal ? w : h;
        if (inSize == outSize) return in;   // the filter at scale 1 is the identity
        int ow = horizontal ? outSize : w, oh = horizontal ? h : outSize;
        byte[] out = new byte[ow * oh * 3];
        double scale = (double) inSize / outSize;
        double filterScale = Math.max(scale, 1.0);
        double support = filterScale;   // the triangle's support is 1, widened when shrinking
        for (int o = 0; o < outSize; o++) {
            double center = (o + 0.5) * scale;
            int from = Math.max((int) (center - support + 0.5), 0);
            int to = Math.min((int) (center + support + 0.5), inSize);
            double[] weights = new double[to - from];
            double total = 0;
            for (int i = from; i < to; i++) {
                double x = Math.abs((i - center + 0.5) / filterScale);
                weights[i - from] = x < 1 ? 1 - x : 0;
                total += weights[i - from];
            }
            for (int k = 0; k < weights.length; k++) weights[k] /= total;
            int lines = horizontal ? h : w;
            for (int line = 0; line < lines; line++)
                for (int c = 0; c < 3; c++) {
                    double acc = 0;
                    for (int i = from; i < to; i++) {
                        int at = horizontal ? (line * w + i) * 3 + c : (i * w + line) * 3 + c;
                        acc += weights[i - from] * (in[at] & 0xff);
                    }
                    int v = (int) Math.min(255, Math.max(0, Math.round(acc)));
                    out[horizontal ? (line * ow + o) * 3 + c : (o * ow + line) * 3 + c] = (byte) v;
                }
        }
        return out;
    }

    static RgbImage crop(RgbImage image, int left, int top, int size) {
        if (left == 0 && top == 0 && image.width() == size && image.height() == size) return image;
        byte[] out = new byte[size * size * 3];
        for (int y = 0; y < size; y++)
            System.arraycopy(image.pixels(), ((top + y) * image.width() + left) * 3, out, y * size * 3, size * 3);
        return new RgbImage(size, size, out);
    }
}
