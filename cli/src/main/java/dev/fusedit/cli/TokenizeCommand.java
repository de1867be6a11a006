package dev.fusedit.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.fusedit.model.tokenizer.BpeTokenizer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.BufferedReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/** Prints the token ids of each text as one JSON line {"ids":[...]} (BOS included, no padding). */
@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = "Tokenize texts with a tokenizer.json; one JSON line {\"ids\":[...]} per text.")
final class TokenizeCommand implements Callable<Integer> {
    @Option(names = "--tokenizer", required = true, description = "tokenizer.json, or a folder holding one")
    Path tokenizer;

    @Option(names = "--input", description = "JSON-lines file; the \"text\" field of each line is tokenized")
    Path input;

    @Parameters(arity = "0..*", paramLabel = "TEXT", description = "texts to tokenize")
    List<String> texts = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        BpeTokenizer tok = BpeTokenizer.load(tokenizer);
        ObjectMapper json = new ObjectMapper();
        List<String> all = new ArrayList<>(texts);
        if (input != null) {
            try (BufferedReader r = Files.newBufferedReader(input)) {
                int lineNo = 0;
                for (String line; (line = r.readLine()) != null; ) {
                    lineNo++;
                    if (line.isBlank()) continue;
                    JsonNode node = json.readTree(line);
                    if (node == null || !node.path("text").isTextual())
                        throw new CliException(input + ":" + lineNo + ": expected a JSON object with a string field \"text\"");
                    all.add(node.get("text").asText());
                }
            }
        }
        if (all.isEmpty()) throw new CliException("nothing to tokenize: give TEXT arguments or --input FILE.jsonl");
        StringBuilder out = new StringBuilder();
        for (String text : all) {
            out.setLength(0);
            out.append("{\"ids\":[");
            int[] ids = tok.encode(text);
            for (int i = 0; i < ids.length; i++) out.append(i == 0 ? "" : ",").append(ids[i]);
            System.out.println(out.append("]}"));
        }
        return 0;
    }
}
