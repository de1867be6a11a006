package dev.fusedit.tensor.ops;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.Autograd;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.kernels.Kernels;
import dev.fusedit.tensor.kernels.MatmulShape;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * The image-side ops of the diffusion model, forward and backward: 2-D convolution (im2col plus
 * the matmul kernel), group normalization and nearest-neighbour upsampling, all on [batch,
 * channels, height, width] tensors.
 */
public final class Conv {
    private Conv() {}

    // ---------------------------------------------------------------- conv2d

    /**
     * 2-D cross-correlation (PyTorch's conv2d) of x [B, C, H, W] with w [O, C, kh, kw], optional
     * bias [O], the same stride and zero padding in both directions. Returns [B, O, Ho, Wo] with
     * Ho = (H + 2·padding − kh) / stride + 1.
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding) {
        return conv2d(x, w, bias, stride, padding, BAND_BYTES);
    }

    /** conv2d whose unrecorded calls build at most {@code bandBytes} of columns at a time (tests pass small ones). */
    static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int stride, int padding, long bandBytes) {
        KernelDispatch.requireFloating(x, "conv2d input");
        KernelDispatch.requireFloating(w, "conv2d weight");
        KernelDispatch.requireFloating(bias, "conv2d bias");
        if (x.dim() != 4) throw new IllegalArgumentException("conv2d input must be [batch, channels, height, width], got " + Arrays.toString(x.shape()));
        if (w.dim() != 4 || w.size(1) != x.size(1))
            throw new IllegalArgumentException("conv2d weight must be [out, " + x.size(1) + ", kh, kw], got " + Arrays.toString(w.shape()));
        if (bias != null && (bias.dim() != 1 || bias.size(0) != w.size(0)))
            throw new IllegalArgumentException("conv2d bias must be [" + w.size(0) + "], got " + Arrays.toString(bias.shape()));
        if (stride < 1 || padding < 0) throw new IllegalArgumentException("conv2d needs stride >= 1 and padding >= 0, got " + stride + ", " + padding);
        Geometry geo = new Geometry(x.size(0), x.size(1), x.size(2), x.size(3), w.size(0), w.size(2), w.size(3), stride, padding);
        DType type = KernelDispatch.computeType(x, w, bias);
        Tensor x0 = KernelDispatch.prepared(x, type), w0 = KernelDispatch.prepared(w, type);
        Tensor b0 = KernelDispatch.prepared(bias, type);
        int O = geo.outChannels, L = geo.outPixels(), K = geo.patch();

        boolean recorded = GradMode.isEnabled() && (x.requiresGrad() || w.requiresGrad() || bias != null && bias.requiresGrad());
        if (!recorded && (long) K * L * type.byteSize() > bandBytes) {
            Tensor out = convolveInBands(x0, w0, geo, type, bandBytes);
            if (b0 != null) addChannelBias(out, b0, geo);
            return out;
        }
        Tensor cols = im2col(x0, geo, 0, geo.outH());
        Tensor out = Tensor.zeros(type, geo.batch, O, geo.outH(), geo.outW());
        // out[b] = W [O, K] · cols[b] [K, L]; the weight is shared across the batch (stride 0)
        KernelDispatch.kernels(type).matmul(new MatmulShape(geo.batch, O, L, K, false, false, 0, (long) K * L, (long) O * L, false),
                w0.data(), cols.data(), out.data());
        if (b0 != null) addChannelBias(out, b0, geo);

        return Autograd.record(out, "conv2d", g -> {
            Tensor dOut = KernelDispatch.prepared(g, type);
            Kernels kernels = KernelDispatch.kernels(type);
            long bytes = type.byteSize();
            Tensor dx = null, dw = null, db = null;
            if (x.requiresGrad()) {
                Tensor dCols = Tensor.zeros(type, geo.batch, K, L);
                kernels.matmul(new MatmulShape(geo.batch, K, L, O, true, false, 0, (long) O * L, (long) K * L, false),
                        w0.data(), dOut.data(), dCols.data());
                dx = col2im(dCols, geo);
            }
            if (w.requiresGrad()) {
                // dW = Σ_b dOut[b] [O, L] · cols[b]ᵀ [L, K], accumulated batch after batch
                dw = Tensor.zeros(type, w.shape());
                for (int b = 0; b < geo.batch; b++)
                    kernels.matmul(new MatmulShape(1, O, K, L, false, true, 0, 0, 0, b > 0),
                            dOut.data().asSlice((long) b * O * L * bytes), cols.data().asSlice((long) b * K * L * bytes), dw.data());
            }
            if (bias != null && bias.requiresGrad()) db = channelSums(dOut, geo);
            return new Tensor[] {dx, dw, db};
        }, x, w, bias);
    }

    /** Sizes of one convolution. */
    private record Geometry(int batch, int channels, int height, int width, int outChannels, int kh, int kw, int stride, int padding) {
        Geometry {
            // (fields are assigned after this block, so the parameters are used directly)
            if (Math.floorDiv(height + 2 * padding - kh, stride) < 0 || Math.floorDiv(width + 2 * padding - kw, stride) < 0)
                throw new IllegalArgumentException("conv2d kernel " + kh + "x" + kw + " does not fit the " + height + "x" + width
                        + " input with padding " + padding);
        }

        int outH() { return Math.floorDiv(height + 2 * padding - kh, stride) + 1; }
        int outW() { return Math.floorDiv(width + 2 * padding - kw, stride) + 1; }
        int outPixels() { return outH() * outW(); }
        int patch() { return channels * kh * kw; }
    }

    /**
     * Column buffers larger than this are not built whole when nothing is recorded for backward:
     * inference convolves bands of output rows instead (the SD3 VAE's last 3x3 convolutions at
     * 512 px would otherwise need 1.2 GB of columns each).
     */
    private static final long BAND_BYTES = 32L << 20;

    /** conv2d without the whole column buffer: per image, bands of output rows through a band-sized im2col and GEMM. */
    private static Tensor convolveInBands(Tensor x0, Tensor w0, Geometry geo, DType type, long bandBytes) {
        int O = geo.outChannels, K = geo.patch(), Ho = geo.outH(), Wo = geo.outW(), L = geo.outPixels();
        long bytes = type.byteSize();
        int rows = (int) Math.clamp(bandBytes / ((long) K * Wo * bytes), 1, Ho);
        Tensor out = Tensor.zeros(type, geo.batch, O, Ho, Wo);
        Kernels kernels = KernelDispatch.kernels(type);
        for (int b = 0; b < geo.batch; b++) {
            Tensor image = x0.narrow(0, b, 1);
            for (int oy0 = 0; oy0 < Ho; oy0 += rows) {
                int n = Math.min(rows, Ho - oy0), bandL = n * Wo;
                try (MemoryScope band = MemoryScope.open()) { // one band's columns alive at a time
                    Tensor cols = im2col(image, geo, oy0, oy0 + n);
                    Tensor result = Tensor.empty(type, O, bandL);
                    kernels.matmul(new MatmulShape(1, O, bandL, K, false, false, 0, 0, 0, false), w0.data(), cols.data(), result.data());
                    // the band's columns are output pixels oy0·Wo .. (oy0 + n)·Wo of every channel
                    for (int o = 0; o < O; o++)
                        MemorySegment.copy(result.data(), (long) o * bandL * bytes, out.data(),
                                (((long) b * O + o) * L + (long) oy0 * Wo) * bytes, bandL * bytes);
                }
            }
        }
        return out;
    }

    /**
     * cols[b, (c, i, j), (oy − oy0, ox)] = x[b, c, oy·stride − pad + i, ox·stride − pad + j] for
     * output rows oy in [oy0, oy1), zero outside the image.
     */
    private static Tensor im2col(Tensor x0, Geometry geo, int oy0, int oy1) {
        DType type = x0.dtype();
        boolean f64 = type == DType.F64;
        int batch = x0.size(0), K = geo.patch(), Wo = geo.outW(), H = geo.height, W = geo.width;
        int L = (oy1 - oy0) * Wo;
        Tensor cols = Tensor.zeros(type, batch, K, L);
        MemorySegment xs = x0.data(), cs = cols.data();
        for (int b = 0; b < batch; b++)
            for (int c = 0; c < geo.channels; c++)
                for (int i = 0; i < geo.kh; i++)
                    for (int j = 0; j < geo.kw; j++) {
                        long row = ((long) b * K + ((long) c * geo.kh + i) * geo.kw + j) * L;
                        long plane = ((long) b * geo.channels + c) * H * W;
                        for (int oy = oy0; oy < oy1; oy++) {
                            int y = oy * geo.stride - geo.padding + i;
                            if (y < 0 || y >= H) continue;
                            for (int ox = 0; ox < Wo; ox++) {
                                int xx = ox * geo.stride - geo.padding + j;
                                if (xx < 0 || xx >= W) continue;
                                KernelDispatch.set(cs, f64, row + (long) (oy - oy0) * Wo + ox, KernelDispatch.get(xs, f64, plane + (long) y * W + xx));
                            }
                        }
                    }
        return cols;
    }

    /** The adjoint of im2col: every column entry added back onto the input pixel it was read from. */
    private static Tensor col2im(Tensor cols, Geometry geo) {
        DType type = cols.dtype();
        boolean f64 = type == DType.F64;
        int L = geo.outPixels(), K = geo.patch(), Ho = geo.outH(), Wo = geo.outW(), H = geo.height, W = geo.width;
        Tensor x = Tensor.zeros(type, geo.batch, geo.channels, H, W);
        MemorySegment xs = x.data(), cs = cols.data();
        for (int b = 0; b < geo.batch; b++)
            for (int c = 0; c < geo.channels; c++)
                for (int i = 0; i < geo.kh; i++)
                    for (int j = 0; j < geo.kw; j++) {
                        long row = ((long) b * K + ((long) c * geo.kh + i) * geo.kw + j) * L;
                        long plane = ((long) b * geo.channels + c) * H * W;
                        for (int oy = 0; oy < Ho; oy++) {
                            int y = oy * geo.stride - geo.padding + i;
                            if (y < 0 || y >= H) continue;
                            for (int ox = 0; ox < Wo; ox++) {
                                int xx = ox * geo.stride - geo.padding + j;
                                if (xx < 0 || xx >= W) continue;
                                long at = plane + (long) y * W + xx;
                                KernelDispatch.set(xs, f64, at, KernelDispatch.get(xs, f64, at) + KernelDispatch.get(cs, f64, row + (long) oy * Wo + ox));
                            }
                        }
                    }
        return x;
    }

    private static void addChannelBias(Tensor out, Tensor b0, Geometry geo) {
        boolean f64 = out.dtype() == DType.F64;
        MemorySegment os = out.data(), bs = b0.data();
        int L = geo.outPixels();
        for (int b = 0; b < geo.batch; b++)
            for (int o = 0; o < geo.outChannels; o++) {
                double v = KernelDispatch.get(bs, f64, o);
                long base = ((long) b * geo.outChannels + o) * L;
                for (int p = 0; p < L; p++) KernelDispatch.set(os, f64, base + p, KernelDispatch.get(os, f64, base + p) + v);
            }
    }

    private static Tensor channelSums(Tensor dOut, Geometry geo) {
        boolean f64 = dOut.dtype() == DType.F64;
        Tensor db = Tensor.zeros(dOut.dtype(), geo.outChannels);
        MemorySegment gs = dOut.data(), ds = db.data();
        int L = geo.outPixels();
        for (int o = 0; o < geo.outChannels; o++) {
            double sum = 0;
            for (int b = 0; b < geo.batch; b++) {
                long base = ((long) b * geo.outChannels + o) * L;
                for (int p = 0; p < L; p++) sum += KernelDispatch.get(gs, f64, base + p);
            }
            KernelDispatch.set(ds, f64, o, sum);
        }
        return db;
    }

    // ---------------------------------------------------------------- group norm

    /**
     * Group normalization of x [B, C, ...]: the C channels form {@code groups} groups, each
     * (sample, group) normalized by its own mean and biased variance (statistics in double), then
     * scaled by weight [C] and shifted by bias [C] (either may be null).
     */
    public static Tensor groupNorm(Tensor x, int groups, Tensor weight, Tensor bias, double eps) {
        KernelDispatch.requireFloating(x, "groupNorm input");
        KernelDispatch.requireFloating(weight, "groupNorm weight");
        KernelDispatch.requireFloating(bias, "groupNorm bias");
        if (x.dim() < 2) throw new IllegalArgumentException("groupNorm input must be [batch, channels, ...], got " + Arrays.toString(x.shape()));
        int batch = x.size(0), channels = x.size(1);
        if (groups < 1 || channels % groups != 0)
            throw new IllegalArgumentException("groupNorm: " + channels + " channels do not split into " + groups + " groups");
        for (Tensor t : new Tensor[] {weight, bias})
            if (t != null && (t.dim() != 1 || t.size(0) != channels))
                throw new IllegalArgumentException("groupNorm weight and bias must be [" + channels + "], got " + Arrays.toString(t.shape()));
        DType type = KernelDispatch.computeType(x, weight, bias);
        boolean f64 = type == DType.F64;
        Tensor x0 = KernelDispatch.prepared(x, type);
        double[] w = channelValues(weight, channels, 1), b = channelValues(bias, channels, 0);
        int perGroup = channels / groups;
        long spatial = channels == 0 || batch == 0 ? 0 : x.numel() / ((long) batch * channels);
        long groupSize = perGroup * spatial;
        double[] mean = new double[batch * groups], rstd = new double[batch * groups];
        Tensor out = Tensor.zeros(type, x.shape());
        MemorySegment xs = x0.data(), os = out.data();
        for (int n = 0; n < batch; n++)
            for (int gr = 0; gr < groups; gr++) {
                int s = n * groups + gr;
                long base = ((long) n * channels + (long) gr * perGroup) * spatial;
                double sum = 0;
                for (long i = 0; i < groupSize; i++) sum += KernelDispatch.get(xs, f64, base + i);
                double mu = sum / groupSize, sq = 0;
                for (long i = 0; i < groupSize; i++) {
                    double d = KernelDispatch.get(xs, f64, base + i) - mu;
                    sq += d * d;
                }
                mean[s] = mu;
                rstd[s] = 1 / Math.sqrt(sq / groupSize + eps);
                for (long i = 0; i < groupSize; i++) {
                    int c = gr * perGroup + (int) (i / spatial);
                    double xhat = (KernelDispatch.get(xs, f64, base + i) - mu) * rstd[s];
                    KernelDispatch.set(os, f64, base + i, xhat * w[c] + b[c]);
                }
            }
        return Autograd.record(out, "group_norm", g -> {
            MemorySegment gs = KernelDispatch.data(g, type);
            Tensor dx = Tensor.zeros(type, x.shape());
            MemorySegment dxs = dx.data();
            double[] dw = new double[channels], db = new double[channels];
            for (int n = 0; n < batch; n++)
                for (int gr = 0; gr < groups; gr++) {
                    int s = n * groups + gr;
                    long base = ((long) n * channels + (long) gr * perGroup) * spatial;
                    // dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)) with dx̂ = dy·w
                    double sumD = 0, sumDX = 0;
                    for (long i = 0; i < groupSize; i++) {
                        int c = gr * perGroup + (int) (i / spatial);
                        double dy = KernelDispatch.get(gs, f64, base + i);
                        double xhat = (KernelDispatch.get(xs, f64, base + i) - mean[s]) * rstd[s];
                        sumD += dy * w[c];
                        sumDX += dy * w[c] * xhat;
                        dw[c] += dy * xhat;
                        db[c] += dy;
                    }
                    double meanD = sumD / groupSize, meanDX = sumDX / groupSize;
                    for (long i = 0; i < groupSize; i++) {
                        int c = gr * perGroup + (int) (i / spatial);
                        double xhat = (KernelDispatch.get(xs, f64, base + i) - mean[s]) * rstd[s];
                        double dxhat = KernelDispatch.get(gs, f64, base + i) * w[c];
                        KernelDispatch.set(dxs, f64, base + i, rstd[s] * (dxhat - meanD - xhat * meanDX));
                    }
                }
            return new Tensor[] {dx,
                    weight != null && weight.requiresGrad() ? Tensor.of(type, dw, channels) : null,
                    bias != null && bias.requiresGrad() ? Tensor.of(type, db, channels) : null};
        }, x, weight, bias);
    }

    /** A per-channel parameter's values, or {@code missing} everywhere when it is null. */
    private static double[] channelValues(Tensor t, int channels, double missing) {
        if (t == null) {
            double[] v = new double[channels];
            Arrays.fill(v, missing);
            return v;
        }
        return t.toDoubleArray();
    }

    // ---------------------------------------------------------------- upsampling

    /** Nearest-neighbour upsampling of x [B, C, H, W] by an integer factor: [B, C, H·factor, W·factor]. */
    public static Tensor upsampleNearest(Tensor x, int factor) {
        KernelDispatch.requireFloating(x, "upsample input");
        if (x.dim() != 4) throw new IllegalArgumentException("upsampleNearest input must be [batch, channels, height, width], got " + Arrays.toString(x.shape()));
        if (factor < 1) throw new IllegalArgumentException("upsample factor must be >= 1, got " + factor);
        DType type = KernelDispatch.computeType(x);
        boolean f64 = type == DType.F64;
        int H = x.size(2), W = x.size(3), Ho = H * factor, Wo = W * factor;
        long planes = (long) x.size(0) * x.size(1);
        Tensor x0 = KernelDispatch.prepared(x, type);
        Tensor out = Tensor.zeros(type, x.size(0), x.size(1), Ho, Wo);
        MemorySegment xs = x0.data(), os = out.data();
        for (long p = 0; p < planes; p++)
            for (int y = 0; y < Ho; y++)
                for (int xx = 0; xx < Wo; xx++)
                    KernelDispatch.set(os, f64, (p * Ho + y) * Wo + xx, KernelDispatch.get(xs, f64, (p * H + y / factor) * W + xx / factor));
        return Autograd.record(out, "upsample_nearest", g -> {
            // each input pixel receives the sum of its factor×factor block
            MemorySegment gs = KernelDispatch.data(g, type);
            Tensor dx = Tensor.zeros(type, x.shape());
            MemorySegment ds = dx.data();
            for (long p = 0; p < planes; p++)
                for (int y = 0; y < Ho; y++)
                    for (int xx = 0; xx < Wo; xx++) {
                        long at = (p * H + y / factor) * W + xx / factor;
                        KernelDispatch.set(ds, f64, at, KernelDispatch.get(ds, f64, at) + KernelDispatch.get(gs, f64, (p * Ho + y) * Wo + xx));
                    }
            return new Tensor[] {dx};
        }, x);
    }
}
