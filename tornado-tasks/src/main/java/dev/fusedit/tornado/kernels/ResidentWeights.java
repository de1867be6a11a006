package dev.fusedit.tornado.kernels;

import dev.fusedit.tensor.ElementAccess;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.HashMap;
import java.util.Map;

/**
 * Names the frozen bfloat16 weights that live on the device. A weight is known by where its
 * segment lies (address, size) and by the memory scope it belongs to: when that scope is closed
 * (a model unloaded), the plans holding it are freed, and new data at the same address is a
 * different weight. Weights given to
 * {@link dev.fusedit.tensor.kernels.Kernels#matmulBf16Weights} are frozen by contract, so the
 * device copy made on first use stays valid.
 */
final class ResidentWeights {
    private record Location(long address, long byteSize) {}

    private record Entry(long id, MemorySegment.Scope scope, FloatArray values) {}

    /** A weight's key prefix for plan keys, and its values in the one host array every plan of it sends. */
    record Resident(String keyPrefix, FloatArray values) {}

    private final Map<Location, Entry> weights = new HashMap<>();
    private final PlanCache plans;
    private long nextId;

    ResidentWeights(PlanCache plans) {
        this.plans = plans;
    }

    /**
     * {@code weight} (bfloat16, exactly the elements in use) as the plans see it: widened to float32
     * on the host on first sight. (The device compilers at hand cannot reinterpret bits, and
     * TornadoVM's arithmetic bfloat16 decoder loops per element; widening once costs twice the
     * memory of the weight instead.)
     */
    Resident of(MemorySegment weight) {
        Location where = new Location(weight.address(), weight.byteSize());
        Entry e = weights.get(where);
        if (e != null && (e.scope() != weight.scope() || !e.scope().isAlive())) {
            plans.closeWhere(prefix(e.id()));
            e = null;
        }
        if (e == null) {
            // A new weight: first free the device copies of weights whose memory is gone.
            weights.values().removeIf(old -> {
                if (old.scope().isAlive()) return false;
                plans.closeWhere(prefix(old.id()));
                return true;
            });
            int n = Math.toIntExact(weight.byteSize() / Short.BYTES);
            FloatArray values = new FloatArray(n);
            for (int i = 0; i < n; i++) values.set(i, ElementAccess.bf16ToFloat(weight.getAtIndex(ValueLayout.JAVA_SHORT_UNALIGNED, i)));
            e = new Entry(nextId++, weight.scope(), values);
            weights.put(where, e);
        }
        return new Resident(prefix(e.id()), e.values());
    }

    private static String prefix(long id) {
        return "weight" + id + "/";
    }

    int count() {
        return weights.size();
    }
}
