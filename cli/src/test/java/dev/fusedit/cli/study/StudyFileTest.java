package dev.fusedit.cli.study;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.model.config.ConfigFiles;
import dev.fusedit.training.TinyTrainingConfig;
import dev.fusedit.training.config.TrainConfig;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The study file reader: a good file read whole, and each bad key refused in one line that names the file and the key. */
class StudyFileTest {
    @TempDir
    static Path dir;
    static Path tiny;

    @BeforeAll
    static void writeBase() throws IOException {
        tiny = TinyTrainingConfig.write(dir, "  max_steps: 50\n  checkpointing_steps: 5\n", "", 2, 12);
    }

    private static final String GOOD = """
            description: two patch sizes
            base: BASE
            set:
              trainer.logging_steps: 5
            variants:
              p8: {}
              p4:
                model.patch_size: 4
                data.batch_size: 4
            seeds: [3, 1]
            run:
              steps: 20
              minutes: 2.5
            eval:
              steps: [10, 20]
              final: false
              prompts: PROMPTS
              prompts_per_category: 2
              samples: 3
              guidance: 4.5
              sampling_steps: 7
              sampler: euler
              batch: 16
              grid_per_category: 1
            """;

    private static Path write(String name, String yaml) throws IOException {
        return Files.writeString(dir.resolve(name), yaml.replace("BASE", tiny.toString())
                .replace("PROMPTS", Path.of("../benchmarks/shapes-eval.jsonl").toAbsolutePath().normalize().toString()));
    }

    @Test
    void aGoodFileIsReadWholeAndEachRunGetsItsOverridesSeedAndBudget() throws IOException {
        Study s = Study.read(write("good.yaml", GOOD), List.of());
        assertThat(s.name()).isEqualTo("good");
        assertThat(s.base()).isEqualTo(tiny);
        assertThat(s.variants().keySet()).containsExactly("p8", "p4");
        assertThat(s.describe("p8")).isEqualTo("the base config");
        assertThat(s.describe("p4")).isEqualTo("model.patch_size=4, data.batch_size=4");
        assertThat(s.seeds()).containsExactly(3, 1);
        assertThat(s.steps()).isEqualTo(20);
        assertThat(s.minutes()).isEqualTo(2.5);
        assertThat(s.maxSteps("p4")).isEqualTo(20);
        Study.Eval e = s.eval();
        assertThat(e.steps()).containsExactly(10L, 20L);
        assertThat(e.atEnd()).isFalse();
        assertThat(e.prompts().getFileName().toString()).isEqualTo("shapes-eval.jsonl");
        assertThat(List.of(e.promptsPerCategory(), e.samples(), e.samplingSteps(), e.batch(), e.gridPerCategory())).containsExactly(2, 3, 7, 16, 1);
        assertThat(e.guidance()).isEqualTo(4.5);
        assertThat(e.stochastic()).isFalse();
        assertThat(e.sampleOptions().steps()).isEqualTo(7);

        TrainConfig p4 = s.trainConfig("p4", 1);
        assertThat(p4.model().get("patch_size").asInt()).isEqualTo(4);
        assertThat(p4.data().batchSize()).isEqualTo(4);
        assertThat(p4.trainer().seed()).isEqualTo(1);
        assertThat(p4.trainer().loggingSteps()).isEqualTo(5);
        assertThat(p4.trainer().maxMinutes()).isEqualTo(2.5);
        TrainConfig p8 = s.trainConfig("p8", 3);
        assertThat(p8.model().get("patch_size").asInt()).isEqualTo(8);
        assertThat(p8.trainer().seed()).isEqualTo(3);

        // --set works on the study's own keys; defaults where eval leaves keys out; without run.steps a run ends at its own trainer.max_steps
        Study m = Study.read(write("minutes.yaml", """
                base: BASE
                variants: {only: , short: {trainer.max_steps: 30}}
                seeds: [0]
                run: {minutes: 1}
                eval: {steps: [5]}
                """), List.of("seeds=[4, 5]"));
        assertThat(m.seeds()).containsExactly(4, 5);
        assertThat(m.steps()).isZero();
        assertThat(m.maxSteps("only")).isEqualTo(50);
        assertThat(m.maxSteps("short")).isEqualTo(30);
        assertThat(m.eval().atEnd()).isTrue();
        assertThat(m.eval().samples()).isEqualTo(4);
        assertThat(m.eval().prompts()).isNull();
        assertThat(m.eval().stochastic()).isNull();
        assertThat(m.describe("only")).isEqualTo("the base config");
    }

    @Test
    void theStudiesOfTheRepositoryRead() throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(Path.of("../studies"))) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertThat(files).extracting(p -> p.getFileName().toString()).contains("patch2-logit.yaml", "smoke.yaml");
        for (Path f : files) {
            // the tests run in cli/ and paths in the file start at the checkout, model.base of the base config too: the keys only
            JsonNode tree = ConfigFiles.readYaml(f);
            Study s = Study.readKeys(f, List.of("base=../" + tree.get("base").asText()));
            assertThat(s.variants()).as(f.toString()).isNotEmpty();
            for (String v : s.variants().keySet()) assertThat(s.trainConfig(v, s.seeds().getFirst()).ignoredKeys()).as(f + " " + v).isEmpty();
        }
        Study p2 = Study.readKeys(Path.of("../studies/patch2-logit.yaml"), List.of("base=../configs/shapes-tiny-v1.yaml"));
        TrainConfig patch2 = p2.trainConfig("patch2-b32", 2);
        assertThat(patch2.model().get("patch_size").asInt()).isEqualTo(2);
        assertThat(patch2.data().batchSize()).isEqualTo(32);
        assertThat(patch2.trainer().logitMean()).isEqualTo(-0.5);
        assertThat(patch2.trainer().seed()).isEqualTo(2);
        assertThat(p2.seeds()).hasSize(2);
    }

    @Test
    void eachBadKeyIsRefusedInOneLineNamingTheFileAndTheKey() throws IOException {
        Map<String, String[]> cases = new java.util.LinkedHashMap<>();
        cases.put(GOOD.replace("seeds: [3, 1]", "sedes: [3, 1]"), new String[] {"sedes: unknown key"});
        cases.put(GOOD.replace("base: BASE\n", ""), new String[] {"base: required string is missing"});
        cases.put(GOOD.replace("base: BASE", "base: nowhere.yaml"), new String[] {"base: nowhere.yaml: no such training config"});
        cases.put(GOOD.replace("model.patch_size: 4", "model.patch_sizee: 4"), new String[] {"variants.p4", "model.patch_sizee: unknown key"});
        cases.put(GOOD.replace("data.batch_size: 4", "data.batch_size: -4"), new String[] {"variants.p4", "data.batch_size: must be at least 1"});
        cases.put(GOOD.replace("data.batch_size: 4", "model.dit_num_hidden_layers: 3"), new String[] {"variants.p4", "model.dit_num_hidden_layers: must equal"});
        cases.put(GOOD.replace("trainer.logging_steps: 5", "trainer..logging_steps: 5"), new String[] {"set.trainer..logging_steps", "SECTION.KEY=VALUE"});
        cases.put(GOOD.replace("  p8: {}", "  p 8: {}"), new String[] {"variants.p 8: a variant's name"});
        cases.put(GOOD.replace("  p8: {}", "  p8: 3"), new String[] {"variants.p8: must be a JSON object"});
        cases.put(GOOD.replace("seeds: [3, 1]", "seeds: []"), new String[] {"seeds: expected a list"});
        cases.put(GOOD.replace("seeds: [3, 1]", "seeds: [3, 3]"), new String[] {"seeds: seed 3 is listed twice"});
        cases.put(GOOD.replace("seeds: [3, 1]", "seeds: [one]"), new String[] {"seeds: expected integers"});
        cases.put(GOOD.replace("  steps: 20\n  minutes: 2.5\n", "  {}\n"), new String[] {"run.steps: a run needs a length"});
        cases.put(GOOD.replace("  minutes: 2.5", "  minutes: -1"), new String[] {"run.minutes: must be more than 0"});
        cases.put(GOOD.replace("  minutes: 2.5", "  minute: 2.5"), new String[] {"run.minute: unknown key"});
        cases.put(GOOD.replace("steps: [10, 20]", "steps: [20, 10]"), new String[] {"eval.steps: expected ascending"});
        cases.put(GOOD.replace("steps: [10, 20]", "steps: [10, 30]"), new String[] {"eval.steps: step 30 is past the run's end"});
        cases.put(GOOD.replace("samples: 3", "samples: three"), new String[] {"eval.samples: expected an integer"});
        cases.put(GOOD.replace("samples: 3", "samples: 0"), new String[] {"eval.samples: must be at least 1"});
        cases.put(GOOD.replace("sampler: euler", "sampler: ddim"), new String[] {"eval.sampler: expected euler or stochastic"});
        cases.put(GOOD.replace("batch: 16", "batchsize: 16"), new String[] {"eval.batchsize: unknown key"});
        cases.put(GOOD.replace("prompts: PROMPTS", "prompts: none.jsonl"), new String[] {"eval.prompts: none.jsonl: no such prompt file"});
        cases.put(GOOD.replace("  steps: [10, 20]\n  final: false\n", "  final: false\n"), new String[] {"eval.final: is false and no steps"});
        cases.put(GOOD.replace("  steps: 20\n", "").replace("steps: [10, 20]", "steps: [10]")
                .replace("  p8: {}", "  p8: {lr_scheduler.name: cosine}"), new String[] {"run.minutes: variant p8 decays its learning rate (cosine)"});
        cases.put(GOOD.replace("data.batch_size: 4", "trainer.max_steps: 40"), new String[] {"variants.p4: trainer.max_steps: the study's run.steps ends every run"});
        int i = 0;
        for (Map.Entry<String, String[]> c : cases.entrySet()) {
            Path f = write("bad-" + i++ + ".yaml", c.getKey());
            assertThatThrownBy(() -> Study.read(f, List.of())).as(String.join(" ", c.getValue()))
                    .isInstanceOf(IOException.class)
                    .hasMessageStartingWith(f.toString())
                    .hasMessageContainingAll(c.getValue())
                    .hasMessageNotContaining("\n");
        }
    }
}
