package dev.fusedit.spark;

import org.apache.spark.sql.SparkSession;

import java.nio.file.Path;

/**
 * The tests' Spark: one local[2] session for the whole test JVM (starting one costs seconds; the
 * jobs do not depend on what earlier jobs ran), and the bundled shapes model, small enough to
 * sample in milliseconds.
 */
final class LocalSpark {
    static final Path MODEL = Path.of("..", "models", "shapes-tiny");

    private LocalSpark() {}

    static synchronized SparkSession session() {
        return FuseditSpark.session("local[2]", "fusedit spark tests");
    }
}
