package dev.fusedit.spark;

import dev.fusedit.model.pipeline.FuseDiTPipeline;
import dev.fusedit.model.pipeline.GeneratedImage;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What a task does with its share of (prompt, seed) pairs: passes of up to {@code batch} images
 * through the executor's pipeline. Pairs with different negative prompts go in different passes
 * (one pass has one unconditional text); batching does not change an image, so neither does the
 * way Spark splits the work.
 */
final class BatchSampler {
    /** One image to make: {@code tag} comes back with it so the caller knows which it was. */
    record Request<T>(String prompt, long seed, String negativePrompt, T tag) {}

    /** A made image, its request's tag, and its share of its pass's wall time. */
    record Made<T>(GeneratedImage image, T tag, double seconds) {}

    private BatchSampler() {}

    static <T> List<Made<T>> sample(FuseDiTPipeline pipe, List<Request<T>> requests, SamplingSettings settings) {
        Map<String, List<Request<T>>> byNegative = new LinkedHashMap<>();
        for (Request<T> r : requests) byNegative.computeIfAbsent(r.negativePrompt(), k -> new ArrayList<>()).add(r);
        List<Made<T>> made = new ArrayList<>(requests.size());
        for (Map.Entry<String, List<Request<T>>> group : byNegative.entrySet()) {
            List<Request<T>> all = group.getValue();
            for (int from = 0; from < all.size(); from += settings.batch()) {
                List<Request<T>> pass = all.subList(from, Math.min(all.size(), from + settings.batch()));
                List<String> prompts = pass.stream().map(Request::prompt).toList();
                long[] seeds = pass.stream().mapToLong(Request::seed).toArray();
                List<GeneratedImage> images;
                long start;
                double seconds;
                synchronized (pipe) {
                    start = System.nanoTime();
                    images = pipe.generateEach(prompts, seeds, settings.options(group.getKey()));
                    seconds = (System.nanoTime() - start) / 1e9;
                }
                for (int i = 0; i < pass.size(); i++) made.add(new Made<>(images.get(i), pass.get(i).tag(), seconds / pass.size()));
            }
        }
        return made;
    }
}
