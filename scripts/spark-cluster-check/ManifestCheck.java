import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;

import java.io.File;
import java.util.List;

/**
 * The cluster check's verdict on a `spark sample` output folder: every prompt row of the table has
 * exactly one PNG per image and one manifest row per image, no manifest row twice, no half-written
 * file left. Run as a single-file program with Spark's jars on the class path:
 * java -cp "SPARK_HOME/jars/*" ManifestCheck.java OUT PROMPT_ROWS IMAGES_PER_ROW
 */
public class ManifestCheck {
    public static void main(String[] args) {
        String out = args[0];
        int rows = Integer.parseInt(args[1]), perRow = Integer.parseInt(args[2]);
        SparkSession spark = SparkSession.builder().master("local[1]").appName("manifest check")
                .config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1")
                .getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        Dataset<Row> m = spark.read().parquet(out + "/manifest.parquet");
        long total = m.count();
        long distinct = m.select("row", "image_index").distinct().count();
        long distinctImages = m.select("image").distinct().count();
        List<Row> perPrompt = m.groupBy("row").count().filter("count != " + perRow).collectAsList();
        long promptRows = m.select("row").distinct().count();
        String[] files = new File(out, "images").list();
        long pngs = 0, stray = 0;
        for (String f : files) {
            if (f.endsWith(".png") && !f.startsWith(".")) pngs++;
            else stray++;
        }
        long missingFiles = m.collectAsList().stream().filter(r -> !new File(out, r.getString(r.fieldIndex("image"))).isFile()).count();
        System.out.printf("manifest rows %d (distinct (row, image) %d, distinct paths %d), prompt rows %d of %d, rows with another image count %d, "
                + "PNG files %d, other files in images/ %d, manifest paths without a file %d%n",
                total, distinct, distinctImages, promptRows, rows, perPrompt.size(), pngs, stray, missingFiles);
        boolean ok = total == (long) rows * perRow && distinct == total && distinctImages == total && promptRows == rows
                && perPrompt.isEmpty() && pngs == total && stray == 0 && missingFiles == 0;
        System.out.println(ok ? "CHECK PASSED: every prompt has exactly one image per seed, the manifest has no duplicates"
                : "CHECK FAILED");
        spark.stop();
        System.exit(ok ? 0 : 1);
    }
}
