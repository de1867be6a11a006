package dev.fusedit.spark;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * A table of prompts for {@link SparkSampleJob}: JSON lines, CSV with a header, or Parquet, with
 * a {@code prompt} column and optional {@code seed}, {@code n} and {@code negative_prompt}. Rows
 * are numbered in file order; that number names their images.
 *
 * <p>Seeds follow `fusedit sample`: image k of a row uses the row's seed + k; a row without a seed
 * gets {@code baseSeed + row × defaultImages}, so a table of K-image rows without seeds draws
 * what `fusedit sample --seed baseSeed --images-per-prompt K --prompt ...` draws, prompt by prompt.
 */
public final class PromptTable {
    /** One row of the table, resolved: its number, text, first seed, image count and unconditional text. */
    public record Prompt(long row, String prompt, long seed, int images, String negativePrompt) implements Serializable {}

    private PromptTable() {}

    /**
     * Reads {@code file} (format from its extension: .jsonl/.json, .csv, .parquet or a Parquet
     * folder). Errors name the file and, for a bad value, the row and the column.
     */
    public static List<Prompt> read(SparkSession spark, Path file, long baseSeed, int defaultImages, String defaultNegative) throws IOException {
        if (!Files.isReadable(file)) throw new IOException(file + ": no such prompts file (or it cannot be read)");
        String format = format(file);
        // JSON lines are read here on the driver, which collects the table anyway: Spark's reader would
        // spend two jobs (schema inference, then the rows) and some seconds of a short command on them
        List<Map<String, Object>> rows = format.equals("json") ? jsonLines(file) : sparkRows(spark, file, format);
        Set<String> columns = new LinkedHashSet<>();
        rows.forEach(r -> columns.addAll(r.keySet()));
        if (!columns.contains("prompt"))
            throw new IOException(file + ": no 'prompt' column (columns: " + String.join(", ", columns) + "); expected prompt and optional seed, n, negative_prompt");
        List<Prompt> prompts = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Map<String, Object> r = rows.get(i);
            String where = file + ": row " + (i + 1);
            Object text = r.get("prompt");
            if (text == null) throw new IOException(where + ": prompt is empty");
            Long seed = longValue(r, "seed", where);
            Long n = longValue(r, "n", where);
            if (n != null && (n < 1 || n > 10_000)) throw new IOException(where + ": n must be between 1 and 10000, got " + n);
            int images = n == null ? defaultImages : n.intValue();
            Object negative = r.get("negative_prompt");
            prompts.add(new Prompt(i, text.toString(), seed != null ? seed : baseSeed + (long) i * defaultImages, images,
                    negative != null ? negative.toString() : defaultNegative));
        }
        if (prompts.isEmpty()) throw new IOException(file + ": no prompts in it");
        return prompts;
    }

    private static String format(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) return "json";
        if (name.endsWith(".csv")) return "csv";
        return "parquet";
    }

    /** Each non-blank line a JSON object of column values (numbers, text, or null). */
    private static List<Map<String, Object>> jsonLines(Path file) throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<Map<String, Object>> rows = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (line.isBlank()) continue;
            JsonNode node;
            try {
                node = json.readTree(line);
            } catch (JacksonException e) {
                node = null;
            }
            if (node == null || !node.isObject()) throw new IOException(file + ": some lines are not JSON objects (first: " + line.strip() + ")");
            Map<String, Object> row = new LinkedHashMap<>();
            for (Map.Entry<String, JsonNode> f : node.properties()) {
                JsonNode v = f.getValue();
                row.put(f.getKey(), v.isNull() ? null : v.isIntegralNumber() ? (Object) v.longValue() : v.isNumber() ? (Object) v.doubleValue()
                        : v.isTextual() ? v.textValue() : v.toString());
            }
            rows.add(row);
        }
        return rows;
    }

    /** CSV (a header line) or Parquet through Spark's readers, as column-to-value maps in file order. */
    private static List<Map<String, Object>> sparkRows(SparkSession spark, Path file, String format) throws IOException {
        try {
            Dataset<Row> table = format.equals("csv")
                    ? spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(file.toString())
                    : spark.read().parquet(file.toString());
            String[] columns = table.schema().fieldNames();
            List<Map<String, Object>> rows = new ArrayList<>();
            for (Row r : table.collectAsList()) {
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 0; i < columns.length; i++) row.put(columns[i], r.isNullAt(i) ? null : r.get(i));
                rows.add(row);
            }
            return rows;
        } catch (Exception e) { // Spark's own exceptions are checked ones thrown unchecked from Scala
            throw new IOException(file + ": not a readable " + format + " prompts file (" + rootMessage(e) + ")");
        }
    }

    /** A whole number from a number column or a text column (CSV reads everything as text). */
    private static Long longValue(Map<String, Object> r, String column, String where) throws IOException {
        Object v = r.get(column);
        if (v == null) return null;
        if (v instanceof Number num) {
            if (num.doubleValue() != num.longValue()) throw new IOException(where + ": " + column + " must be a whole number, got " + v);
            return num.longValue();
        }
        String s = v.toString().trim();
        if (s.isEmpty()) return null;
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new IOException(where + ": " + column + " must be a whole number, got '" + s + "'");
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().lines().findFirst().orElse("");
    }
}
