package dev.fusedit.cli;

import dev.fusedit.model.gemma.GemmaCheckpoint;
import dev.fusedit.model.gemma.TextGenerator;
import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.tokenizer.Tokenizers;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Streams a Gemma model's continuation of a prompt. */
@Command(name = "generate", mixinStandardHelpOptions = true,
        description = "Continue a prompt with a Gemma / Gemma-2 model (greedy at temperature 0).")
final class GenerateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, description = "HF model folder: config.json, *.safetensors, tokenizer.json")
    Path model;

    @Option(names = "--tokenizer", description = "tokenizer.json (default: the one in --model)")
    Path tokenizer;

    @Option(names = "--prompt", required = true)
    String prompt;

    @Option(names = "--max-tokens", defaultValue = "64")
    int maxTokens;

    @Option(names = "--temperature", defaultValue = "0")
    double temperature;

    @Option(names = "--top-p", defaultValue = "0.95")
    double topP;

    @Option(names = "--seed", defaultValue = "42")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (maxTokens < 1) throw new CliException("--max-tokens must be at least 1");
        if (topP <= 0 || topP > 1) throw new CliException("--top-p must be in (0, 1]");
        Path tok = tokenizer != null ? tokenizer : model.resolve("tokenizer.json");
        if (!Files.exists(tok)) throw new CliException(tok + ": no tokenizer.json; pass --tokenizer");
        Tokenizer tk = Tokenizers.load(tok);
        try (GemmaCheckpoint ckpt = GemmaCheckpoint.open(model)) {
            int eos = ckpt.model().config.eosTokenId();
            List<Integer> ids = new ArrayList<>();
            int[] printed = {0};
            long t0 = System.nanoTime();
            int[] out = new TextGenerator(ckpt.model()).generate(tk.encode(prompt),
                    new TextGenerator.Options(maxTokens, temperature, topP, seed), id -> {
                        if (id == eos) return false;
                        ids.add(id);
                        // print the text that is complete so far (byte tokens may need a follower)
                        String text = tk.decode(ids.stream().mapToInt(Integer::intValue).toArray(), true);
                        if (!text.endsWith("\uFFFD") && text.length() > printed[0]) {
                            System.out.print(text.substring(printed[0]));
                            System.out.flush();
                            printed[0] = text.length();
                        }
                        return true;
                    });
            double s = (System.nanoTime() - t0) / 1e9;
            System.out.println();
            System.err.printf("%d tokens in %.2f s (%.2f tokens/s)%n", out.length, s, out.length / s);
        }
        return 0;
    }
}
