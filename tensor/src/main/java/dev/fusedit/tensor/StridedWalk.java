package dev.fusedit.tensor;

/**
 * Visits the elements of one to three same-shape tensors (strides may differ, including 0 for a
 * broadcast dimension) in logical row-major order, handing out storage indices. The generic
 * path for ops whose operands are not plain contiguous F32.
 */
public final class StridedWalk {
    private StridedWalk() {}

    @FunctionalInterface public interface Visit1 { void at(long i, long a); }
    @FunctionalInterface public interface Visit2 { void at(long i, long a, long b); }
    @FunctionalInterface public interface Visit3 { void at(long i, long a, long b, long c); }

    public static void forEach(Tensor t, Visit1 visit) {
        forEach3(t.shape(), t.strides(), t.offset(), null, 0, null, 0, (i, a, b, c) -> visit.at(i, a));
    }

    /** {@code b} must have a's shape (expand it first to broadcast). */
    public static void forEach2(Tensor a, Tensor b, Visit2 visit) {
        forEach3(a.shape(), a.strides(), a.offset(), b.strides(), b.offset(), null, 0, (i, x, y, z) -> visit.at(i, x, y));
    }

    public static void forEach3(Tensor a, Tensor b, Tensor c, Visit3 visit) {
        forEach3(a.shape(), a.strides(), a.offset(), b.strides(), b.offset(), c.strides(), c.offset(), visit);
    }

    private static void forEach3(int[] shape, long[] sa, long oa, long[] sb, long ob, long[] sc, long oc, Visit3 visit) {
        int rank = shape.length;
        long n = Tensor.numel(shape);
        if (n == 0) return;
        if (rank == 0) {
            visit.at(0, oa, ob, oc);
            return;
        }
        int[] idx = new int[rank];
        long a = oa, b = ob, c = oc;
        int inner = shape[rank - 1];
        long ia = sa[rank - 1], ib = sb == null ? 0 : sb[rank - 1], ic = sc == null ? 0 : sc[rank - 1];
        for (long i = 0; i < n; i += inner) {
            for (int k = 0; k < inner; k++) visit.at(i + k, a + k * ia, b + k * ib, c + k * ic);
            // advance the outer counter
            for (int d = rank - 2; d >= 0; d--) {
                idx[d]++;
                a += sa[d];
                if (sb != null) b += sb[d];
                if (sc != null) c += sc[d];
                if (idx[d] < shape[d]) break;
                a -= sa[d] * shape[d];
                if (sb != null) b -= sb[d] * shape[d];
                if (sc != null) c -= sc[d] * shape[d];
                idx[d] = 0;
            }
        }
    }
}
