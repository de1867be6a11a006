package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * The oracle: every kernel as the plainest loop that computes it, accumulating in double.
 * Fast providers are tested against this class. It runs on float32 segments ({@link #F32}, the
 * interface's contract) and on float64 segments ({@link #F64}), which is what the double
 * precision gradient checks of the ops use.
 */
public final class ScalarKernels implements Kernels {
    public static final ScalarKernels F32 = new ScalarKernels(false);
    public static final ScalarKernels F64 = new ScalarKernels(true);

    private final boolean doubles;

    private ScalarKernels(boolean doubles) {
        this.doubles = doubles;
    }

    @Override
    public String name() {
        return doubles ? "scalar-f64" : "scalar";
    }

    @Override
    public KernelPool cpuPool() {
        return null;
    }

    private double get(MemorySegment s, long i) {
        return doubles ? s.getAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i) : s.getAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i);
    }

    private void put(MemorySegment s, long i, double v) {
        if (doubles) s.setAtIndex(ValueLayout.JAVA_DOUBLE_UNALIGNED, i, v);
        else s.setAtIndex(ValueLayout.JAVA_FLOAT_UNALIGNED, i, (float) v);
    }

    // ------------------------------------------------------------------ matmul

    @Override
    public void matmul(MatmulShape s, MemorySegment a, MemorySegment b, MemorySegment c) {
        for (int bt = 0; bt < s.batch(); bt++) {
            long oa = bt * s.strideA(), ob = bt * s.strideB(), oc = bt * s.strideC();
            for (int i = 0; i < s.m(); i++) {
                for (int j = 0; j < s.n(); j++) {
                    double acc = 0;
                    for (int p = 0; p < s.k(); p++) {
                        double x = get(a, oa + (s.transA() ? (long) p * s.m() + i : (long) i * s.k() + p));
                        double y = get(b, ob + (s.transB() ? (long) j * s.k() + p : (long) p * s.n() + j));
                        acc += x * y;
                    }
                    long at = oc + (long) i * s.n() + j;
                    put(c, at, s.accumulate() ? get(c, at) + acc : acc);
                }
            }
        }
    }

    @Override
    public void matmulBf16Weights(MatmulShape s, MemorySegment a, MemorySegment bBf16, MemorySegment c) {
        for (int bt = 0; bt < s.batch(); bt++) {
            long oa = bt * s.strideA(), ob = bt * s.strideB(), oc = bt * s.strideC();
            for (int i = 0; i < s.m(); i++) {
                for (int j = 0; j < s.n(); j++) {
                    double acc = 0;
                    for (int p = 0; p < s.k(); p++) {
                        double x = get(a, oa + (s.transA() ? (long) p * s.m() + i : (long) i * s.k() + p));
                        long bi = ob + (s.transB() ? (long) j * s.k() + p : (long) p * s.n() + j);
                        acc += x * dev.fusedit.tensor.ElementAccess.bf16ToFloat(bBf16.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, bi));
                    }
                    long at = oc + (long) i * s.n() + j;
                    put(c, at, s.accumulate() ? get(c, at) + acc : acc);
                }
            }
        }
    }

    // ------------------------------------------------------------------ attention

    /** Final logit of query row i against key j (scale, soft-cap, mask), or the plain product when raw. */
    private double logit(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment mask, int b, int h, int i, int j) {
        int D = s.headDim(), kvh = h / s.group();
        long qi = (((long) b * s.qLen() + i) * s.heads() + h) * D;
        long kj = (((long) b * s.kvLen() + j) * s.kvHeads() + kvh) * D;
        double dot = 0;
        for (int d = 0; d < D; d++) dot += get(q, qi + d) * get(k, kj + d);
        double z = s.scale() * dot;
        if (s.softCap() > 0) z = s.softCap() * Math.tanh(z / s.softCap());
        if (mask != null && s.maskBatches() > 0) {
            int mb = s.maskBatches() == 1 ? 0 : b;
            z += get(mask, ((long) mb * s.qLen() + i) * s.kvLen() + j);
        }
        return z;
    }

    @Override
    public void attention(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                          MemorySegment out, MemorySegment lse) {
        int D = s.headDim();
        double[] p = new double[s.kvLen()];
        for (int b = 0; b < s.batch(); b++)
            for (int h = 0; h < s.heads(); h++) {
                int kvh = h / s.group();
                for (int i = 0; i < s.qLen(); i++) {
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < s.kvLen(); j++) max = Math.max(max, p[j] = logit(s, q, k, mask, b, h, i, j));
                    double sum = 0;
                    for (int j = 0; j < s.kvLen(); j++) sum += p[j] = Math.exp(p[j] - max);
                    put(lse, ((long) b * s.heads() + h) * s.qLen() + i, max + Math.log(sum));
                    long oi = (((long) b * s.qLen() + i) * s.heads() + h) * D;
                    for (int d = 0; d < D; d++) {
                        double acc = 0;
                        for (int j = 0; j < s.kvLen(); j++) acc += p[j] * get(v, (((long) b * s.kvLen() + j) * s.kvHeads() + kvh) * D + d);
                        put(out, oi + d, acc / sum);
                    }
                }
            }
    }

    @Override
    public void attentionBackward(AttentionShape s, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                                  MemorySegment out, MemorySegment lse, MemorySegment dOut,
                                  MemorySegment dq, MemorySegment dk, MemorySegment dv) {
        int D = s.headDim();
        long kvElems = (long) s.batch() * s.kvLen() * s.kvHeads() * D;
        for (long x = 0; x < kvElems; x++) { put(dk, x, 0); put(dv, x, 0); }
        for (int b = 0; b < s.batch(); b++)
            for (int h = 0; h < s.heads(); h++) {
                int kvh = h / s.group();
                for (int i = 0; i < s.qLen(); i++) {
                    long oi = (((long) b * s.qLen() + i) * s.heads() + h) * D;
                    double rowLse = get(lse, ((long) b * s.heads() + h) * s.qLen() + i);
                    // delta = sum_d dO·O, the softmax backward's row term
                    double delta = 0;
                    for (int d = 0; d < D; d++) delta += get(dOut, oi + d) * get(out, oi + d);
                    for (int d = 0; d < D; d++) put(dq, oi + d, 0);
                    for (int j = 0; j < s.kvLen(); j++) {
                        long kj = (((long) b * s.kvLen() + j) * s.kvHeads() + kvh) * D;
                        double pij = Math.exp(logit(s, q, k, mask, b, h, i, j) - rowLse);
                        double dpij = 0;
                        for (int d = 0; d < D; d++) {
                            dpij += get(dOut, oi + d) * get(v, kj + d);
                            put(dv, kj + d, get(dv, kj + d) + pij * get(dOut, oi + d));
                        }
                        double dz = pij * (dpij - delta);
                        if (s.softCap() > 0) {
                            // z = cap·tanh(u/cap), dz/du = 1 − tanh² ; u = scale·q·k
                            double dot = 0;
                            for (int d = 0; d < D; d++) dot += get(q, oi + d) * get(k, kj + d);
                            double t = Math.tanh(s.scale() * dot / s.softCap());
                            dz *= 1 - t * t;
                        }
                        dz *= s.scale();
                        for (int d = 0; d < D; d++) {
                            put(dq, oi + d, get(dq, oi + d) + dz * get(k, kj + d));
                            put(dk, kj + d, get(dk, kj + d) + dz * get(q, oi + d));
                        }
                    }
                }
            }
    }

    // ------------------------------------------------------------------ RoPE

    @Override
    public void rope(RopeShape s, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out, boolean inverse) {
        int D = s.headDim(), half = D / 2;
        double sign = inverse ? -1 : 1;
        for (int b = 0; b < s.batch(); b++)
            for (int t = 0; t < s.seq(); t++) {
                long cs = ((long) (s.cosBatches() == 1 ? 0 : b) * s.seq() + t) * D;
                for (int h = 0; h < s.heads(); h++) {
                    long base = (((long) b * s.seq() + t) * s.heads() + h) * D;
                    for (int d = 0; d < half; d++) {
                        double x1 = get(x, base + d), x2 = get(x, base + d + half);
                        double y1 = x1 * get(cos, cs + d) - sign * x2 * get(sin, cs + d);
                        double y2 = x2 * get(cos, cs + d + half) + sign * x1 * get(sin, cs + d + half);
                        put(out, base + d, y1);
                        put(out, base + d + half, y2);
                    }
                }
            }
    }

    // ------------------------------------------------------------------ RMSNorm

    @Override
    public void rmsNorm(int rows, int dim, float eps, float weightOffset, MemorySegment x, MemorySegment w,
                        MemorySegment out, MemorySegment rstd) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * dim;
            double ss = 0;
            for (int d = 0; d < dim; d++) ss += get(x, base + d) * get(x, base + d);
            double inv = 1 / Math.sqrt(ss / dim + eps);
            put(rstd, r, inv);
            for (int d = 0; d < dim; d++) {
                double scale = w == null ? 1 : weightOffset + get(w, d);
                put(out, base + d, get(x, base + d) * inv * scale);
            }
        }
    }

    @Override
    public void rmsNormBackward(int rows, int dim, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment rstd,
                                MemorySegment dOut, MemorySegment dx, MemorySegment dw) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * dim;
            double inv = get(rstd, r);
            // y = x·inv·g ; dx = inv·(g·dy) − x·inv³/dim · Σ(g·dy·x)
            double dot = 0;
            for (int d = 0; d < dim; d++) {
                double g = w == null ? 1 : weightOffset + get(w, d);
                dot += g * get(dOut, base + d) * get(x, base + d);
            }
            for (int d = 0; d < dim; d++) {
                double g = w == null ? 1 : weightOffset + get(w, d);
                double xv = get(x, base + d);
                put(dx, base + d, inv * g * get(dOut, base + d) - xv * inv * inv * inv * dot / dim);
                if (w != null && dw != null) put(dw, d, get(dw, d) + get(dOut, base + d) * xv * inv);
            }
        }
    }

    // ------------------------------------------------------------------ GeGLU

    /** GELU, tanh approximation (PyTorch's approximate="tanh"). */
    public static double geluTanh(double x) {
        double u = GELU_C * (x + 0.044715 * x * x * x);
        return 0.5 * x * (1 + Math.tanh(u));
    }

    public static double geluTanhGrad(double x) {
        double u = GELU_C * (x + 0.044715 * x * x * x);
        double t = Math.tanh(u);
        return 0.5 * (1 + t) + 0.5 * x * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * x * x);
    }

    static final double GELU_C = Math.sqrt(2 / Math.PI);

    @Override
    public void geglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out) {
        for (long i = 0; i < n; i++) put(out, i, geluTanh(get(gate, i)) * get(up, i));
    }

    @Override
    public void gegluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp) {
        for (long i = 0; i < n; i++) {
            double g = get(gate, i), u = get(up, i), dy = get(dOut, i);
            put(dGate, i, dy * u * geluTanhGrad(g));
            put(dUp, i, dy * geluTanh(g));
        }
    }

    // ------------------------------------------------------------------ softmax

    @Override
    public void softmax(int rows, int cols, MemorySegment x, MemorySegment out) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double max = Double.NEGATIVE_INFINITY;
            for (int c = 0; c < cols; c++) max = Math.max(max, get(x, base + c));
            double sum = 0;
            for (int c = 0; c < cols; c++) sum += Math.exp(get(x, base + c) - max);
            for (int c = 0; c < cols; c++) put(out, base + c, Math.exp(get(x, base + c) - max) / sum);
        }
    }

    @Override
    public void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx) {
        for (int r = 0; r < rows; r++) {
            long base = (long) r * cols;
            double dot = 0;
            for (int c = 0; c < cols; c++) dot += get(y, base + c) * get(dy, base + c);
            for (int c = 0; c < cols; c++) put(dx, base + c, get(y, base + c) * (get(dy, base + c) - dot));
        }
    }

    // ------------------------------------------------------------------ AdamW

    @Override
    public void adamw(long n, AdamWStep st, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v) {
        double bc1 = 1 - Math.pow(st.beta1(), st.step()), bc2 = 1 - Math.pow(st.beta2(), st.step());
        for (long i = 0; i < n; i++) {
            double g = get(grad, i), p = get(param, i);
            double mi = st.beta1() * get(m, i) + (1 - st.beta1()) * g;
            double vi = st.beta2() * get(v, i) + (1 - st.beta2()) * g * g;
            put(m, i, mi);
            put(v, i, vi);
            double update = (mi / bc1) / (Math.sqrt(vi / bc2) + st.eps());
            put(param, i, p - st.lr() * (st.weightDecay() * p + update));
        }
    }

    // ------------------------------------------------------------------ gradient clipping and EMA

    @Override
    public double sumOfSquares(long n, MemorySegment x) {
        double sum = 0;
        for (long i = 0; i < n; i++) sum += get(x, i) * get(x, i);
        return sum;
    }

    @Override
    public void scale(long n, float c, MemorySegment x) {
        for (long i = 0; i < n; i++) put(x, i, c * get(x, i));
    }

    @Override
    public void emaUpdate(long n, float decay, MemorySegment ema, MemorySegment param) {
        for (long i = 0; i < n; i++) put(ema, i, decay * get(ema, i) + (1.0 - decay) * get(param, i));
    }
}
