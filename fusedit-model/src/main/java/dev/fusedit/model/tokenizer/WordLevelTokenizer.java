package dev.fusedit.model.tokenizer;

import dev.fusedit.tensor.io.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A whole-word tokenizer in the Hugging Face {@code tokenizer.json} format (model type
 * WordLevel), computing what HF {@code tokenizers} computes for such a file: added tokens matched
 * in the raw text first, the rest split by the pre-tokenizer (WhitespaceSplit: runs of
 * non-whitespace; Whitespace: {@code \w+|[^\w\s]+}), each word looked up in the vocabulary or
 * mapped to the unk token, the TemplateProcessing post-processor's tokens around the sequence;
 * decoding joins the tokens with single spaces (HF's behaviour without a decoder).
 * {@link #create(List)} builds the small caption vocabularies of synthetic worlds with the
 * special tokens {@code <pad>=0, <eos>=1, <bos>=2, <unk>=3} and BOS prepended.
 */
public final class WordLevelTokenizer implements Tokenizer {
    public static final String PAD = "<pad>", EOS = "<eos>", BOS = "<bos>", UNK = "<unk>";
    private static final List<String> SPECIALS = List.of(PAD, EOS, BOS, UNK);
    private static final Pattern WHITESPACE_SPLIT = Pattern.compile("\\S+", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern WHITESPACE = Pattern.compile("\\w+|[^\\w\\s]+", Pattern.UNICODE_CHARACTER_CLASS);

    private final Map<String, Integer> vocab;
    private final String[] pieces;
    private final AddedTokens added;
    private final Map<String, Boolean> addedSpecial;
    private final Pattern preTokenizer;
    private final int[] prefix, suffix;
    private final int unkId, padId, bosId, eosId;

    private WordLevelTokenizer(Map<String, Integer> vocab, Map<String, Boolean> addedSpecial, Pattern preTokenizer,
                               int[] prefix, int[] suffix, String unk) {
        this.vocab = vocab;
        this.addedSpecial = addedSpecial;
        this.preTokenizer = preTokenizer;
        this.prefix = prefix;
        this.suffix = suffix;
        int maxId = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1);
        pieces = new String[maxId + 1];
        vocab.forEach((w, id) -> pieces[id] = w);
        added = new AddedTokens();
        addedSpecial.forEach((content, special) -> added.add(content, vocab.get(content), special));
        unkId = unk == null ? -1 : vocab.getOrDefault(unk, -1);
        padId = vocab.getOrDefault(PAD, 0);
        eosId = vocab.getOrDefault(EOS, -1);
        bosId = prefix.length > 0 ? prefix[0] : vocab.getOrDefault(BOS, -1);
    }

    /**
     * The tokenizer of a closed vocabulary: the four special tokens at ids 0..3, then the words
     * (duplicates dropped, order kept) from id 4; whitespace splitting and BOS prepended.
     */
    public static WordLevelTokenizer create(List<String> words) {
        Map<String, Integer> vocab = new HashMap<>();
        Map<String, Boolean> specials = new LinkedHashMap<>();
        for (String s : SPECIALS) {
            vocab.put(s, vocab.size());
            specials.put(s, true);
        }
        for (String w : new LinkedHashSet<>(words)) {
            if (w.isEmpty() || !WHITESPACE_SPLIT.matcher(w).matches())
                throw new IllegalArgumentException("vocabulary words must be non-empty and free of whitespace, got '" + w + "'");
            if (vocab.containsKey(w)) throw new IllegalArgumentException("vocabulary word '" + w + "' is a special token");
            vocab.put(w, vocab.size());
        }
        return new WordLevelTokenizer(vocab, specials, WHITESPACE_SPLIT, new int[]{vocab.get(BOS)}, new int[0], UNK);
    }

    /** Reads a WordLevel tokenizer.json (or the tokenizer.json inside a folder). */
    public static WordLevelTokenizer load(Path path) throws IOException {
        Path file = Files.isDirectory(path) ? path.resolve("tokenizer.json") : path;
        if (!Files.exists(file)) throw new FormatException(file, "no such tokenizer file");
        JsonNode root = ConfigFiles.readJson(file);
        return fromJson(file, root);
    }

    static WordLevelTokenizer fromJson(Path file, JsonNode root) throws IOException {
        JsonNode model = root.path("model");
        if (!"WordLevel".equals(model.path("type").asText()))
            throw new FormatException(file, "model.type is '" + model.path("type").asText() + "', this tokenizer reads WordLevel models");
        JsonNode v = model.path("vocab");
        if (!v.isObject()) throw new FormatException(file, "model.vocab must be an object of word -> id");
        Map<String, Integer> vocab = new HashMap<>(v.size() * 2);
        Map<Integer, String> byId = new HashMap<>();
        for (Map.Entry<String, JsonNode> e : v.properties()) {
            TokenIdCheck.require(file, "model.vocab['" + e.getKey() + "']", e.getValue(), v.size());
            String clash = byId.put(e.getValue().asInt(), e.getKey());
            if (clash != null) throw new FormatException(file, "model.vocab gives id " + e.getValue().asInt() + " to both '" + clash + "' and '" + e.getKey() + "'");
            vocab.put(e.getKey(), e.getValue().asInt());
        }
        Map<String, Boolean> addedSpecial = new LinkedHashMap<>();
        for (JsonNode a : root.path("added_tokens")) {
            if (a.path("normalized").asBoolean(false) || a.path("lstrip").asBoolean(false) || a.path("rstrip").asBoolean(false)
                    || a.path("single_word").asBoolean(false))
                throw new FormatException(file, "added token '" + a.path("content").asText() + "' uses normalized/lstrip/rstrip/single_word, which are not supported");
            String content = a.path("content").asText();
            Integer id = vocab.get(content);
            if (id == null || id != a.path("id").asInt())
                throw new FormatException(file, "added token '" + content + "' (id " + a.path("id").asInt() + ") must also be in model.vocab with that id");
            addedSpecial.put(content, a.path("special").asBoolean(false));
        }
        JsonNode normalizer = root.path("normalizer");
        if (!normalizer.isNull() && !normalizer.isMissingNode())
            throw new FormatException(file, "normalizer " + normalizer.path("type").asText() + " is not supported (expected null)");
        JsonNode decoder = root.path("decoder");
        if (!decoder.isNull() && !decoder.isMissingNode())
            throw new FormatException(file, "decoder " + decoder.path("type").asText() + " is not supported (expected null: tokens joined by spaces)");
        Pattern pre = switch (root.path("pre_tokenizer").path("type").asText()) {
            case "WhitespaceSplit" -> WHITESPACE_SPLIT;
            case "Whitespace" -> WHITESPACE;
            default -> throw new FormatException(file, "pre_tokenizer '" + root.path("pre_tokenizer").path("type").asText()
                    + "' is not supported (WhitespaceSplit, Whitespace are)");
        };
        PostProcessorTemplate template = PostProcessorTemplate.read(file, root, vocab.size());
        // without an unknown token every word outside the vocabulary would stop a run mid-way (a caption, a prompt): refused now
        if (!model.path("unk_token").isTextual())
            throw new FormatException(file, "model.unk_token: required (a word-level tokenizer needs it for words outside its vocabulary), got "
                    + model.path("unk_token"));
        String unk = model.path("unk_token").asText();
        if (!vocab.containsKey(unk)) throw new FormatException(file, "model.unk_token '" + unk + "' is not in model.vocab");
        return new WordLevelTokenizer(vocab, addedSpecial, pre,
                template.prefix(), template.suffix(), unk);
    }

    @Override
    public int[] encode(String text) {
        BpeTokenizer.IntList out = new BpeTokenizer.IntList();
        for (int id : prefix) out.add(id);
        added.split(text, (piece, addedId) -> {
            if (addedId >= 0) {
                out.add(addedId);
                return;
            }
            Matcher m = preTokenizer.matcher(piece);
            while (m.find()) {
                Integer id = vocab.get(m.group());
                if (id == null) {
                    if (unkId < 0) throw new IllegalArgumentException("word '" + m.group() + "' is not in the vocabulary and there is no unk token");
                    id = unkId;
                }
                out.add(id);
            }
        });
        for (int id : suffix) out.add(id);
        return out.toArray();
    }

    @Override
    public String decode(int[] ids, boolean skipSpecial) {
        List<String> words = new ArrayList<>(ids.length);
        for (int id : ids) {
            if (id < 0 || id >= pieces.length || pieces[id] == null)
                throw new IllegalArgumentException("token id " + id + " is outside the vocabulary of " + vocabSize());
            if (skipSpecial && added.isSpecial(id)) continue;
            words.add(pieces[id]);
        }
        return String.join(" ", words);
    }

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

    /** The id of {@code <eos>}, or -1 when the vocabulary has none. */
    @Override
    public int eosId() {
        return eosId;
    }

    /** The word of an id (for debugging and tests). */
    public String piece(int id) {
        return pieces[id];
    }

    /** The HF tokenizer.json text of this tokenizer. */
    public String toJson() {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        root.putNull("truncation");
        root.putNull("padding");
        ArrayNode addedTokens = root.putArray("added_tokens");
        addedSpecial.forEach((content, special) -> addedTokens.addObject()
                .put("id", vocab.get(content)).put("content", content).put("single_word", false).put("lstrip", false)
                .put("rstrip", false).put("normalized", false).put("special", special));
        root.putNull("normalizer");
        root.putObject("pre_tokenizer").put("type", preTokenizer == WHITESPACE ? "Whitespace" : "WhitespaceSplit");
        if (prefix.length + suffix.length == 0) root.putNull("post_processor");
        else {
            ObjectNode pp = root.putObject("post_processor");
            pp.put("type", "TemplateProcessing");
            ArrayNode single = pp.putArray("single"), pair = pp.putArray("pair");
            ObjectNode specials = json.createObjectNode();
            // single: prefix $A suffix; pair: prefix $A suffix prefix $B:1 suffix:1.
            for (int id : prefix) template(single, specials, id, 0);
            single.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            for (int id : suffix) template(single, specials, id, 0);
            for (int id : prefix) template(pair, specials, id, 0);
            pair.addObject().putObject("Sequence").put("id", "A").put("type_id", 0);
            for (int id : suffix) template(pair, specials, id, 0);
            for (int id : prefix) template(pair, specials, id, 1);
            pair.addObject().putObject("Sequence").put("id", "B").put("type_id", 1);
            for (int id : suffix) template(pair, specials, id, 1);
            pp.set("special_tokens", specials);
        }
        root.putNull("decoder");
        ObjectNode model = root.putObject("model");
        model.put("type", "WordLevel");
        ObjectNode v = model.putObject("vocab");
        for (int id = 0; id < pieces.length; id++) if (pieces[id] != null) v.put(pieces[id], id);
        if (unkId >= 0) model.put("unk_token", pieces[unkId]);
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always serializes", e);
        }
    }

    private void template(ArrayNode sequence, ObjectNode specials, int id, int typeId) {
        String token = pieces[id];
        sequence.addObject().putObject("SpecialToken").put("id", token).put("type_id", typeId);
        ObjectNode entry = specials.putObject(token);
        entry.put("id", token);
        entry.putArray("ids").add(id);
        entry.putArray("tokens").add(token);
    }

    /** Writes {@link #toJson()} to the file (a folder gets tokenizer.json), replacing it atomically. */
    public void save(Path path) throws IOException {
        AtomicFiles.writeString(Files.isDirectory(path) ? path.resolve("tokenizer.json") : path, toJson());
    }
}
