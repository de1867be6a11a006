package dev.fusedit.model.pipeline;

import dev.fusedit.model.vae.VaeCheckpoint;
import dev.fusedit.model.vae.VaeConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PipelineFolderTest {
    static final Path FIXTURE_VAE = Path.of("..", "fixtures", "vae", "c4_b16x32_l1_6x10", "vae");

    static void writeIndex(Path root, boolean withVae) throws IOException {
        Files.writeString(root.resolve("model_index.json"), """
                {"_class_name":"FuseDiTPipeline","_diffusers_version":"0.32.0",
                 "scheduler":["diffusers","FlowMatchEulerDiscreteScheduler"],
                 "tokenizer":["transformers","GemmaTokenizer"],
                 "transformer":["diffusion.models","FuseDiT"]%s}""".formatted(withVae ? ",\n \"vae\":[\"diffusers\",\"AutoencoderKL\"]" : ""));
    }

    static Path pipeline(Path root, boolean withVae) throws IOException {
        writeIndex(root, withVae);
        Files.createDirectories(root.resolve("transformer"));
        Files.writeString(root.resolve("transformer/config.json"), "{\"model_type\":\"FuseDiT\"}");
        Files.createDirectories(root.resolve("scheduler"));
        Files.writeString(root.resolve("scheduler/scheduler_config.json"),
                "{\"_class_name\":\"FlowMatchEulerDiscreteScheduler\",\"num_train_timesteps\":1000,\"shift\":3.0,\"use_dynamic_shifting\":false}");
        Files.createDirectories(root.resolve("tokenizer"));
        if (withVae) {
            Files.createDirectories(root.resolve("vae"));
            Files.copy(FIXTURE_VAE.resolve("config.json"), root.resolve("vae/config.json"));
            Files.copy(FIXTURE_VAE.resolve("diffusion_pytorch_model.safetensors"), root.resolve("vae/diffusion_pytorch_model.safetensors"));
        }
        return root;
    }

    @Test
    void guidanceScaleIsTheModelsOwnOrThePapersAndABadOneIsNamed(@TempDir Path dir) throws IOException {
        Path root = pipeline(dir, false);
        assertThat(PipelineFolder.open(root).guidanceScale()).isEqualTo(SampleOptions.DEFAULT_GUIDANCE);
        Path index = root.resolve("model_index.json");
        String plain = Files.readString(index);
        Files.writeString(index, plain.replace("\"_class_name\"", "\"guidance_scale\": 3.5, \"_class_name\""));
        assertThat(PipelineFolder.open(root).guidanceScale()).isEqualTo(3.5);
        for (String bad : new String[] {"\"3\"", "-1", "true"}) {
            Files.writeString(index, plain.replace("\"_class_name\"", "\"guidance_scale\": " + bad + ", \"_class_name\""));
            assertThatThrownBy(() -> PipelineFolder.open(root)).isInstanceOf(IOException.class)
                    .hasMessageContaining("model_index.json").hasMessageContaining("guidance_scale").hasMessageContaining(bad);
        }
    }

    @Test
    void resolvesEveryComponent(@TempDir Path dir) throws IOException {
        PipelineFolder p = PipelineFolder.open(pipeline(dir, true));
        assertThat(p.className()).isEqualTo("FuseDiTPipeline");
        assertThat(p.transformerDir()).isEqualTo(dir.resolve("transformer"));
        assertThat(p.tokenizerDir()).isEqualTo(dir.resolve("tokenizer"));
        assertThat(p.scheduler().shift()).isEqualTo(3.0);
        assertThat(p.hasVae()).isTrue();
        assertThat(p.vaeConfig()).contains(VaeConfig.read(FIXTURE_VAE.resolve("config.json")));
        try (VaeCheckpoint vae = p.openVae()) {
            assertThat(vae.config().latentChannels()).isEqualTo(4);
        }
    }

    @Test
    void aLinkOutOfTheFolderIsRefusedAndModelIndexCannotNameAPath(@TempDir Path dir) throws IOException {
        Path root = pipeline(Files.createDirectories(dir.resolve("pipe")), false);
        Path secret = Files.writeString(dir.resolve("secret.json"), "{\"password\": 1}");
        Files.createSymbolicLink(root.resolve("tokenizer/tokenizer.json"), secret);
        assertThatThrownBy(() -> PipelineFolder.open(root)).isInstanceOf(dev.fusedit.tensor.io.FormatException.class)
                .hasMessageContaining(root.resolve("tokenizer/tokenizer.json").toString()).hasMessageContaining("leads outside");
        Files.delete(root.resolve("tokenizer/tokenizer.json"));
        // a component folder linked out of the pipeline
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        Files.writeString(elsewhere.resolve("config.json"), "{}");
        dev.fusedit.tensor.io.FileTrees.delete(root.resolve("transformer"));
        Files.createSymbolicLink(root.resolve("transformer"), elsewhere);
        assertThatThrownBy(() -> PipelineFolder.open(root)).hasMessageContaining("transformer").hasMessageContaining("leads outside");
        Files.delete(root.resolve("transformer"));
        // model_index.json names classes, never folders: a path there changes nothing that is read
        Files.createDirectories(root.resolve("transformer"));
        Files.writeString(root.resolve("transformer/config.json"), "{}");
        Files.writeString(root.resolve("model_index.json"), Files.readString(root.resolve("model_index.json"))
                .replace("[\"diffusion.models\",\"FuseDiT\"]", "[\"../../elsewhere\",\"/etc/passwd\"]"));
        assertThat(PipelineFolder.open(root).transformerDir()).isEqualTo(root.resolve("transformer"));
    }

    @Test
    void aPipelineWithoutVaeWorksInPixelSpace(@TempDir Path dir) throws IOException {
        PipelineFolder p = PipelineFolder.open(pipeline(dir, false));
        assertThat(p.hasVae()).isFalse();
        assertThat(p.vaeDir()).isEmpty();
        assertThatThrownBy(p::openVae).isInstanceOf(IOException.class).hasMessageContaining("pixel-space");
    }

    @Test
    void missingPiecesAreNamed(@TempDir Path dir) throws IOException {
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("model_index.json");
        pipeline(dir, true);
        Files.delete(dir.resolve("scheduler/scheduler_config.json"));
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("scheduler_config.json");
        Files.writeString(dir.resolve("scheduler/scheduler_config.json"), "{\"shift\":3.0}");
        Files.delete(dir.resolve("vae/config.json"));
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("vae").hasMessageContaining("config.json");
        Files.copy(FIXTURE_VAE.resolve("config.json"), dir.resolve("vae/config.json"));
        Files.delete(dir.resolve("transformer/config.json"));
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("transformer").hasMessageContaining("config.json");
    }

    @Test
    void aListedVaeMustExist(@TempDir Path dir) throws IOException {
        pipeline(dir, false);
        writeIndex(dir, true);
        assertThatThrownBy(() -> PipelineFolder.open(dir)).isInstanceOf(IOException.class).hasMessageContaining("vae").hasMessageContaining("missing");
    }
}
