package dev.fusedit.spark;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.GeneratedImage;
import dev.fusedit.model.pipeline.SampleOptions;
import dev.fusedit.spark.cli.SparkMain;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `spark sample` in local[2]: the pixels of one-machine sampling, one manifest row per image, reruns that keep what is done. */
class SparkSampleJobTest {
    static final SamplingSettings SAMPLING = new SamplingSettings(3, 4.0, null, 2);

    @TempDir
    static Path dir;
    static SparkSession spark;

    @BeforeAll
    static void start() {
        spark = LocalSpark.session();
    }

    /** The PNG bytes RgbImage.writePng gives for this image, as `fusedit sample` writes it. */
    private static byte[] png(GeneratedImage g, String name) throws IOException {
        Path f = dir.resolve("expected").resolve(name);
        Files.createDirectories(f.getParent());
        g.writePng(f);
        return Files.readAllBytes(f);
    }

    @Test
    void rowsWithoutSeedsDrawWhatFuseditSampleDrawsByteForByte() throws IOException {
        List<String> prompts = List.of("a red circle", "two blue squares", "a green triangle above a yellow circle", "a square", "three circles");
        Path csv = dir.resolve("catalogue.csv");
        StringBuilder s = new StringBuilder("id,prompt\n");
        for (int i = 0; i < prompts.size(); i++) s.append(i).append(",\"").append(prompts.get(i)).append("\"\n");
        Files.writeString(csv, s);
        Path out = dir.resolve("catalogue");
        List<PromptTable.Prompt> table = PromptTable.read(spark, csv, 5, 2, "");
        SparkSampleJob.Summary summary = SparkSampleJob.run(spark, table, new SparkSampleJob.Settings(LocalSpark.MODEL, out, SAMPLING, 3));
        assertThat(summary.images()).isEqualTo(10);
        assertThat(summary.generated()).isEqualTo(10);

        // what SampleCommand does for --prompt ×5 --seed 5 --images-per-prompt 2, in this JVM without Spark
        List<GeneratedImage> expected;
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(LocalSpark.MODEL)) {
            expected = pipe.generate(prompts, SampleOptions.defaults().withSteps(3).withGuidance(4.0).withSeed(5).withImagesPerPrompt(2));
        }
        for (int i = 0; i < expected.size(); i++) {
            Path made = out.resolve(SparkSampleJob.imagePath(i / 2, i % 2));
            assertThat(Files.readAllBytes(made)).as(made.toString()).isEqualTo(png(expected.get(i), "catalogue-" + i + ".png"));
        }

        List<Row> manifest = spark.read().parquet(summary.manifest().toString()).collectAsList();
        assertThat(manifest).hasSize(10);
        Set<String> images = new HashSet<>();
        for (Row r : manifest) {
            int row = (int) r.getLong(r.fieldIndex("row")), k = r.getInt(r.fieldIndex("image_index"));
            assertThat(images.add(r.getString(r.fieldIndex("image")))).isTrue();
            assertThat(r.getString(r.fieldIndex("prompt"))).isEqualTo(prompts.get(row));
            assertThat(r.getLong(r.fieldIndex("seed"))).isEqualTo(5 + 2L * row + k);
            assertThat(r.getInt(r.fieldIndex("steps"))).isEqualTo(3);
            assertThat(r.getDouble(r.fieldIndex("guidance"))).isEqualTo(4.0);
            assertThat(r.getString(r.fieldIndex("model"))).isEqualTo(LocalSpark.MODEL.toAbsolutePath().normalize().toString());
            assertThat(r.getDouble(r.fieldIndex("seconds"))).isPositive();
        }

        // a rerun makes nothing and keeps every file as it was
        Map<Path, FileTime> written = new HashMap<>();
        for (String image : images) written.put(out.resolve(image), Files.getLastModifiedTime(out.resolve(image)));
        SparkSampleJob.Summary again = SparkSampleJob.run(spark, table, new SparkSampleJob.Settings(LocalSpark.MODEL, out, SAMPLING, 2));
        assertThat(again.images()).isEqualTo(10);
        assertThat(again.generated()).isZero();
        for (var e : written.entrySet()) assertThat(Files.getLastModifiedTime(e.getKey())).isEqualTo(e.getValue());
        // every task of both runs shared the one pipeline this JVM loaded
        assertThat(ModelCache.pipelinesLoaded()).isEqualTo(1);
    }

    @Test
    void seedsCountsAndNegativePromptsOfTheTableAreUsed() throws IOException {
        Path jsonl = dir.resolve("prompts.jsonl");
        Files.writeString(jsonl, """
                {"prompt": "a red circle", "seed": 41}
                {"prompt": "a blue square", "seed": 7, "n": 3, "negative_prompt": "a red circle"}
                {"prompt": "two triangles"}
                """);
        Path out = dir.resolve("table");
        List<PromptTable.Prompt> table = PromptTable.read(spark, jsonl, 100, 1, "");
        SparkSampleJob.run(spark, table, new SparkSampleJob.Settings(LocalSpark.MODEL, out, SAMPLING, 0));
        record Want(String prompt, long seed, String negative, long row, int k) {}
        List<Want> wanted = List.of(new Want("a red circle", 41, "", 0, 0), new Want("a blue square", 7, "a red circle", 1, 0),
                new Want("a blue square", 8, "a red circle", 1, 1), new Want("a blue square", 9, "a red circle", 1, 2),
                new Want("two triangles", 102, "", 2, 0));
        try (FuseDiTPipeline pipe = FuseDiTPipeline.load(LocalSpark.MODEL)) {
            for (Want w : wanted) {
                GeneratedImage g = pipe.generateEach(List.of(w.prompt()), new long[] {w.seed()}, SAMPLING.options(w.negative())).getFirst();
                assertThat(Files.readAllBytes(out.resolve(SparkSampleJob.imagePath(w.row(), w.k())))).as(w.toString())
                        .isEqualTo(png(g, "table-" + w.row() + "-" + w.k() + ".png"));
            }
        }
        assertThat(spark.read().parquet(out.resolve("manifest.parquet").toString()).count()).isEqualTo(5);
    }

    @Test
    void badTablesAreRefusedNamingTheFileAndTheField() throws IOException {
        Path noPrompt = dir.resolve("captions.jsonl");
        Files.writeString(noPrompt, "{\"caption\": \"a red circle\"}\n");
        assertThatThrownBy(() -> PromptTable.read(spark, noPrompt, 0, 1, "")).isInstanceOf(IOException.class)
                .hasMessageContaining(noPrompt.toString()).hasMessageContaining("no 'prompt' column (columns: caption)");
        Path badSeed = dir.resolve("bad-seed.csv");
        Files.writeString(badSeed, "prompt,seed\na red circle,1\na square,seven\n");
        assertThatThrownBy(() -> PromptTable.read(spark, badSeed, 0, 1, "")).isInstanceOf(IOException.class)
                .hasMessage(badSeed + ": row 2: seed must be a whole number, got 'seven'");
        Path notJson = dir.resolve("broken.jsonl");
        Files.writeString(notJson, "{\"prompt\": \"a red circle\"}\nnot json at all\n");
        assertThatThrownBy(() -> PromptTable.read(spark, notJson, 0, 1, "")).isInstanceOf(IOException.class)
                .hasMessageContaining(notJson.toString()).hasMessageContaining("not json at all");
        Path notParquet = dir.resolve("prompts.parquet");
        Files.writeString(notParquet, "plain text");
        assertThatThrownBy(() -> PromptTable.read(spark, notParquet, 0, 1, "")).isInstanceOf(IOException.class)
                .hasMessageContaining(notParquet + ": not a readable parquet prompts file");

        // the command says it in one line, exit 2, and leaves the caller's session running
        StringWriter err = new StringWriter();
        var cli = SparkMain.commandLine();
        cli.setErr(new PrintWriter(err));
        int code = cli.execute("sample", "--master", "local[2]", "--prompts", dir.resolve("missing.csv").toString(), "--model",
                LocalSpark.MODEL.toString(), "--out", dir.resolve("never").toString());
        assertThat(code).isEqualTo(2);
        assertThat(err.toString().strip()).isEqualTo("fusedit spark: " + dir.resolve("missing.csv") + ": no such prompts file (or it cannot be read)");
        assertThat(spark.sparkContext().isStopped()).isFalse();
    }

    @Test
    void aParquetTableWorksAsWell() throws IOException {
        Path parquet = dir.resolve("eval.parquet");
        spark.createDataFrame(List.of(new PromptRecord("a red circle", 3L), new PromptRecord("a blue square", 4L)), PromptRecord.class)
                .write().parquet(parquet.toString());
        List<PromptTable.Prompt> table = PromptTable.read(spark, parquet, 0, 1, "");
        assertThat(table).extracting(PromptTable.Prompt::prompt, PromptTable.Prompt::seed)
                .containsExactlyInAnyOrder(org.assertj.core.groups.Tuple.tuple("a red circle", 3L), org.assertj.core.groups.Tuple.tuple("a blue square", 4L));
    }

    /** A bean for building a Parquet table with Spark. */
    public static final class PromptRecord implements java.io.Serializable {
        private String prompt;
        private Long seed;

        public PromptRecord() {}

        PromptRecord(String prompt, Long seed) {
            this.prompt = prompt;
            this.seed = seed;
        }

        public String getPrompt() { return prompt; }
        public void setPrompt(String p) { prompt = p; }
        public Long getSeed() { return seed; }
        public void setSeed(Long s) { seed = s; }
    }
}
