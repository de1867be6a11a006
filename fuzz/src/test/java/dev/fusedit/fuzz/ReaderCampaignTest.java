package dev.fusedit.fuzz;

import dev.fusedit.model.fusedit.FuseDiTConfig;
import dev.fusedit.model.gemma.GemmaConfig;
import dev.fusedit.model.pipeline.FlowMatchEulerScheduler;
import dev.fusedit.model.pipeline.PipelineFolder;
import dev.fusedit.model.pipeline.RgbImage;
import dev.fusedit.model.tokenizer.Tokenizer;
import dev.fusedit.model.tokenizer.Tokenizers;
import dev.fusedit.model.vae.VaeConfig;
import dev.fusedit.shapes.ShapesPromptFile;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.FormatException;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import dev.fusedit.tensor.io.TensorSource;
import dev.fusedit.training.config.TrainConfig;
import dev.fusedit.training.data.ImageDecoder;
import dev.fusedit.training.data.SampleGrouper;
import dev.fusedit.training.data.TarShardScanner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hostile-input campaign: every reader of files from outside gets {@link Campaign#inputs()}
 * mutated inputs (a fixed-seed slice in CI; -Dfusedit.fuzz.inputs=10000 for the campaign run of
 * docs/reliability.md), and each must end in a result or a FormatException naming the file, in
 * time and without allocating what the file merely claims.
 */
class ReaderCampaignTest {
    @TempDir
    Path scratch;

    static final Path FINDINGS = Path.of("target", "fuzz-findings");
    static final Path REPORT = Path.of("target", "fuzz-report.txt");

    static void campaign(FuzzTarget target, Path scratch) throws IOException {
        Campaign.Result r = new Campaign(target, scratch, FINDINGS).run(Campaign.inputs(), Campaign.seed());
        System.out.println("fuzz " + r.line());
        Files.writeString(REPORT, r.line() + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        StringBuilder details = new StringBuilder();
        for (Campaign.Finding f : r.findings()) details.append("\n  input ").append(f.input()).append(" (").append(f.saved()).append("): ").append(f.what());
        assertThat(r.findings()).as(target.name() + " findings:" + details).isEmpty();
        assertThat(r.refused()).as(target.name() + ": mutations that reach the reader's checks").isPositive();
    }

    @Test
    void safetensors() throws IOException {
        campaign(new FuzzTarget("safetensors", scratch.resolve("model.safetensors"), TreeMutator.Format.SAFETENSORS, Seeds.safetensors(scratch), file -> {
            try (SafeTensorsFile f = SafeTensorsFile.open(file)) {
                f.metadata();
                for (String name : f.names()) {
                    f.info(name);
                    Tensor t = f.get(name);
                    if (t.numel() <= 4096) t.toDoubleArray();
                }
                return f.names();
            }
        }), scratch);
    }

    @Test
    void shardedSafetensorsIndex() throws IOException {
        SafeTensorsWriter.write(scratch.resolve("model-00001-of-00002.safetensors"), Map.of("a", Tensor.of(new float[] {1, 2}, 2)));
        SafeTensorsWriter.write(scratch.resolve("model-00002-of-00002.safetensors"), Map.of("b", Tensor.of(new float[] {3}, 1)));
        byte[] index = """
                {"metadata": {"total_size": 12},
                 "weight_map": {"a": "model-00001-of-00002.safetensors", "b": "model-00002-of-00002.safetensors"}}""".getBytes();
        campaign(new FuzzTarget("sharded-index", scratch.resolve("model.safetensors.index.json"), TreeMutator.Format.JSON, List.of(index), file -> {
            try (TensorSource src = TensorSource.open(scratch)) {
                for (String name : src.names()) src.get(name).toDoubleArray();
                return src.names();
            }
        }), scratch);
    }

    private static Object useTokenizer(Path file) throws IOException {
        Tokenizer t = Tokenizers.load(file);
        for (String text : new String[] {"a red circle", "", "two  blue squares left of a ci\u00fcrcle \u2713", "<bos>x"}) {
            int[] ids = t.encode(text);
            t.decode(ids, false);
            t.encodeBatch(List.of(text), 8);
        }
        return t.vocabSize() + " " + java.util.Arrays.toString(t.encode("a red circle"));
    }

    @Test
    void tokenizerWordLevel() throws IOException {
        campaign(new FuzzTarget("tokenizer-wordlevel", scratch.resolve("tokenizer.json"), TreeMutator.Format.JSON,
                Seeds.files(Seeds.ROOT.resolve("models/shapes-tiny/tokenizer/tokenizer.json")), ReaderCampaignTest::useTokenizer), scratch);
    }

    @Test
    void tokenizerBpe() throws IOException {
        campaign(new FuzzTarget("tokenizer-bpe", scratch.resolve("tokenizer.json"), TreeMutator.Format.JSON, List.of(Seeds.bpeTokenizer()),
                ReaderCampaignTest::useTokenizer), scratch);
    }

    @Test
    void transformerConfig() throws IOException {
        List<Path> configs = new ArrayList<>(Seeds.named(Seeds.ROOT.resolve("fixtures/parity"), "config.json"));
        configs.add(Seeds.ROOT.resolve("models/shapes-tiny/transformer/config.json"));
        List<byte[]> seeds = new ArrayList<>();
        // the parity cases' LLM folders hold Gemma configs: those are the Gemma reader's seeds
        for (Path c : configs) if (Files.readString(c).contains("\"base_config\"")) seeds.add(Files.readAllBytes(c));
        campaign(new FuzzTarget("config-transformer", scratch.resolve("config.json"), TreeMutator.Format.JSON, seeds, FuseDiTConfig::read), scratch);
    }

    @Test
    void gemmaConfig() throws IOException {
        campaign(new FuzzTarget("config-gemma", scratch.resolve("config.json"), TreeMutator.Format.JSON, Seeds.files(
                Seeds.ROOT.resolve("configs/text/shapes-gemma2-tiny.json"), Seeds.ROOT.resolve("configs/text/shapes-gemma2-wide.json"),
                Seeds.ROOT.resolve("fixtures/trainer-state/text.json"), Seeds.ROOT.resolve("fixtures/parity/gemma-llm/transformer/config.json"),
                Seeds.ROOT.resolve("fixtures/parity/gemma2-llm/transformer/config.json")), GemmaConfig::read), scratch);
    }

    @Test
    void vaeConfig() throws IOException {
        campaign(new FuzzTarget("config-vae", scratch.resolve("config.json"), TreeMutator.Format.JSON,
                Seeds.files(Seeds.named(Seeds.ROOT.resolve("fixtures/vae"), "config.json").toArray(Path[]::new)), VaeConfig::read), scratch);
    }

    @Test
    void schedulerConfig() throws IOException {
        List<Path> seeds = new ArrayList<>(Seeds.named(Seeds.ROOT.resolve("configs/schedulers"), "scheduler_config.json"));
        seeds.add(Seeds.ROOT.resolve("models/shapes-tiny/scheduler/scheduler_config.json"));
        campaign(new FuzzTarget("config-scheduler", scratch.resolve("scheduler_config.json"), TreeMutator.Format.JSON, Seeds.files(seeds.toArray(Path[]::new)),
                FlowMatchEulerScheduler::read), scratch);
    }

    @Test
    void modelIndex() throws IOException {
        Path model = Seeds.ROOT.resolve("models/shapes-tiny");
        for (String f : new String[] {"transformer/config.json", "scheduler/scheduler_config.json", "tokenizer/tokenizer.json"}) {
            Files.createDirectories(scratch.resolve(f).getParent());
            Files.copy(model.resolve(f), scratch.resolve(f));
        }
        campaign(new FuzzTarget("model-index", scratch.resolve("model_index.json"), TreeMutator.Format.JSON, Seeds.files(model.resolve("model_index.json")), file -> {
            PipelineFolder p = PipelineFolder.open(scratch);
            return p.maxSequenceLength() + " " + p.vaeConfig() + " " + p.className();
        }), scratch);
    }

    @Test
    void trainingYaml() throws IOException {
        // the YAML names other files (the text model's config): a refusal may name those instead of the YAML
        campaign(new FuzzTarget("training-yaml", scratch.resolve("train.yaml"), TreeMutator.Format.YAML, Seeds.trainingYamls(), TrainConfig::read,
                (error, dir) -> error instanceof FormatException && error.getMessage() != null && error.getMessage().contains(": ")), scratch);
    }

    @Test
    void webdatasetTar() throws IOException {
        campaign(new FuzzTarget("webdataset-tar", scratch.resolve("shard-000000.tar"), null, Seeds.tars(), ReaderCampaignTest::readShard), scratch);
    }

    /** What ShardIndex and WebDatasetData do with a shard: walk it, group samples, read every member's bytes. */
    static String readShard(Path tar) throws IOException {
        List<SampleGrouper.Sample> samples = new ArrayList<>();
        SampleGrouper grouper = new SampleGrouper(samples::add);
        TarShardScanner.Result r = TarShardScanner.scan(tar, grouper);
        if (r.damage() == null) grouper.finish();
        int bytes = 0;
        try (FileChannel ch = FileChannel.open(tar)) {
            for (SampleGrouper.Sample s : samples)
                for (TarShardScanner.Member m : s.members().values()) bytes += TarShardScanner.readBytes(ch, m.dataOffset(), Math.toIntExact(m.size())).length;
        }
        return samples.size() + " samples, " + bytes + " bytes, " + (r.damage() == null ? "clean" : r.damage());
    }

    /** What WebDatasetData does with an image member; the result is summarised by its size (an image's own toString names its array). */
    static String decodeImage(Path file) throws IOException {
        RgbImage image = ImageDecoder.decode(Files.readAllBytes(file), file, "image");
        return image.width() + "x" + image.height();
    }

    @Test
    void pngDecoding() throws IOException {
        campaign(new FuzzTarget("image-png", scratch.resolve("image.png"), null, Seeds.images("png"), ReaderCampaignTest::decodeImage), scratch);
    }

    @Test
    void jpegDecoding() throws IOException {
        campaign(new FuzzTarget("image-jpeg", scratch.resolve("image.jpg"), null, Seeds.images("jpeg"), ReaderCampaignTest::decodeImage), scratch);
    }

    @Test
    void promptFileJsonl() throws IOException {
        campaign(new FuzzTarget("prompts-jsonl", scratch.resolve("prompts.jsonl"), TreeMutator.Format.JSON_LINES, Seeds.promptFiles(), ShapesPromptFile::read), scratch);
    }
}
