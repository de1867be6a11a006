package dev.fusedit.spark;

import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

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
        Dataset<Row> table;
        try {
            table = switch (format) {
                case "json" -> spark.read().option("mode", "PERMISSIVE").json(file.toString());
                case "csv" -> spark.read().option("header", "true").option("multiLine", "true").option("escape", "\"").csv(file.toString());
                default -> spark.read().parquet(file.toString());
            };
        } catch (Exception e) { // Spark's own exceptions are checked ones thrown unchecked from Scala
            throw new IOException(file + ": not a readable " + format + " prompts file (" + rootMessage(e) + ")");
        }
        StructType schema = table.schema();
        List<String> columns = Arrays.asList(schema.fieldNames());
        if (columns.contains("_corrupt_record"))
            throw new IOException(file + ": some lines are not JSON objects (first: " + firstCorrupt(table) + ")");
        if (!columns.contains("prompt"))
            throw new IOException(file + ": no 'prompt' column (columns: " + String.join(", ", columns) + "); expected prompt and optional seed, n, negative_prompt");
        List<Row> rows;
        try {
            rows = table.collectAsList();
        } catch (Exception e) { // Spark's own exceptions are checked ones thrown unchecked from Scala
            throw new IOException(file + ": not a readable " + format + " prompts file (" + rootMessage(e) + ")");
        }
        List<Prompt> prompts = new ArrayList<>(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            String where = file + ": row " + (i + 1);
            Object text = value(r, "prompt");
            if (text == null) throw new IOException(where + ": prompt is empty");
            Long seed = longValue(r, "seed", where);
            Long n = longValue(r, "n", where);
            if (n != null && (n < 1 || n > 10_000)) throw new IOException(where + ": n must be between 1 and 10000, got " + n);
            int images = n == null ? defaultImages : n.intValue();
            Object negative = value(r, "negative_prompt");
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

    private static Object value(Row r, String column) {
        int i = r.schema().getFieldIndex(column).getOrElse(() -> -1);
        return i < 0 || r.isNullAt(i) ? null : r.get(i);
    }

    /** A whole number from a number column or a text column (CSV reads everything as text). */
    private static Long longValue(Row r, String column, String where) throws IOException {
        Object v = value(r, column);
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

    private static String firstCorrupt(Dataset<Row> table) {
        // Spark refuses queries that read only the corrupt-record column of a raw file unless the rows are materialised
        List<Row> bad = table.cache().filter("_corrupt_record IS NOT NULL").limit(1).collectAsList();
        return bad.isEmpty() ? "?" : bad.getFirst().getAs("_corrupt_record");
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) t = t.getCause();
        return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage().lines().findFirst().orElse("");
    }
}
