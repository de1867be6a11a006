package dev.fusedit.tornado;

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
final class BlockTasks {
    private BlockTasks() {}

    /** Batch, image tokens and text tokens of the plan. */
    record Sizes(int batch, int tokens, int text) {
        int rows() {
            return batch * tokens;
        }
    }

    /**
     * Appends layer {@code layer}'s tasks to {@code g}: x [B·N, H] is updated in place; jointK and
     * jointV [B, L+N, kvHeads·D] hold the text rows already; mask [B, N, L+N]; cos, sin [B, N, D].
     */
    static void add(GraphTasks g, DiTLayer layer, FuseDiTConfig c, Sizes s, FloatArray x, FloatArray jointK, FloatArray jointV,
                    FloatArray mask, FloatArray cos, FloatArray sin) {
        var base = c.base();
        int rows = s.rows(), hidden = c.ditHiddenSize(), heads = base.numAttentionHeads(), kvHeads = base.numKeyValueHeads();
        int headDim = base.headDim(), inter = base.intermediateSize(), joint = s.text() + s.tokens();
        var attn = layer.selfAttn;

        FloatArray normed = new FloatArray(rows * hidden), rstd = new FloatArray(rows * heads);
        FloatArray q = new FloatArray(rows * heads * headDim), k = new FloatArray(rows * kvHeads * headDim), v = new FloatArray(rows * kvHeads * headDim);
        FloatArray attended = new FloatArray(rows * heads * headDim), lse = new FloatArray(rows * heads);
        FloatArray update = new FloatArray(rows * hidden);
        FloatArray gate = new FloatArray(rows * inter), up = new FloatArray(rows * inter), act = new FloatArray(rows * inter);

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
    static void norm(GraphTasks g, RmsNorm norm, int rows, FloatArray x, FloatArray out, FloatArray rstd) {
        FloatArray w = FuseDiTGraphs.weights(norm.weight);
        g.resident(w);
        g.rmsNorm(rows, w.getSize(), (float) norm.eps(), (float) norm.weightOffset(), x, w, out, rstd);
    }

    /** y [rows, out] = x [rows, in] · Wᵀ (+ bias when the layer has one). */
    static void linear(GraphTasks g, Linear linear, int rows, FloatArray x, FloatArray y) {
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
