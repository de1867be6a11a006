package dev.fusedit.tornado.kernels;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.function.Function;

/**
 * The compiled plans of one {@link TornadoKernels}, by key (kernel and size classes, plus the
 * weight for resident weights). Each new key costs one TornadoVM compilation on its first run,
 * so the keys are size classes, not exact shapes.
 */
final class PlanCache implements AutoCloseable {
    private final Map<String, DevicePlan> plans = new HashMap<>();
    private int graphs;

    /** The plan for {@code key}, built on first use; the builder receives a graph name unique in this cache. */
    DevicePlan get(String key, Function<String, DevicePlan> build) {
        DevicePlan plan = plans.get(key);
        if (plan == null) {
            String graphName = "fusedit" + (graphs++) + "_" + key.replaceAll("[^A-Za-z0-9]", "_");
            plan = build.apply(graphName);
            plans.put(key, plan);
        }
        return plan;
    }

    /** Frees the plans whose key starts with {@code prefix} (a weight that no longer exists). */
    void closeWhere(String prefix) {
        for (Iterator<Map.Entry<String, DevicePlan>> it = plans.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (e.getKey().startsWith(prefix)) {
                e.getValue().close();
                it.remove();
            }
        }
    }

    int size() {
        return plans.size();
    }

    @Override
    public void close() {
        closeWhere("");
    }
}
