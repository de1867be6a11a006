package dev.fusedit.model.fusedit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.model.config.ConfigReader;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The {@code model:} section of a training YAML (the reference's configs/fusedit/*.yaml and
 * configs/baselinedit/*.yaml keys) turned into the transformer config the reference's
 * build_fusedit / build_dit would save. The base LLM is named as on the Hugging Face hub; the
 * known names resolve to their published configs kept in this module's resources (nothing is
 * downloaded), and a path to a config.json or model folder works too. As in build_fusedit, the
 * LLM is cut after the last shared layer; dit_hidden_size and text_hidden_size default to the
 * LLM width.
 */
public final class ModelSection {
    private ModelSection() {}

    private static final Map<String, String> KNOWN_BASES = Map.of(
            "google/gemma-2b", "google--gemma-2b.json",
            "google/gemma-2b-it", "google--gemma-2b-it.json",
            "google/gemma-2-2b", "google--gemma-2-2b.json",
            "google/paligemma-3b-pt-448", "google--paligemma-3b-pt-448.json");

    /** The keys of a model section this class reads (a training YAML refuses others by name). */
    public static final java.util.Set<String> KEYS = java.util.Set.of("name", "base", "shared_attention_layers", "initial_layers", "attention",
            "pos_embed", "timestep_conditioning", "qk_norm", "sandwich_norm", "dit_num_hidden_layers", "patch_size", "dit_hidden_size",
            "text_hidden_size", "text_hidden_states_index", "text_modulation_embeds_dim", "in_channels", "out_channels", "sample_size",
            "long_skips", "output_conv");
    /** Keys of the reference's model sections that mean nothing here (its text encoder's family: model.base says it). */
    public static final java.util.Set<String> IGNORED_KEYS = java.util.Set.of("encoder_type");

    /** Reads {@code file}'s model section. */
    public static FuseDiTConfig read(Path file) throws IOException {
        if (!Files.isRegularFile(file)) throw new FormatException(file, "no such file");
        JsonNode root = ConfigFiles.readYaml(file);
        if (root == null || !root.isObject()) throw new FormatException(file, "expected a YAML mapping with a model section");
        return fromModelSection(new ConfigReader(file, "", root).object("model"), file);
    }

    /** The FuseDiT config a training YAML's model section (m, of file) stands for, checked as the trainer checks it. */
    public static FuseDiTConfig fromModelSection(ConfigReader m, Path file) throws IOException {
        return FuseDiTConfig.from(new ConfigReader(file, "model.", transformerConfig(m, file)));
    }

    /**
     * The transformer/config.json a model section stands for (what the reference's
     * save_pipeline writes beside the weights), so a trained model folder records its variant.
     */
    public static ObjectNode transformerConfig(ConfigReader m, Path file) throws IOException {
        String name = m.requireString("name");
        m.check(name.equals("FuseDiT") || name.equals("DiT"), "name", "expected \"FuseDiT\" or \"DiT\", got \"" + name + "\"");
        boolean fused = name.equals("FuseDiT");
        ObjectNode base = baseConfig(m, file);
        int layers = base.path("num_hidden_layers").asInt();
        if (!base.hasNonNull("head_dim") && base.path("num_attention_heads").asInt() > 0)
            base.put("head_dim", base.path("hidden_size").asInt() / base.path("num_attention_heads").asInt());

        ObjectNode cfg = new ObjectMapper().createObjectNode();
        cfg.put("model_type", name);
        if (fused) {
            JsonNode shared = m.raw("shared_attention_layers");
            m.check(shared != null, "shared_attention_layers", "required (\"all\" or a list of layer indices)");
            if (shared.isArray() && !shared.isEmpty()) {
                int max = 0;
                for (Iterator<JsonNode> it = shared.elements(); it.hasNext(); ) max = Math.max(max, it.next().asInt());
                base.put("num_hidden_layers", Math.min(layers, max + 1));
            }
            cfg.set("shared_attention_layers", shared);
            cfg.put("initial_layers", m.optInt("initial_layers", 0));
        }
        cfg.set("base_config", base);
        for (String key : List.of("attention", "pos_embed"))
            cfg.put(key, m.requireString(key));
        m.check(m.node().has("timestep_conditioning"), "timestep_conditioning", "required (null, \"adaln-zero\", \"adaln-single\" or \"addition\")");
        cfg.set("timestep_conditioning", m.raw("timestep_conditioning"));
        for (String key : List.of("qk_norm", "sandwich_norm"))
            cfg.put(key, m.optBoolean(key, false));
        cfg.put("dit_num_hidden_layers", m.requireInt("dit_num_hidden_layers"));
        cfg.put("patch_size", m.requireInt("patch_size"));
        int hidden = base.path("hidden_size").asInt();
        cfg.put("dit_hidden_size", m.optInt("dit_hidden_size", hidden));
        cfg.put("text_hidden_size", fused ? hidden : m.optInt("text_hidden_size", hidden));
        cfg.put("text_hidden_states_index", m.optInt("text_hidden_states_index", -1));
        if (m.has("text_modulation_embeds_dim")) cfg.put("text_modulation_embeds_dim", m.requireInt("text_modulation_embeds_dim"));
        for (String key : List.of("in_channels", "out_channels", "sample_size"))
            if (m.has(key)) cfg.put(key, m.requireInt(key));
        // this project's departures from the paper: written only when on, so the reference's configs read as before
        for (String key : List.of("long_skips", "output_conv"))
            if (m.optBoolean(key, false)) cfg.put(key, true);
        return cfg;
    }

    /** The base LLM's config: a known hub name, or a config.json / model folder on disk. */
    public static ObjectNode baseConfig(ConfigReader m, Path file) throws IOException {
        String base = m.requireString("base");
        ObjectMapper json = new ObjectMapper();
        String resource = KNOWN_BASES.get(base);
        if (resource != null) {
            try (InputStream in = ModelSection.class.getResourceAsStream("base/" + resource)) {
                if (in == null) throw new IOException("resource base/" + resource + " is missing from the build");
                return (ObjectNode) json.readTree(in);
            }
        }
        Path local = Path.of(base);
        if (Files.isDirectory(local)) local = local.resolve("config.json");
        if (!Files.isRegularFile(local))
            throw new FormatException(file, "model.base: unknown base model \"" + base + "\" (known: " + String.join(", ", KNOWN_BASES.keySet().stream().sorted().toList())
                    + "; or give a path to a config.json or model folder)");
        JsonNode node = ConfigFiles.readJson(local);
        if (!node.isObject()) throw new FormatException(local, "expected a JSON object");
        return (ObjectNode) node;
    }
}
