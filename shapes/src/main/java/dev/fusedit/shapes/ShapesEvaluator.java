package dev.fusedit.shapes;

import dev.fusedit.model.pipeline.RgbImage;

import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the shapes benchmark: each prompt is sampled {@code samplesPerPrompt} times with fixed
 * seeds (prompt i, sample j gets seed i * samplesPerPrompt + j, so every image of a run has its
 * own seed and reruns reproduce it), each image is read by {@link ShapesDetector} and checked by
 * {@link PromptCheck}; a category scores the fraction of its samples that pass, the overall score
 * is the mean over the categories present (all six in benchmarks/shapes-eval.jsonl).
 */
public final class ShapesEvaluator {
    public static final int DEFAULT_SAMPLES_PER_PROMPT = 4;

    private final int samplesPerPrompt;

    public ShapesEvaluator() {
        this(DEFAULT_SAMPLES_PER_PROMPT);
    }

    public ShapesEvaluator(int samplesPerPrompt) {
        if (samplesPerPrompt < 1) throw new IllegalArgumentException("samples per prompt must be at least 1, got " + samplesPerPrompt);
        this.samplesPerPrompt = samplesPerPrompt;
    }

    /** The seeds prompt {@code promptIndex} is sampled with. */
    public long[] seeds(int promptIndex) {
        long[] seeds = new long[samplesPerPrompt];
        for (int j = 0; j < samplesPerPrompt; j++) seeds[j] = (long) promptIndex * samplesPerPrompt + j;
        return seeds;
    }

    public ShapesReport evaluate(List<ShapesPrompt> prompts, ImageGenerator generator) throws IOException {
        if (prompts.isEmpty()) throw new IllegalArgumentException("no prompts to evaluate");
        Map<Category, int[]> tally = new EnumMap<>(Category.class); // {passed, total}
        List<ShapesReport.SampleResult> results = new ArrayList<>();
        for (int i = 0; i < prompts.size(); i++) {
            ShapesPrompt prompt = prompts.get(i);
            long[] seeds = seeds(i);
            List<RgbImage> images = generator.generate(prompt.text(), seeds);
            if (images.size() != seeds.length)
                throw new IllegalArgumentException("the generator returned " + images.size() + " images for '" + prompt.text() + "', expected " + seeds.length);
            for (int j = 0; j < seeds.length; j++) {
                List<DetectedObject> found = ShapesDetector.detect(images.get(j));
                boolean pass = PromptCheck.passes(prompt, found);
                int[] t = tally.computeIfAbsent(prompt.category(), c -> new int[2]);
                if (pass) t[0]++;
                t[1]++;
                results.add(new ShapesReport.SampleResult(i, prompt, seeds[j], pass, found));
            }
        }
        Map<Category, Double> scores = new EnumMap<>(Category.class);
        double sum = 0;
        for (Map.Entry<Category, int[]> e : tally.entrySet()) {
            double score = e.getValue()[0] / (double) e.getValue()[1];
            scores.put(e.getKey(), score);
            sum += score;
        }
        return new ShapesReport(sum / scores.size(), scores, results.size(), results);
    }
}
