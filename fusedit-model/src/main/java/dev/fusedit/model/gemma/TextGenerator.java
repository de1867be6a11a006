package dev.fusedit.model.gemma;

import dev.fusedit.layers.RopeTables;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.ops.TransformerOps;
import dev.fusedit.tensor.random.Rng;

import java.util.Arrays;
import java.util.function.IntPredicate;

/**
 * Autoregressive decoding with a KV cache: the prompt in one pass (prefill), then one token per
 * step. Greedy at temperature 0, else temperature + nucleus (top-p) sampling from a seeded Rng.
 */
public final class TextGenerator {
    private final GemmaModel model;

    public TextGenerator(GemmaModel model) {
        this.model = model;
    }

    /** Sampling settings. */
    public record Options(int maxTokens, double temperature, double topP, long seed) {}

    /**
     * Generates up to maxTokens after {@code prompt} (ids, BOS included), calling {@code onToken}
     * with each new id; stops early when onToken returns false (e.g. at EOS).
     */
    public int[] generate(int[] prompt, Options o, IntPredicate onToken) {
        int capacity = prompt.length + o.maxTokens();
        Rng rng = new Rng(o.seed());
        int[] out = new int[o.maxTokens()];
        int n = 0;
        try (KvCache cache = new KvCache(model.config, 1, capacity); GradMode ignored = GradMode.noGrad()) {
            int[] chunk = prompt;
            while (n < o.maxTokens()) {
                int next;
                try (MemoryScope step = MemoryScope.open()) {
                    Tensor logits = step(chunk, cache);
                    next = pick(logits.toFloatArray(), o, rng);
                }
                out[n++] = next;
                if (!onToken.test(next)) break;
                chunk = new int[] {next};
            }
        }
        return Arrays.copyOf(out, n);
    }

    /** Runs tokens at positions cache.length().. and returns the logits [vocab] of the last one. */
    Tensor step(int[] tokens, KvCache cache) {
        GemmaConfig c = model.config;
        int start = cache.length(), t = tokens.length, total = start + t;
        Tensor ids = Tensor.zeros(DType.I64, 1, t);
        for (int i = 0; i < t; i++) ids.set(tokens[i], 0, i);
        int[][] positions = new int[1][t];
        for (int i = 0; i < t; i++) positions[0][i] = start + i;
        RopeTables.CosSin rope = RopeTables.oneD(positions, c.headDim(), c.ropeTheta());
        Tensor x = model.embed(ids);
        for (int l = 0; l < model.layers.size(); l++) {
            int li = l;
            Tensor in = x;
            // one layer's temporaries at a time (K and V go to the cache, the layer output is kept)
            x = MemoryScope.retainOne(() -> layerStep(li, in, rope, cache, start, t, total));
        }
        cache.advance(t);
        Tensor last = model.norm.forward(x.narrow(1, t - 1, 1));
        return model.logits(last).reshape(-1);
    }

    /** Layer l on the new tokens x at positions start..start+t-1: stores their K, V and attends over the cache. */
    private Tensor layerStep(int l, Tensor x, RopeTables.CosSin rope, KvCache cache, int start, int t, int total) {
        GemmaConfig c = model.config;
        GemmaDecoderLayer layer = model.layers.get(l);
        Tensor h = layer.inputLayernorm.forward(x);
        Tensor q = TransformerOps.rope(layer.selfAttn.queries(h), rope.cos(), rope.sin());
        Tensor k = TransformerOps.rope(layer.selfAttn.keys(h), rope.cos(), rope.sin());
        cache.store(l, k, layer.selfAttn.values(h));
        Tensor mask = windowMask(start, t, total, c.slidingWindowOf(l));
        Tensor a = TransformerOps.scaledDotProductAttention(q, cache.keys(l, total), cache.values(l, total), mask,
                c.attentionScale(), c.attnLogitSoftcapping());
        return layer.feedForward(x, layer.selfAttn.output(a));
    }

    /** [1, t, total]: new token i (position start+i) sees cached position j ≤ start+i within the window. */
    private static Tensor windowMask(int start, int t, int total, int window) {
        Tensor mask = Tensor.zeros(DType.F32, 1, t, total);
        for (int i = 0; i < t; i++)
            for (int j = 0; j < total; j++) {
                int pos = start + i;
                if (j > pos || (window > 0 && pos - j >= window)) mask.set(Masks.BLOCKED, 0, i, j);
            }
        return mask;
    }

    /** Greedy, or temperature + top-p sampling. */
    static int pick(float[] logits, Options o, Rng rng) {
        if (o.temperature() <= 0) {
            int best = 0;
            for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
            return best;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp((logits[i] - max) / o.temperature());
        Integer[] order = new Integer[p.length];
        for (int i = 0; i < order.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(p[b], p[a]));
        double kept = 0;
        int cut = 0;
        while (cut < order.length && (cut == 0 || kept < o.topP() * sum)) kept += p[order[cut++]];
        double u = rng.uniform(0, 1, 1).item() * kept;
        for (int i = 0; i < cut; i++) {
            u -= p[order[i]];
            if (u <= 0) return order[i];
        }
        return order[cut - 1];
    }
}
