package dev.fusedit.cli.study;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.cli.study.StudyState.EvalRecord;
import dev.fusedit.cli.study.StudyState.RunRecord;
import dev.fusedit.training.progress.LinePlot;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * What a study's report says, computed from its runs: per variant and evaluated step, the mean
 * and the spread (min–max) over seeds of the overall score, each category, objects per image,
 * the share of extra objects and the training minutes; written as report.json (every run as it
 * is), report.md (the aggregates) and two plots against training minutes.
 */
final class StudyReport {
    private StudyReport() {}

    /** Label of the evaluations at a run's end that fall on no listed step (a run of minutes ends where its time runs out). */
    static final String END = "end";

    /** n values: their mean, smallest and largest. */
    record Spread(int n, double mean, double min, double max) {
        static Spread of(double[] values) {
            double sum = 0, min = Double.MAX_VALUE, max = -Double.MAX_VALUE;
            for (double v : values) {
                sum += v;
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            return new Spread(values.length, sum / values.length, min, max);
        }

        /** "0.250 (0.200–0.300)", or "0.250" for one value; decimals as given. */
        String format(int decimals) {
            String f = "%." + decimals + "f";
            return n == 1 ? String.format(f, mean) : String.format(f + " (" + f + "–" + f + ")", mean, min, max);
        }
    }

    /**
     * One variant at one evaluated step (label: the step, or {@link #END}), over the seeds that
     * evaluated it; steps: the steps its evaluations were at (one, except at the end of runs of minutes).
     */
    record Row(String variant, String label, List<Integer> seeds, SortedSet<Long> steps, Spread minutes, Spread overall,
               Map<String, Spread> categories, Spread objectsPerImage, Spread extraShare) {}

    /**
     * The rows of each variant (in the order given), a row per listed step that some seed evaluated,
     * then one {@link #END} row for the evaluations at the end of runs that fall on no listed step.
     */
    static List<Row> aggregate(List<String> variants, Collection<Long> listedSteps, List<RunRecord> runs) {
        List<Row> rows = new ArrayList<>();
        for (String variant : variants) {
            Map<String, List<EvalRecord>> byLabel = new LinkedHashMap<>();
            Map<String, List<Integer>> seedsByLabel = new LinkedHashMap<>();
            List<RunRecord> ofVariant = runs.stream().filter(r -> r.variant().equals(variant)).toList();
            List<String> labels = new ArrayList<>(new TreeSet<>(ofVariant.stream().flatMap(r -> r.evals().stream())
                    .filter(e -> listedSteps.contains(e.step())).map(EvalRecord::step).toList()).stream().map(String::valueOf).toList());
            labels.add(END);
            for (String l : labels) {
                byLabel.put(l, new ArrayList<>());
                seedsByLabel.put(l, new ArrayList<>());
            }
            for (RunRecord r : ofVariant)
                for (EvalRecord e : r.evals()) {
                    String label = listedSteps.contains(e.step()) ? String.valueOf(e.step()) : END;
                    byLabel.get(label).add(e);
                    seedsByLabel.get(label).add(r.seed());
                }
            for (String l : labels) {
                List<EvalRecord> evals = byLabel.get(l);
                if (evals.isEmpty()) continue;
                Map<String, Spread> categories = new LinkedHashMap<>();
                for (String c : evals.getFirst().categories().keySet())
                    categories.put(c, spread(evals, e -> e.categories().getOrDefault(c, Double.NaN)));
                rows.add(new Row(variant, l, seedsByLabel.get(l), new TreeSet<>(evals.stream().map(EvalRecord::step).toList()),
                        spread(evals, EvalRecord::minutes), spread(evals, EvalRecord::overall), categories,
                        spread(evals, EvalRecord::objectsPerImage), spread(evals, EvalRecord::extraShare)));
            }
        }
        return rows;
    }

    private static Spread spread(List<EvalRecord> evals, ToDoubleFunction<EvalRecord> f) {
        return Spread.of(evals.stream().mapToDouble(f).toArray());
    }

    /** report.json: {"runs": [{"variant", "seed", "minutes", "evals": [{"step", "minutes", "overall", "categories", "objects_per_image", "extra_share"}]}]}. */
    static String json(List<RunRecord> runs) {
        ObjectMapper json = new ObjectMapper();
        ObjectNode root = json.createObjectNode();
        ArrayNode list = root.putArray("runs");
        for (RunRecord r : runs) {
            ObjectNode run = list.addObject();
            run.put("variant", r.variant());
            run.put("seed", r.seed());
            run.put("minutes", r.minutes());
            ArrayNode evals = run.putArray("evals");
            for (EvalRecord e : r.evals()) {
                ObjectNode n = evals.addObject();
                n.put("step", e.step());
                n.put("minutes", e.minutes());
                n.put("overall", e.overall());
                ObjectNode cats = n.putObject("categories");
                e.categories().forEach(cats::put);
                n.put("objects_per_image", e.objectsPerImage());
                n.put("extra_share", e.extraShare());
            }
        }
        try {
            return json.writerWithDefaultPrettyPrinter().writeValueAsString(root) + "\n";
        } catch (com.fasterxml.jackson.core.JacksonException e) {
            throw new IllegalStateException("a report of numbers always serializes", e);
        }
    }

    /**
     * report.md: a header (title and what was run), a summary (each variant at its last row), then a
     * table per variant; every cell is the mean over seeds with the min–max spread in brackets.
     */
    static String markdown(String title, List<String> header, Map<String, String> variantDescriptions, List<Row> rows) {
        StringBuilder md = new StringBuilder("# " + title + "\n\n");
        for (String line : header) md.append(line).append('\n');
        md.append("\nEach cell: the mean over seeds, with the spread as (min–max) when more than one seed was evaluated there. "
                + "Minutes are training minutes (without evaluation). `end` is the last checkpoint of runs that stopped on their minutes, "
                + "at the steps given.\n");
        if (rows.isEmpty()) return md.append("\nNo evaluations yet.\n").toString();
        List<String> categories = new ArrayList<>(rows.getFirst().categories().keySet());
        md.append("\n## Summary: each variant at its last evaluation\n\n");
        table(md, "variant", categories);
        Map<String, Row> last = new LinkedHashMap<>();
        for (Row r : rows) last.put(r.variant(), r);
        for (Row r : last.values()) cells(md, r.variant() + " @ " + stepLabel(r), r, categories);
        for (String variant : variantDescriptions.keySet()) {
            md.append("\n## ").append(variant).append(": ").append(variantDescriptions.get(variant)).append("\n\n");
            List<Row> of = rows.stream().filter(r -> r.variant().equals(variant)).toList();
            if (of.isEmpty()) {
                md.append("No evaluations yet.\n");
                continue;
            }
            table(md, "step", categories);
            for (Row r : of) cells(md, stepLabel(r), r, categories);
        }
        md.append("\n![overall score against training minutes](score.png)\n\n![objects per image against training minutes](objects.png)\n\n"
                + "![the same prompts and seeds, a column per variant](samples.png)\n");
        return md.toString();
    }

    private static String stepLabel(Row r) {
        return r.label().equals(END) ? END + " (" + (r.steps().size() == 1 ? r.steps().iterator().next()
                : r.steps().first() + "–" + r.steps().last()) + ")" : r.label();
    }

    private static void table(StringBuilder md, String first, List<String> categories) {
        md.append("| ").append(first).append(" | seeds | minutes | overall | ").append(String.join(" | ", categories))
                .append(" | objects/image | extra share |\n|");
        md.append("---|".repeat(6 + categories.size())).append('\n');
    }

    private static void cells(StringBuilder md, String first, Row r, List<String> categories) {
        md.append("| ").append(first).append(" | ").append(r.seeds().size()).append(" | ").append(r.minutes().format(1)).append(" | ")
                .append(r.overall().format(3)).append(" | ");
        for (String c : categories) md.append(r.categories().containsKey(c) ? r.categories().get(c).format(3) : "").append(" | ");
        md.append(r.objectsPerImage().format(2)).append(" | ").append(r.extraShare().format(2)).append(" |\n");
    }

    /**
     * score.png and objects.png in dir: per variant the mean over seeds against the mean training
     * minutes of each row, the min–max band over seeds shaded, and every seed's evaluation as a dot.
     */
    static void plots(List<String> variants, List<Row> rows, List<RunRecord> runs, Path dir) throws IOException {
        plot("overall score against training minutes (mean over seeds, band: min–max, dots: seeds)", "overall",
                variants, rows, runs, Row::overall, EvalRecord::overall).write(dir.resolve("score.png"), 900, 450);
        plot("objects per image against training minutes (mean over seeds, band: min–max, dots: seeds)", "objects per image",
                variants, rows, runs, Row::objectsPerImage, EvalRecord::objectsPerImage).write(dir.resolve("objects.png"), 900, 450);
    }

    private static LinePlot plot(String title, String yLabel, List<String> variants, List<Row> rows, List<RunRecord> runs,
                                 java.util.function.Function<Row, Spread> metric, ToDoubleFunction<EvalRecord> perSeed) {
        LinePlot plot = new LinePlot(title, "training minutes", yLabel, false).includeZero();
        for (int v = 0; v < variants.size(); v++) {
            String variant = variants.get(v);
            Color color = LinePlot.PALETTE.get(v % LinePlot.PALETTE.size());
            List<Row> of = rows.stream().filter(r -> r.variant().equals(variant)).sorted(Comparator.comparingDouble(r -> r.minutes().mean())).toList();
            double[] x = of.stream().mapToDouble(r -> r.minutes().mean()).toArray();
            plot.add(new LinePlot.Series(variant, color, x, of.stream().mapToDouble(r -> metric.apply(r).mean()).toArray(),
                    of.stream().mapToDouble(r -> metric.apply(r).min()).toArray(), of.stream().mapToDouble(r -> metric.apply(r).max()).toArray(),
                    2f, false));
            List<EvalRecord> evals = runs.stream().filter(r -> r.variant().equals(variant)).flatMap(r -> r.evals().stream()).toList();
            plot.add(new LinePlot.Series(null, color, evals.stream().mapToDouble(EvalRecord::minutes).toArray(),
                    evals.stream().mapToDouble(perSeed).toArray(), null, null, 0f, true));
        }
        return plot;
    }
}
