package dev.fusedit.tensor.kernels;

import java.lang.foreign.MemorySegment;

/**
 * The hot loops, behind one interface. Model code calls ops; ops call the active provider
 * ({@link KernelProvider#current()}). {@link ScalarKernels} is the oracle every fast provider is
 * tested against; {@link VectorKernels} runs on the JDK Vector API; a TornadoVM provider plugs in
 * through {@link java.util.ServiceLoader} without touching model code.
 *
 * <p>Conventions: every segment holds contiguous row-major float32 values and starts at the
 * first element the kernel reads or writes (callers slice); outputs never alias inputs unless a
 * method says so; "accumulate" means add into the output instead of overwriting it.
 * (The scalar oracle also runs on float64 segments, see {@link ScalarKernels#F64}.)
 */
public interface Kernels {

    /** Short name for logs and benchmark tables ("scalar", "vector-512", ...). */
    String name();

    /**
     * The CPU threads this provider owns and lends to the host-side loops that run beside its
     * kernels (element-wise ops on tensors, random fills), or null where those run on the calling
     * thread (the scalar oracle). A GPU provider owns one too, so the host work around its kernels
     * is not left to one thread.
     */
    KernelPool cpuPool();

    /**
     * Batched matrix multiply {@code C[b] = op(A[b]) · op(B[b])} (+ C[b] when accumulate).
     * op(A) is m×k: A is stored m×k, or k×m when transA. op(B) is k×n: B is stored k×n, or n×k
     * when transB. Batch b starts at b·strideA / b·strideB / b·strideC elements; a stride of 0
     * reuses one matrix for every batch (a weight).
     */
    void matmul(MatmulShape shape, MemorySegment a, MemorySegment b, MemorySegment c);

    /**
     * {@link #matmul} with B in bfloat16 (2 bytes per element, widened to float32 as it is read;
     * strideB counts bfloat16 elements), A and C float32. A frozen bfloat16 weight is used without
     * a float32 copy: y = x·Wᵀ for W stored [out, in] as nn.Linear keeps it is transB, and the
     * input gradient dX = dY·W the same weight untransposed.
     */
    void matmulBf16Weights(MatmulShape shape, MemorySegment a, MemorySegment bBf16, MemorySegment c);

    /**
     * Scaled-dot-product attention with an online softmax. Layouts: q and out [batch, qLen, heads, headDim];
     * k and v [batch, kvLen, kvHeads, headDim] (query head h reads kv head h / (heads / kvHeads));
     * mask null or additive [maskBatches, qLen, kvLen] (maskBatches 1 or batch); lse receives
     * the log-sum-exp of each row's final logits, [batch, heads, qLen], for the backward pass.
     * Logit = softCap > 0 ? softCap·tanh(scale·q·k / softCap) : scale·q·k, then + mask.
     */
    void attention(AttentionShape shape, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                   MemorySegment out, MemorySegment lse);

    /** Gradients of {@link #attention}: dq, dk, dv are overwritten (same layouts as q, k, v). */
    void attentionBackward(AttentionShape shape, MemorySegment q, MemorySegment k, MemorySegment v, MemorySegment mask,
                           MemorySegment out, MemorySegment lse, MemorySegment dOut,
                           MemorySegment dq, MemorySegment dk, MemorySegment dv);

    /**
     * Rotary position embedding in the rotate-half layout: for each vector x of width headDim
     * (half = headDim/2) and d < half: y[d] = x[d]·cos[d] − x[d+half]·sin[d],
     * y[d+half] = x[d+half]·cos[d+half] + x[d]·sin[d+half]. x and out are [batch, seq, heads, headDim]
     * (out may be x); cos and sin are [cosBatches, seq, headDim] (cosBatches 1 or batch).
     * With inverse the rotation runs backwards (sin negated): the backward pass.
     */
    void rope(RopeShape shape, MemorySegment x, MemorySegment cos, MemorySegment sin, MemorySegment out, boolean inverse);

    /**
     * RMSNorm over rows of width dim: out = x · rsqrt(mean(x²) + eps) · (weightOffset + w), w may be
     * null (no weight). rstd[row] receives rsqrt(mean(x²) + eps) for the backward pass.
     */
    void rmsNorm(int rows, int dim, float eps, float weightOffset, MemorySegment x, MemorySegment w,
                 MemorySegment out, MemorySegment rstd);

    /** Gradients of {@link #rmsNorm}: dx overwritten; dw (when w and dw are non-null) accumulated. */
    void rmsNormBackward(int rows, int dim, float weightOffset, MemorySegment x, MemorySegment w, MemorySegment rstd,
                         MemorySegment dOut, MemorySegment dx, MemorySegment dw);

    /** GeGLU: out[i] = gelu_tanh(gate[i]) · up[i] for n elements. */
    void geglu(long n, MemorySegment gate, MemorySegment up, MemorySegment out);

    /** Gradients of {@link #geglu}: dGate and dUp overwritten. */
    void gegluBackward(long n, MemorySegment gate, MemorySegment up, MemorySegment dOut, MemorySegment dGate, MemorySegment dUp);

    /** Numerically stable softmax over rows of width cols (out may be x). */
    void softmax(int rows, int cols, MemorySegment x, MemorySegment out);

    /** dx = y · (dy − Σ y·dy) per row, from the softmax output y. */
    void softmaxBackward(int rows, int cols, MemorySegment y, MemorySegment dy, MemorySegment dx);

    /**
     * One AdamW step over n parameters in flat buffers (param, m, v updated in place):
     * m = β1·m + (1−β1)·g; v = β2·v + (1−β2)·g²; p −= lr·(wd·p + m̂ / (sqrt(v̂) + eps)),
     * with m̂ = m / (1−β1^step), v̂ = v / (1−β2^step) (decoupled weight decay, as torch.optim.AdamW).
     */
    void adamw(long n, AdamWStep step, MemorySegment param, MemorySegment grad, MemorySegment m, MemorySegment v);

    /**
     * Σ x[i]² over n floats, summed in double (gradient clipping takes its square root as the
     * global norm). Providers may sum pieces in float first; the scalar oracle sums in double.
     */
    double sumOfSquares(long n, MemorySegment x);

    /** x[i] = c · x[i] for n floats (gradient clipping's rescale). */
    void scale(long n, float c, MemorySegment x);

    /**
     * The EMA of parameters, in place: ema[i] = decay · ema[i] + (1 − decay) · param[i] for n floats
     * (each product and the sum rounded to float in the fast providers).
     */
    void emaUpdate(long n, float decay, MemorySegment ema, MemorySegment param);
}
