package dev.fusedit.fuzz;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import dev.fusedit.training.data.TestShards;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/** Valid inputs for each reader, from the checkout's own files where it has them, else written here. */
final class Seeds {
    private Seeds() {}

    /** The checkout's root, seen from the fuzz module's folder (where Surefire runs). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    static List<byte[]> files(Path... files) throws IOException {
        List<byte[]> out = new ArrayList<>();
        for (Path f : files) out.add(Files.readAllBytes(f));
        return out;
    }

    /** Every file called name under folder (sorted, so the corpus order is fixed). */
    static List<Path> named(Path folder, String name) throws IOException {
        try (Stream<Path> s = Files.walk(folder)) {
            return s.filter(p -> p.getFileName().toString().equals(name)).sorted().toList();
        }
    }

    static List<byte[]> safetensors(Path scratch) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("w", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
        tensors.put("b", Tensor.of(DType.BF16, new double[] {0.5, -1, 2, 8}, 4));
        tensors.put("ids", Tensor.of(DType.I64, new double[] {2, 7, 9}, 3));
        tensors.put("scalar", Tensor.of(new float[] {3}, 1));
        Path f = scratch.resolve("seed.safetensors");
        SafeTensorsWriter.write(f, tensors, Map.of("format", "pt"));
        List<byte[]> out = files(f, ROOT.resolve("fixtures/parity/final/inputs.safetensors"));
        Files.delete(f);
        return out;
    }

    /**
     * A small Gemma-style BPE tokenizer.json: the four special tokens, 256 byte-fallback tokens, a
     * few letters and merges, Gemma's normalizer, post-processor and decoder.
     */
    static byte[] bpeTokenizer() throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        root.put("version", "1.0");
        ArrayNode added = root.putArray("added_tokens");
        String[] specials = {"<pad>", "<eos>", "<bos>", "<unk>"};
        for (int i = 0; i < specials.length; i++)
            added.addObject().put("id", i).put("content", specials[i]).put("single_word", false).put("lstrip", false)
                    .put("rstrip", false).put("normalized", false).put("special", true);
        ObjectNode normalizer = root.putObject("normalizer").put("type", "Replace");
        normalizer.putObject("pattern").put("String", " ");
        normalizer.put("content", "\u2581");
        root.putNull("pre_tokenizer");
        ObjectNode pp = root.putObject("post_processor").put("type", "TemplateProcessing");
        pp.putArray("single").addObject().putObject("SpecialToken").put("id", "<bos>").put("type_id", 0);
        ((ObjectNode) pp.withArray("single").addObject()).putObject("Sequence").put("id", "A").put("type_id", 0);
        pp.putObject("special_tokens").putObject("<bos>").put("id", "<bos>").putArray("ids").add(2);
        ObjectNode decoder = root.putObject("decoder").put("type", "Sequence");
        ArrayNode decoders = decoder.putArray("decoders");
        ObjectNode replace = decoders.addObject().put("type", "Replace");
        replace.putObject("pattern").put("String", "\u2581");
        replace.put("content", " ");
        decoders.addObject().put("type", "ByteFallback");
        decoders.addObject().put("type", "Fuse");
        ObjectNode model = root.putObject("model").put("type", "BPE").putNull("dropout").put("unk_token", "<unk>")
                .putNull("continuing_subword_prefix").putNull("end_of_word_suffix").put("fuse_unk", true).put("byte_fallback", true)
                .put("ignore_merges", false);
        ObjectNode vocab = model.putObject("vocab");
        for (int i = 0; i < specials.length; i++) vocab.put(specials[i], i);
        for (int b = 0; b < 256; b++) vocab.put(String.format("<0x%02X>", b), 4 + b);
        String[] pieces = {"\u2581", "a", "r", "e", "d", "c", "i", "l", "\u2581r", "ed", "\u2581red", "ci", "rc", "le"};
        for (int i = 0; i < pieces.length; i++) vocab.put(pieces[i], 260 + i);
        ArrayNode merges = model.putArray("merges");
        merges.add("\u2581 r").add("e d").add("\u2581r ed").add("c i").add("r c").add("l e");
        return json.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /** Training YAMLs of the checkout with their text-model path made absolute (the campaign runs elsewhere). */
    static List<byte[]> trainingYamls() throws IOException {
        List<byte[]> out = new ArrayList<>();
        List<Path> yamls = new ArrayList<>();
        try (Stream<Path> s = Files.list(ROOT.resolve("configs"))) {
            s.filter(p -> p.toString().endsWith(".yaml")).sorted().forEach(yamls::add);
        }
        yamls.add(ROOT.resolve("fixtures/trainer-state/tiny.yaml"));
        for (Path y : yamls) {
            String text = Files.readString(y).replace("\"configs/text/", "\"" + ROOT.resolve("configs/text") + "/")
                    .replace("\"/tmp/fix/text.json\"", "\"google/gemma-2-2b\"");
            out.add(text.getBytes(StandardCharsets.UTF_8));
        }
        return out;
    }

    /** Webdataset shards as Python's tarfile writes them: long names three ways, PNG images and captions. */
    static List<byte[]> tars() {
        List<byte[]> out = new ArrayList<>();
        byte[] png = TestShards.png(8, 8, (x, y) -> x * 0x200000 + y * 0x20);
        for (TestShards.LongNames style : TestShards.LongNames.values()) {
            TestShards.Tar tar = new TestShards.Tar(style);
            for (int i = 0; i < 3; i++) {
                String key = (i == 1 ? "deep/" + "d".repeat(110) + "/" : "") + String.format("%06d", i);
                tar.add(key + ".png", png).add(key + ".txt", "a red circle number " + i);
            }
            out.add(tar.bytes());
        }
        return out;
    }

    static List<byte[]> images(String format) {
        List<byte[]> out = new ArrayList<>();
        out.add(TestShards.png(12, 9, (x, y) -> x * 0x150000 + y * 0x1500 + 7));
        BufferedImage gray = new BufferedImage(10, 6, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(3, 2, 0, 200);
        out.add(TestShards.encode(gray, format));
        BufferedImage rgb = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 16; y++) for (int x = 0; x < 16; x++) rgb.setRGB(x, y, x * 0x100000 + y * 0x1000 + 0x40);
        out.add(TestShards.encode(rgb, format));
        if (format.equals("png")) {
            BufferedImage argb = new BufferedImage(5, 7, BufferedImage.TYPE_INT_ARGB);
            argb.setRGB(1, 1, 0x80ff0000);
            out.add(TestShards.encode(argb, "png"));
        }
        return out;
    }

    /** The first lines of the shapes benchmark's prompt file, a few categories each. */
    static List<byte[]> promptFiles() throws IOException {
        List<String> lines = Files.readAllLines(ROOT.resolve("benchmarks/shapes-eval.jsonl"));
        List<byte[]> out = new ArrayList<>();
        for (int start = 0; start < lines.size(); start += 60)
            out.add(String.join("\n", lines.subList(start, Math.min(lines.size(), start + 12))).getBytes(StandardCharsets.UTF_8));
        return out;
    }
}
