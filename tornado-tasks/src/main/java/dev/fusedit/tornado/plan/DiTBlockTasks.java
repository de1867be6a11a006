package dev.fusedit.tornado.plan;

import dev.fusedit.layers.Linear;
import dev.fusedit.layers.RmsNorm;
import dev.fusedit.model.fusedit.DiTLayer;
import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.tensor.kernels.AttentionShape;
import dev.fusedit.tensor.kernels.RopeShape;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

/**
 * The tasks of one DiT layer of a FuseDiT on the device, in the order of {@link DiTLayer#forward}
 * without modulation (the unconditioned final recipe): input norm; q, k, v projections; qk-norm
 * and RoPE on image queries and keys; image keys and values placed after the text rows of the
 * [text ; image] buffers; attention under the image-rows mask; o_proj (+ post-attention norm with
 * sandwich norm); residual; pre-MLP norm, GeGLU MLP (+ post-MLP norm); residual. The layer's
 * weights are sent once; its scratch arrays belong to its graph.
 */
final class DiTBlockTasks {
    private DiTBlockTasks() {}

    /** Batch, image tokens and text tokens of the plan. */
    record Sizes(int batch, int tokens, int text) {
        int rows() {
            return batch * tokens;
        }
    }

    /** The arrays a layer computes into: one set, reused by every block of the plan (their values do not outlive a block). */
    record Scratch(FloatArray normed, FloatArray rstd, FloatArray q, FloatArray k, FloatArray v, FloatArray attended, FloatArray lse,
                   FloatArray update, FloatArray gate, FloatArray up, FloatArray act) {
        static Scratch allocate(FuseDiTConfig c, Sizes s) {
            var base = c.base();
            int rows = s.rows(), hidden = c.ditHiddenSize(), heads = base.numAttentionHeads(), kv = base.numKeyValueHeads() * base.headDim();
            int inter = base.intermediateSize(), qWidth = heads * base.headDim();
            return new Scratch(new FloatArray(rows * hidden), new FloatArray(rows * heads), new FloatArray(rows * qWidth),
                    new FloatArray(rows * kv), new FloatArray(rows * kv), new FloatArray(rows * qWidth), new FloatArray(rows * heads),
                    new FloatArray(rows * hidden), new FloatArray(rows * inter), new FloatArray(rows * inter), new FloatArray(rows * inter));
        }

        FloatArray[] arrays() {
            return new FloatArray[] {normed, rstd, q, k, v, attended, lse, update, gate, up, act};
        }
    }

    /**
     * Appends layer {@code layer}'s tasks to {@code g}: x [B·N, H] is updated in place; jointK and
     * jointV [B, L+N, kvHeads·D] hold the text rows already; mask [B, N, L+N]; cos, sin [B, N, D].
     */
    static void add(TaskGraphBuilder g, DiTLayer layer, FuseDiTConfig c, Sizes s, FloatArray x, Scratch t, FloatArray jointK, FloatArray jointV,
                    FloatArray mask, FloatArray cos, FloatArray sin) {
        var base = c.base();
        int rows = s.rows(), hidden = c.ditHiddenSize(), heads = base.numAttentionHeads(), kvHeads = base.numKeyValueHeads();
        int headDim = base.headDim(), inter = base.intermediateSize(), joint = s.text() + s.tokens();
        var attn = layer.selfAttn;
        FloatArray normed = t.normed(), rstd = t.rstd(), q = t.q(), k = t.k(), v = t.v(), attended = t.attended(), lse = t.lse();
        FloatArray update = t.update(), gate = t.gate(), up = t.up(), act = t.act();

        norm(g, layer.inputLayernorm, rows, x, normed, rstd);
        RopeShape qRope = new RopeShape(s.batch(), s.tokens(), heads, headDim, s.batch());
        RopeShape kRope = new RopeShape(s.batch(), s.tokens(), kvHeads, headDim, s.batch());
        linear(g, attn.qProj, rows, normed, q);
        if (attn.qNorm != null) norm(g, attn.qNorm, rows * heads, q, q, rstd);
        g.rope(qRope, q, cos, sin, q);
        linear(g, attn.kProj, rows, normed, k);
        if (attn.kNorm != null) norm(g, attn.kNorm, rows * kvHeads, k, k, rstd);
        g.rope(kRope, k, cos, sin, k);
        g.copyRows(s.batch(), s.tokens(), joint, s.text(), kvHeads * headDim, k, jointK);
        linear(g, attn.vProj, rows, normed, v);
        g.copyRows(s.batch(), s.tokens(), joint, s.text(), kvHeads * headDim, v, jointV);
        g.attention(new AttentionShape(s.batch(), heads, kvHeads, s.tokens(), joint, headDim, (float) (1 / Math.sqrt(headDim)), 0f, s.batch()),
                q, jointK, jointV, mask, attended, lse);
        linear(g, attn.oProj, rows, attended, update);
        if (c.sandwichNorm()) norm(g, layer.postAttentionLayernorm, rows, update, update, rstd);
        g.addInto(rows * hidden, x, update);

        norm(g, c.sandwichNorm() ? layer.preFeedforwardLayernorm : layer.postAttentionLayernorm, rows, x, normed, rstd);
        linear(g, layer.mlp.gateProj, rows, normed, gate);
        linear(g, layer.mlp.upProj, rows, normed, up);
        g.geglu(rows * inter, gate, up, act);
        linear(g, layer.mlp.downProj, rows, act, update);
        if (c.sandwichNorm()) norm(g, layer.postFeedforwardLayernorm, rows, update, update, rstd);
        g.addInto(rows * hidden, x, update);
    }

    /** RMSNorm over the last dimension of x [rows, dim] into out (may be x). */
    static void norm(TaskGraphBuilder g, RmsNorm norm, int rows, FloatArray x, FloatArray out, FloatArray rstd) {
        FloatArray w = FuseDiTGraphs.weights(norm.weight);
        g.resident(w);
        g.rmsNorm(rows, w.getSize(), (float) norm.eps(), (float) norm.weightOffset(), x, w, out, rstd);
    }

    /** y [rows, out] = x [rows, in] · Wᵀ (+ bias when the layer has one). */
    static void linear(TaskGraphBuilder g, Linear linear, int rows, FloatArray x, FloatArray y) {
        int[] shape = linear.weight.get().shape();
        FloatArray w = FuseDiTGraphs.weights(linear.weight);
        g.resident(w);
        g.linear(rows, shape[1], shape[0], x, w, y);
        if (linear.bias != null) {
            FloatArray b = FuseDiTGraphs.weights(linear.bias);
            g.resident(b);
            g.addRowVector(rows, shape[0], y, b);
        }
    }
}
