package dev.fusedit.model.gemma;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.autograd.GradMode;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

/** Decoding with the KV cache must pick the tokens a full forward pass over the whole sequence picks. */
class TextGeneratorTest {

    private static int argmaxOfLastPosition(GemmaModel model, int[] seq) {
        Tensor ids = Tensor.zeros(DType.I64, 1, seq.length);
        for (int i = 0; i < seq.length; i++) ids.set(seq[i], 0, i);
        float[] logits = model.logits(model.forward(ids, null)).select(1, seq.length - 1).reshape(-1).toFloatArray();
        int best = 0;
        for (int i = 1; i < logits.length; i++) if (logits[i] > logits[best]) best = i;
        return best;
    }

    @Test
    void cachedGreedyDecodingMatchesFullRecomputation() throws IOException {
        // Gemma-2 with a sliding window of 4: a 12-token run crosses the window several times.
        try (GemmaCheckpoint ckpt = GemmaCheckpoint.open(Path.of("..", "fixtures", "parity", "gemma2-llm", "transformer"));
             GradMode ignored = GradMode.noGrad()) {
            GemmaModel model = ckpt.model();
            int[] prompt = {2, 17, 101, 42, 7};
            int[] generated = new TextGenerator(model).generate(prompt, new TextGenerator.Options(7, 0, 1, 0), id -> true);
            assertThat(generated).hasSize(7);
            int[] seq = prompt;
            for (int token : generated) {
                assertThat(token).isEqualTo(argmaxOfLastPosition(model, seq));
                seq = Arrays.copyOf(seq, seq.length + 1);
                seq[seq.length - 1] = token;
            }
        }
    }

    @Test
    void samplingIsReproducibleForASeed() throws IOException {
        try (GemmaCheckpoint ckpt = GemmaCheckpoint.open(Path.of("..", "fixtures", "parity", "gemma-llm", "transformer"))) {
            TextGenerator gen = new TextGenerator(ckpt.model());
            var opts = new TextGenerator.Options(6, 1.0, 0.9, 1234);
            int[] a = gen.generate(new int[] {2, 5}, opts, id -> true);
            int[] b = gen.generate(new int[] {2, 5}, opts, id -> true);
            assertThat(a).containsExactly(b);
        }
    }
}
