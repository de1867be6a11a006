package dev.fusedit.shapes;

import dev.fusedit.model.pipeline.RgbImage;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The benchmark's requirement on its own detector: on scenes the generator draws for the eval
 * prompts (4 per prompt), it must score at least 0.99 in every category, clean and with Gaussian
 * pixel noise N(0, 8^2) per channel (rounded, clipped to 0..255).
 */
class DetectorAccuracyTest {
    static final Path PROMPTS = Path.of("..").resolve(ShapesPromptFile.DEFAULT);
    private static final long SCENE_SEED = 2026;

    /** Draws, for each prompt text, the generator's scene for seed s; noise optionally added. */
    static ImageGenerator generatorScenes(List<ShapesPrompt> prompts, double noiseSigma) {
        Map<String, ShapesPrompt> byText = new java.util.HashMap<>();
        for (ShapesPrompt p : prompts) byText.put(p.text(), p);
        return (text, seeds) -> {
            List<RgbImage> out = new ArrayList<>();
            for (long seed : seeds) {
                RgbImage img = SceneSampler.sceneFor(byText.get(text), SampleRandom.forSample(SCENE_SEED, seed)).render();
                out.add(noiseSigma > 0 ? noisy(img, noiseSigma, seed) : img);
            }
            return out;
        };
    }

    static RgbImage noisy(RgbImage img, double sigma, long seed) {
        SplittableRandom r = new SplittableRandom(seed * 31 + 7);
        byte[] px = img.pixels().clone();
        for (int i = 0; i < px.length; i++) {
            long v = Math.round((px[i] & 0xff) + sigma * r.nextGaussian());
            px[i] = (byte) Math.clamp(v, 0, 255);
        }
        return new RgbImage(img.width(), img.height(), px);
    }

    private static void assertAccurate(ShapesReport report, String label) {
        StringBuilder line = new StringBuilder(label + ": overall " + String.format("%.4f", report.overall()));
        report.categories().forEach((c, s) -> line.append(String.format(", %s %.4f", c.id(), s)));
        System.out.println(line.append(" (").append(report.samples()).append(" images)"));
        assertThat(report.categories()).hasSize(6);
        report.categories().forEach((c, s) -> assertThat(s).as("%s %s", label, c.id()).isGreaterThanOrEqualTo(0.99));
        assertThat(report.overall()).isGreaterThanOrEqualTo(0.99);
    }

    @Test
    void detectorScoresAtLeast099OnCleanGeneratorImages() throws IOException {
        List<ShapesPrompt> prompts = ShapesPromptFile.read(PROMPTS);
        assertAccurate(new ShapesEvaluator().evaluate(prompts, generatorScenes(prompts, 0)), "clean");
    }

    @Test
    void detectorScoresAtLeast099WithGaussianPixelNoise() throws IOException {
        List<ShapesPrompt> prompts = ShapesPromptFile.read(PROMPTS);
        assertAccurate(new ShapesEvaluator().evaluate(prompts, generatorScenes(prompts, 8)), "noise sigma 8");
    }

    @Test
    void detectorRecoversEveryObjectOfCleanScenesExactly() {
        ShapesStream stream = new ShapesStream(77);
        Comparator<DetectedObject> order = Comparator.comparingInt(DetectedObject::minY).thenComparingInt(DetectedObject::minX);
        for (int i = 0; i < 2000; i++) {
            Scene scene = stream.sample(i).scene();
            List<DetectedObject> want = new ArrayList<>();
            for (SceneObject o : scene.objects()) {
                int pixels = 0;
                for (boolean b : o.shape().mask(o.size())) if (b) pixels++;
                want.add(new DetectedObject(o.shape(), o.color(), o.x(), o.y(), o.x() + o.size() - 1, o.y() + o.size() - 1, pixels));
            }
            List<DetectedObject> got = new ArrayList<>(ShapesDetector.detect(scene.render()));
            want.sort(order);
            got.sort(order);
            assertThat(got).as("sample %d", i).isEqualTo(want);
        }
    }

    @Test
    void labelsFollowTheDistanceAndBrightnessRules() {
        // One pixel per case: (r, g, b) -> expected palette colour or null for background.
        int[][] pixels = {{220, 40, 40}, {220 + 50, 40 + 50, 40 + 50}, {0, 0, 0}, {55, 50, 50}, {128, 128, 128}, {45, 200, 215}};
        byte[] px = new byte[pixels.length * 3];
        for (int i = 0; i < pixels.length; i++) for (int c = 0; c < 3; c++) px[i * 3 + c] = (byte) Math.min(255, pixels[i][c]);
        int[] labels = ShapesDetector.labels(new RgbImage(pixels.length, 1, px));
        for (int i = 0; i < pixels.length; i++) {
            int[] p = pixels[i];
            int best = -1;
            double bestD = Double.MAX_VALUE;
            for (ShapeColor c : ShapeColor.values()) {
                double d = Math.sqrt(Math.pow(Math.min(255, p[0]) - c.r(), 2) + Math.pow(Math.min(255, p[1]) - c.g(), 2) + Math.pow(Math.min(255, p[2]) - c.b(), 2));
                if (d < bestD) {
                    bestD = d;
                    best = c.ordinal();
                }
            }
            int want = bestD < 90 && Math.max(Math.min(255, p[0]), Math.max(Math.min(255, p[1]), Math.min(255, p[2]))) > 60 ? best : -1;
            assertThat(labels[i]).as("pixel %d", i).isEqualTo(want);
        }
        assertThat(labels[0]).isEqualTo(ShapeColor.RED.ordinal());
        assertThat(labels[2]).isEqualTo(-1);
        assertThat(labels[3]).as("dark reddish pixel: max channel not over 60").isEqualTo(-1);
        assertThat(labels[4]).as("grey: no palette colour within 90").isEqualTo(-1);
    }

    @Test
    void componentsUnderSixPixelsAreDropped() {
        byte[] px = new byte[10 * 10 * 3];
        // A 1 x 5 bar (5 pixels, dropped) and a 2 x 3 block (6 pixels, kept, reads as a square).
        for (int x = 0; x < 5; x++) paint(px, 10, x, 0, ShapeColor.GREEN);
        for (int y = 4; y < 6; y++) for (int x = 2; x < 5; x++) paint(px, 10, x, y, ShapeColor.BLUE);
        List<DetectedObject> found = ShapesDetector.detect(new RgbImage(10, 10, px));
        assertThat(found).hasSize(1);
        assertThat(found.getFirst().color()).isEqualTo(ShapeColor.BLUE);
        assertThat(found.getFirst().pixels()).isEqualTo(6);
    }

    @Test
    void diagonalNeighboursAreSeparateComponents() {
        byte[] px = new byte[10 * 10 * 3];
        // Two 3 x 3 blocks of one colour touching only at a corner: 4-connectivity keeps them apart.
        for (int y = 0; y < 3; y++) for (int x = 0; x < 3; x++) paint(px, 10, x, y, ShapeColor.RED);
        for (int y = 3; y < 6; y++) for (int x = 3; x < 6; x++) paint(px, 10, x, y, ShapeColor.RED);
        assertThat(ShapesDetector.detect(new RgbImage(10, 10, px))).hasSize(2);
    }

    static void paint(byte[] px, int width, int x, int y, ShapeColor c) {
        int p = (y * width + x) * 3;
        px[p] = (byte) c.r();
        px[p + 1] = (byte) c.g();
        px[p + 2] = (byte) c.b();
    }

    @Test
    void evalFileHoldsTheSpecPromptCounts() throws IOException {
        List<ShapesPrompt> prompts = ShapesPromptFile.read(PROMPTS);
        Map<Category, java.util.Set<String>> distinct = new EnumMap<>(Category.class);
        for (ShapesPrompt p : prompts) distinct.computeIfAbsent(p.category(), c -> new java.util.HashSet<>()).add(p.text());
        assertThat(distinct.get(Category.SINGLE_OBJECT)).hasSize(21);
        assertThat(distinct.get(Category.TWO_OBJECT)).hasSize(6);
        assertThat(distinct.get(Category.COUNTING)).hasSize(9);
        assertThat(distinct.get(Category.COLORS)).hasSize(18);
        assertThat(distinct.get(Category.POSITION)).hasSize(50);
        assertThat(distinct.get(Category.COLOR_ATTR)).hasSize(50);
    }
}
