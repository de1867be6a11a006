package dev.fusedit.spark;

import org.apache.spark.sql.SparkSession;

/**
 * The SparkSession settings our jobs need. Executors run our kernels, so they get the JVM flags
 * the Vector API and the memory-mapped weights need ({@link #EXECUTOR_JAVA_OPTIONS}); in an
 * embedded local master the executors are this JVM, which the launcher already started with them.
 * <pre>{@code
 * SparkSession spark = FuseditSpark.session("local[*]", "my job");
 * }</pre>
 */
public final class FuseditSpark {
    /**
     * What every executor JVM needs (the driver gets the same from the launcher or --driver-java-options):
     * the Vector API module and native access for the kernels, their stack size, and on JDK 24+ Spark's
     * sun.misc.Unsafe memory access allowed without the warning that JDK 25 prints (JEP 498).
     */
    public static final String EXECUTOR_JAVA_OPTIONS =
            "--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Xss4m --sun-misc-unsafe-memory-access=allow";

    private FuseditSpark() {}

    /**
     * A session on {@code master}, or on the master spark-submit chose when {@code master} is null.
     * A local master binds to the loopback address and has no web UI: the embedded run is a tool, not a service.
     */
    public static SparkSession session(String master, String appName) {
        // spark-submit hands its --conf values to the driver as system properties: keep the user's executor options, add ours
        String given = System.getProperty("spark.executor.extraJavaOptions", "");
        SparkSession.Builder b = SparkSession.builder().appName(appName)
                .config("spark.executor.extraJavaOptions", (given + " " + EXECUTOR_JAVA_OPTIONS).strip())
                .config("spark.ui.showConsoleProgress", "false");
        if (master != null) {
            b.master(master);
            if (master.startsWith("local"))
                b.config("spark.ui.enabled", "false").config("spark.driver.host", "127.0.0.1").config("spark.driver.bindAddress", "127.0.0.1");
        }
        return b.getOrCreate();
    }
}
