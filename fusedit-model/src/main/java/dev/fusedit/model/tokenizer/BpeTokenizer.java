package dev.fusedit.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A byte-fallback BPE tokenizer read from a Hugging Face {@code tokenizer.json}, computing what
 * the HF {@code tokenizers} library computes for SentencePiece-style vocabularies such as
 * Gemma's: added tokens matched in the raw text first (leftmost, longest), the rest normalized
 * (spaces to "▁"), merged pair by pair in rank order, characters missing from the vocabulary
 * spelled as {@code <0xXX>} byte tokens, and the post-processor's BOS prepended.
 * Configurations it does not implement fail at load time with a message naming the field.
 */
public final class BpeTokenizer implements Tokenizer {
    private final Map<String, Integer> vocab;
    private final String[] pieces;
    private final MergeTable merges;
    private final AddedTokens added;
    private final List<Normalization> normalizers;
    private final int[] prefix, suffix;
    private final List<JsonNode> decoders;
    private final int unkId;
    private final boolean fuseUnk;
    private final boolean byteFallback;
    private final int[] byteIds = new int[256];
    private final int padId, bosId, eosId;

    private record Normalization(String type, String from, String to) {}

    private BpeTokenizer(Path file, JsonNode root) throws IOException {
        JsonNode model = root.path("model");
        if (!"BPE".equals(model.path("type").asText()))
            throw new FormatException(file, "model.type is '" + model.path("type").asText() + "', this tokenizer reads BPE models");
        if (!model.path("continuing_subword_prefix").isNull() && !model.path("continuing_subword_prefix").isMissingNode()
                || !model.path("end_of_word_suffix").isNull() && !model.path("end_of_word_suffix").isMissingNode())
            throw new FormatException(file, "model.continuing_subword_prefix / end_of_word_suffix are not supported");
        if (model.path("ignore_merges").asBoolean(false)) throw new FormatException(file, "model.ignore_merges=true is not supported");

        JsonNode v = model.path("vocab");
        if (!v.isObject()) throw new FormatException(file, "model.vocab must be an object of token -> id");
        vocab = new HashMap<>(v.size() * 2);
        JsonNode addedNode = root.path("added_tokens");
        int entries = v.size() + addedNode.size();
        int maxId = -1;
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            int id = TokenIdCheck.require(file, "model.vocab['" + e.getKey() + "']", e.getValue(), entries);
            vocab.put(e.getKey(), id);
            maxId = Math.max(maxId, id);
        }
        for (JsonNode a : addedNode) maxId = Math.max(maxId, TokenIdCheck.require(file, "added_tokens[].id", a.path("id"), entries));
        pieces = new String[maxId + 1];
        vocab.forEach((piece, id) -> pieces[id] = piece);

        added = new AddedTokens();
        for (JsonNode a : addedNode) {
            if (a.path("normalized").asBoolean(false) || a.path("lstrip").asBoolean(false) || a.path("rstrip").asBoolean(false)
                    || a.path("single_word").asBoolean(false))
                throw new FormatException(file, "added token '" + a.path("content").asText() + "' uses normalized/lstrip/rstrip/single_word, which are not supported");
            String content = a.path("content").asText();
            int id = a.path("id").asInt();
            added.add(content, id, a.path("special").asBoolean(false));
            pieces[id] = content;
        }

        JsonNode m = model.path("merges");
        merges = new MergeTable(Math.max(1, m.size()));
        int rank = 0;
        for (JsonNode merge : m) {
            String left, right;
            if (merge.isArray()) {
                left = merge.get(0).asText();
                right = merge.get(1).asText();
            } else {
                String s = merge.asText();
                int space = s.indexOf(' ');
                if (space < 0 || s.indexOf(' ', space + 1) >= 0) throw new FormatException(file, "merge " + rank + " '" + s + "' is not 'left right'");
                left = s.substring(0, space);
                right = s.substring(space + 1);
            }
            Integer l = vocab.get(left), r = vocab.get(right), merged = vocab.get(left + right);
            if (l == null || r == null || merged == null)
                throw new FormatException(file, "merge " + rank + " (" + left + " + " + right + ") uses a token missing from the vocabulary");
            merges.put(l, r, rank++, merged);
        }

        String unk = model.path("unk_token").isTextual() ? model.path("unk_token").asText() : null;
        unkId = unk == null ? -1 : vocab.getOrDefault(unk, -1);
        fuseUnk = model.path("fuse_unk").asBoolean(false);
        byteFallback = model.path("byte_fallback").asBoolean(false);
        for (int b = 0; b < 256; b++) byteIds[b] = vocab.getOrDefault(String.format("<0x%02X>", b), -1);

        normalizers = new ArrayList<>();
        readNormalizer(file, root.path("normalizer"));
        if (!root.path("pre_tokenizer").isNull() && !root.path("pre_tokenizer").isMissingNode())
            throw new FormatException(file, "pre_tokenizer " + root.path("pre_tokenizer").path("type").asText() + " is not supported (expected null)");

        PostProcessorTemplate template = PostProcessorTemplate.read(file, root, pieces.length);
        for (int id : java.util.stream.IntStream.concat(java.util.Arrays.stream(template.prefix()), java.util.Arrays.stream(template.suffix())).toArray())
            if (pieces[id] == null) throw new FormatException(file, "post_processor.special_tokens: id " + id + " names no token of the vocabulary");
        prefix = template.prefix();
        suffix = template.suffix();

        decoders = new ArrayList<>();
        JsonNode dec = root.path("decoder");
        if ("Sequence".equals(dec.path("type").asText())) dec.path("decoders").forEach(decoders::add);
        else if (!dec.isNull() && !dec.isMissingNode()) decoders.add(dec);
        for (JsonNode d : decoders) {
            String type = d.path("type").asText();
            if (!List.of("Replace", "ByteFallback", "Fuse", "Strip").contains(type))
                throw new FormatException(file, "decoder " + type + " is not supported (Replace, ByteFallback, Fuse, Strip are)");
        }

        padId = idOrDefault("<pad>", 0);
        bosId = prefix.length > 0 ? prefix[0] : idOrDefault("<bos>", 2);
        eosId = idOrDefault("<eos>", -1);
    }

    private int idOrDefault(String token, int fallback) {
        Integer id = vocab.get(token);
        return id == null ? fallback : id;
    }

    private void readNormalizer(Path file, JsonNode n) throws IOException {
        if (n.isNull() || n.isMissingNode()) return;
        switch (n.path("type").asText()) {
            case "Sequence" -> {
                for (JsonNode child : n.path("normalizers")) readNormalizer(file, child);
            }
            case "Replace" -> {
                if (!n.path("pattern").has("String")) throw new FormatException(file, "normalizer Replace with a Regex pattern is not supported");
                normalizers.add(new Normalization("Replace", n.path("pattern").path("String").asText(), n.path("content").asText()));
            }
            case "Prepend" -> normalizers.add(new Normalization("Prepend", null, n.path("prepend").asText()));
            default -> throw new FormatException(file, "normalizer " + n.path("type").asText() + " is not supported (Replace, Prepend, Sequence are)");
        }
    }

    /** Reads a tokenizer.json (or the tokenizer.json inside a folder). */
    public static BpeTokenizer load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.exists(file)) throw new FormatException(file, "no such tokenizer file");
        return fromJson(file, ConfigFiles.readJson(file));
    }

    /** A tokenizer from an already parsed tokenizer.json. */
    static BpeTokenizer fromJson(Path file, JsonNode root) throws IOException {
        return new BpeTokenizer(file, root);
    }

    // ------------------------------------------------------------------ encode

    @Override
    public int[] encode(String text) {
        IntList out = new IntList();
        for (int id : prefix) out.add(id);
        added.split(text, (piece, addedId) -> {
            if (addedId >= 0) out.add(addedId);
            else bpe(normalize(piece), out);
        });
        for (int id : suffix) out.add(id);
        return out.toArray();
    }

    private String normalize(String s) {
        for (Normalization n : normalizers) s = n.type().equals("Prepend") ? n.to() + s : s.replace(n.from(), n.to());
        return s;
    }

    /** Byte-pair encodes one normalized piece into {@code out}. */
    private void bpe(String word, IntList out) {
        if (word.isEmpty()) return;
        IntList symbols = new IntList();
        boolean lastWasUnk = false;
        for (int i = 0; i < word.length(); ) {
            int cp = word.codePointAt(i);
            String ch = new String(Character.toChars(cp));
            i += Character.charCount(cp);
            Integer id = vocab.get(ch);
            if (id != null) {
                symbols.add(id);
                lastWasUnk = false;
                continue;
            }
            boolean spelled = byteFallback;
            if (byteFallback) {
                byte[] bytes = ch.getBytes(StandardCharsets.UTF_8);
                for (byte b : bytes) if (byteIds[b & 0xff] < 0) spelled = false;
                if (spelled) for (byte b : bytes) symbols.add(byteIds[b & 0xff]);
            }
            if (spelled) {
                lastWasUnk = false;
            } else {
                if (unkId < 0) throw new IllegalArgumentException("character U+" + Integer.toHexString(cp) + " is not in the vocabulary and there is no unk token");
                if (!(fuseUnk && lastWasUnk)) symbols.add(unkId);
                lastWasUnk = true;
            }
        }
        // Merge the adjacent pair of lowest rank, leftmost first, until no pair merges.
        int[] s = symbols.array();
        int n = symbols.size();
        while (n > 1) {
            long best = Long.MAX_VALUE;
            int at = -1;
            for (int i = 0; i + 1 < n; i++) {
                long rm = merges.get(s[i], s[i + 1]);
                if (rm >= 0 && rm < best) {
                    best = rm;
                    at = i;
                }
            }
            if (at < 0) break;
            s[at] = (int) best;
            System.arraycopy(s, at + 2, s, at + 1, n - at - 2);
            n--;
        }
        for (int i = 0; i < n; i++) out.add(s[i]);
    }

    // ------------------------------------------------------------------ decode

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        List<String> tokens = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= pieces.length || pieces[id] == null)
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocabSize());
            if (skipSpecial && added.isSpecial(id)) continue;
            tokens.add(pieces[id]);
        }
        for (JsonNode d : decoders) tokens = applyDecoder(d, tokens);
        return String.join("", tokens);
    }

    private static List<String> applyDecoder(JsonNode d, List<String> tokens) {
        List<String> out = new ArrayList<>(tokens.size());
        switch (d.path("type").asText()) {
            case "Replace" -> {
                String from = d.path("pattern").path("String").asText(), to = d.path("content").asText();
                for (String t : tokens) out.add(t.replace(from, to));
            }
            case "Fuse" -> out.add(String.join("", tokens));
            case "Strip" -> {
                String content = d.path("content").asText();
                int start = d.path("start").asInt(), stop = d.path("stop").asInt();
                for (String t : tokens) {
                    int a = 0, b = t.length();
                    for (int k = 0; k < start && t.startsWith(content, a); k++) a += content.length();
                    for (int k = 0; k < stop && b - content.length() >= a && t.startsWith(content, b - content.length()); k++) b -= content.length();
                    out.add(t.substring(a, b));
                }
            }
            case "ByteFallback" -> {
                // Runs of <0xXX> tokens become the UTF-8 text they spell, or one U+FFFD per byte if invalid.
                java.io.ByteArrayOutputStream run = new java.io.ByteArrayOutputStream();
                int runTokens = 0;
                for (int i = 0; i <= tokens.size(); i++) {
                    String t = i < tokens.size() ? tokens.get(i) : null;
                    if (t != null && t.length() == 6 && t.startsWith("<0x") && t.endsWith(">")) {
                        run.write(Integer.parseInt(t.substring(3, 5), 16));
                        runTokens++;
                        continue;
                    }
                    if (runTokens > 0) {
                        try {
                            out.add(StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                                    .decode(java.nio.ByteBuffer.wrap(run.toByteArray())).toString());
                        } catch (CharacterCodingException e) {
                            for (int k = 0; k < runTokens; k++) out.add("\uFFFD");
                        }
                        run.reset();
                        runTokens = 0;
                    }
                    if (t != null) out.add(t);
                }
            }
            default -> throw new IllegalStateException("unchecked decoder " + d.path("type").asText());
        }
        return out;
    }

    // ------------------------------------------------------------------ facts

    @Override
    public int vocabSize() {
        return pieces.length;
    }

    @Override
    public int padId() {
        return padId;
    }

    @Override
    public int bosId() {
        return bosId;
    }

    @Override
    public int eosId() {
        return eosId;
    }

    /** The vocabulary piece of an id (for debugging and tests). */
    public String piece(int id) {
        return pieces[id];
    }

    /** A growable int array (token ids), to avoid boxing. */
    static final class IntList {
        private int[] a = new int[16];
        private int n;

        void add(int v) {
            if (n == a.length) a = java.util.Arrays.copyOf(a, n * 2);
            a[n++] = v;
        }

        int size() { return n; }
        int[] array() { return a; }
        int[] toArray() { return java.util.Arrays.copyOf(a, n); }
    }
}
