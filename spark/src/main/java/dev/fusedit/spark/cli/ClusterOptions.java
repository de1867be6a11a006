package dev.fusedit.spark.cli;

import dev.fusedit.spark.FuseditSpark;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine.Option;

/** --master and --partitions, shared by the Spark commands. */
final class ClusterOptions {
    @Option(names = "--master", description = "Spark master URL (default: the one spark-submit gives, else local[*] in this JVM)")
    String master;

    @Option(names = "--partitions", defaultValue = "0", description = "tasks to split the work into (default: the cluster's parallelism, its cores)")
    int partitions;

    /** Whether {@link #session} started the session (then {@link #release} stops it) or joined one the caller runs. */
    private boolean started;

    /** The session: --master, else spark-submit's (spark.master is then set), else an embedded local[*]. */
    SparkSession session(String appName) {
        if (partitions < 0) throw new IllegalArgumentException("--partitions must be 0 (automatic) or more, got " + partitions);
        String m = master != null ? master : System.getProperty("spark.master") != null ? null : "local[*]";
        started = SparkSession.getDefaultSession().isEmpty();
        return FuseditSpark.session(m, appName);
    }

    /** Stops the session if this command started it; a session of the caller's job stays up. */
    void release(SparkSession spark) {
        if (started) spark.stop();
    }
}
