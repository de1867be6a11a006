package dev.fusedit.tensor;

import dev.fusedit.tensor.autograd.Autograd;
import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.autograd.Node;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.Reduce;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * An n-dimensional view of a {@link Storage}: shape, strides and offset in elements, and a dtype.
 * Views (reshape, permute, narrow, expand, ...) share storage; ops make new tensors in the
 * current {@link MemoryScope}. A tensor that requires a gradient is a leaf (a parameter) or was
 * made by a recorded {@link Node}; {@code backward()} walks those nodes.
 *
 * <p>The op surface lives in {@code dev.fusedit.tensor.ops} (Pointwise, Reduce, JoinSplit, Linalg,
 * TransformerOps, ...); this class holds only what a tensor is plus its views.
 */
public final class Tensor {
    private final Storage storage;
    private final DType dtype;
    private final int[] shape;
    private final long[] strides;
    private final long offset;

    private boolean requiresGrad;
    private Node node;
    private Tensor grad;

    public Tensor(Storage storage, DType dtype, int[] shape, long[] strides, long offset) {
        if (shape.length != strides.length) throw new IllegalArgumentException("shape and strides differ in rank");
        for (int d : shape) if (d < 0) throw new IllegalArgumentException("negative dimension in " + Arrays.toString(shape));
        this.storage = storage;
        this.dtype = dtype;
        this.shape = shape.clone();
        this.strides = strides.clone();
        this.offset = offset;
    }

    // ---------------------------------------------------------------- creation

    /** Zero-filled contiguous tensor in the current memory scope. */
    public static Tensor zeros(DType dtype, int... shape) {
        long n = numel(shape);
        return new Tensor(Storage.allocate(dtype, n), dtype, shape, contiguousStrides(shape), 0);
    }

    /**
     * A contiguous tensor whose contents are undefined, for outputs that the caller overwrites
     * completely before anyone reads them (fresh memory may hold a previous step's values).
     */
    public static Tensor empty(DType dtype, int... shape) {
        long n = numel(shape);
        return new Tensor(Storage.allocateUninitialized(dtype, n), dtype, shape, contiguousStrides(shape), 0);
    }

    public static Tensor zeros(int... shape) {
        return zeros(DType.F32, shape);
    }

    public static Tensor full(DType dtype, double value, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (value != 0) t.fill(value);
        return t;
    }

    public static Tensor ones(int... shape) {
        return full(DType.F32, 1, shape);
    }

    public static Tensor scalar(double value) {
        return full(DType.F32, value, new int[0]);
    }

    public static Tensor of(float[] values, int... shape) {
        Tensor t = zeros(DType.F32, shape);
        if (values.length != t.numel()) throw new IllegalArgumentException(values.length + " values for shape " + Arrays.toString(shape));
        MemorySegment.copy(values, 0, t.segment(), ElementAccess.F32, 0, values.length);
        return t;
    }

    public static Tensor of(DType dtype, double[] values, int... shape) {
        Tensor t = zeros(dtype, shape);
        if (values.length != t.numel()) throw new IllegalArgumentException(values.length + " values for shape " + Arrays.toString(shape));
        for (int i = 0; i < values.length; i++) ElementAccess.write(t.segment(), dtype, i, values[i]);
        return t;
    }

    /** 0, 1, ..., n-1 */
    public static Tensor arange(DType dtype, int n) {
        Tensor t = zeros(dtype, n);
        for (int i = 0; i < n; i++) ElementAccess.write(t.segment(), dtype, i, i);
        return t;
    }

    /** A contiguous view of existing memory (a memory-mapped weight, a buffer shared with a device). */
    public static Tensor wrap(MemorySegment segment, DType dtype, int... shape) {
        long bytes = numel(shape) * dtype.byteSize();
        if (segment.byteSize() < bytes)
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too small for " + dtype + Arrays.toString(shape));
        return new Tensor(new Storage(segment, null), dtype, shape, contiguousStrides(shape), 0);
    }

    /** A zero tensor of the same shape, dtype and lifetime as this one's storage. */
    public Tensor zerosLike() {
        return new Tensor(storage.sibling(dtype, numel()), dtype, shape, contiguousStrides(shape), 0);
    }

    // ---------------------------------------------------------------- what it is

    public DType dtype() { return dtype; }
    public int[] shape() { return shape.clone(); }
    public long[] strides() { return strides.clone(); }
    public long offset() { return offset; }
    public Storage storage() { return storage; }
    public int dim() { return shape.length; }

    /** Size of dimension {@code d}; negative counts from the end. */
    public int size(int d) { return shape[axis(d)]; }
    public long stride(int d) { return strides[axis(d)]; }
    public long numel() { return numel(shape); }

    /** The storage's whole segment; element i of a contiguous tensor is at index offset()+i. */
    public MemorySegment segment() { return storage.segment(); }

    /** The bytes of a contiguous tensor, starting at its first element. */
    public MemorySegment data() {
        if (!isContiguous()) throw new IllegalStateException("data() of a non-contiguous tensor; call contiguous() first");
        return storage.segment().asSlice(offset * dtype.byteSize(), numel() * dtype.byteSize());
    }

    public boolean isContiguous() {
        long expected = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            if (shape[d] != 1 && strides[d] != expected) return false;
            expected *= shape[d];
        }
        return true;
    }

    public int axis(int d) {
        int a = d < 0 ? d + shape.length : d;
        if (a < 0 || a >= shape.length) throw new IndexOutOfBoundsException("dimension " + d + " of a " + shape.length + "-d tensor");
        return a;
    }

    public static long numel(int[] shape) {
        long n = 1;
        for (int d : shape) n = Math.multiplyExact(n, (long) d);
        return n;
    }

    public static long[] contiguousStrides(int[] shape) {
        long[] s = new long[shape.length];
        long acc = 1;
        for (int d = shape.length - 1; d >= 0; d--) {
            s[d] = acc;
            acc *= shape[d];
        }
        return s;
    }

    // ---------------------------------------------------------------- elements

    /** Storage index of the element at logical position {@code idx}. */
    public long index(int... idx) {
        if (idx.length != shape.length) throw new IllegalArgumentException("need " + shape.length + " indices, got " + idx.length);
        long at = offset;
        for (int d = 0; d < idx.length; d++) {
            if (idx[d] < 0 || idx[d] >= shape[d]) throw new IndexOutOfBoundsException("index " + idx[d] + " of dimension " + d + " with size " + shape[d]);
            at += idx[d] * strides[d];
        }
        return at;
    }

    public double get(int... idx) { return ElementAccess.read(segment(), dtype, index(idx)); }
    public void set(double value, int... idx) { ElementAccess.write(segment(), dtype, index(idx), value); }

    /** The value of a one-element tensor. */
    public double item() {
        if (numel() != 1) throw new IllegalStateException("item() of a tensor with " + numel() + " elements");
        return ElementAccess.read(segment(), dtype, offset);
    }

    /** Every element in logical (row-major) order, as double. */
    public double[] toDoubleArray() {
        double[] out = new double[Math.toIntExact(numel())];
        StridedWalk.forEach(this, (i, at) -> out[(int) i] = ElementAccess.read(segment(), dtype, at));
        return out;
    }

    public float[] toFloatArray() {
        float[] out = new float[Math.toIntExact(numel())];
        if (dtype == DType.F32 && isContiguous()) {
            MemorySegment.copy(segment(), ElementAccess.F32, offset * 4, out, 0, out.length);
            return out;
        }
        StridedWalk.forEach(this, (i, at) -> out[(int) i] = (float) ElementAccess.read(segment(), dtype, at));
        return out;
    }

    /** Sets every element (in place, not recorded). */
    public Tensor fill(double value) {
        StridedWalk.forEach(this, (i, at) -> ElementAccess.write(segment(), dtype, at, value));
        return this;
    }

    /** Copies {@code src} (same shape, any dtype and strides) into this tensor (in place, not recorded). */
    public Tensor copyFrom(Tensor src) {
        if (!Arrays.equals(shape, src.shape)) throw new IllegalArgumentException("copy from shape " + Arrays.toString(src.shape) + " into " + Arrays.toString(shape));
        if (dtype == src.dtype && isContiguous() && src.isContiguous()) {
            MemorySegment.copy(src.segment(), src.offset * dtype.byteSize(), segment(), offset * dtype.byteSize(), numel() * dtype.byteSize());
            return this;
        }
        if (dtype == src.dtype) {
            StridedCopy.copy(this, src);
            return this;
        }
        StridedWalk.forEach2(this, src, (i, at, atSrc) -> ElementAccess.write(segment(), dtype, at, ElementAccess.read(src.segment(), src.dtype, atSrc)));
        return this;
    }

    /** A new contiguous tensor with the same values, converted to {@code target} (recorded). */
    public Tensor to(DType target) {
        Tensor out = empty(target, shape).copyFrom(this);
        DType from = dtype;
        return Autograd.record(out, "to", g -> new Tensor[] {g.to(from)}, this);
    }

    /** This tensor if already contiguous, else a contiguous copy (recorded). */
    public Tensor contiguous() {
        if (isContiguous()) return this;
        Tensor out = empty(dtype, shape).copyFrom(this);
        return Autograd.record(out, "contiguous", g -> new Tensor[] {g}, this);
    }

    /** A contiguous copy that never shares storage with this tensor (recorded). */
    public Tensor copy() {
        Tensor out = empty(dtype, shape).copyFrom(this);
        return Autograd.record(out, "copy", g -> new Tensor[] {g}, this);
    }

    // ---------------------------------------------------------------- views

    /** Same elements, new shape; one dimension may be -1. Copies only when the strides do not allow a view. */
    public Tensor reshape(int... newShape) {
        int[] target = inferShape(newShape, numel());
        long[] viewStrides = viewStrides(target);
        if (viewStrides == null) return contiguous().reshape(target);
        Tensor out = new Tensor(storage, dtype, target, viewStrides, offset);
        int[] original = shape.clone();
        return Autograd.record(out, "reshape", g -> new Tensor[] {g.reshape(original)}, this);
    }

    /** Alias of {@link #reshape} (PyTorch's name for the no-copy case). */
    public Tensor view(int... newShape) {
        return reshape(newShape);
    }

    public Tensor permute(int... order) {
        if (order.length != shape.length) throw new IllegalArgumentException("permute needs " + shape.length + " dimensions");
        int[] s = new int[order.length];
        long[] st = new long[order.length];
        int[] inverse = new int[order.length];
        boolean[] used = new boolean[order.length];
        for (int d = 0; d < order.length; d++) {
            int a = axis(order[d]);
            if (used[a]) throw new IllegalArgumentException("permute repeats dimension " + a);
            used[a] = true;
            s[d] = shape[a];
            st[d] = strides[a];
            inverse[a] = d;
        }
        Tensor out = new Tensor(storage, dtype, s, st, offset);
        return Autograd.record(out, "permute", g -> new Tensor[] {g.permute(inverse)}, this);
    }

    public Tensor transpose(int d0, int d1) {
        int[] order = new int[shape.length];
        for (int d = 0; d < order.length; d++) order[d] = d;
        int a = axis(d0), b = axis(d1);
        order[a] = b;
        order[b] = a;
        return permute(order);
    }

    /** ElementAccess {@code start .. start+length-1} of dimension {@code d}, as a view. */
    public Tensor narrow(int d, int start, int length) {
        int a = axis(d);
        if (start < 0 || length < 0 || start + length > shape[a])
            throw new IndexOutOfBoundsException("narrow(" + d + ", " + start + ", " + length + ") of size " + shape[a]);
        int[] s = shape.clone();
        s[a] = length;
        Tensor out = new Tensor(storage, dtype, s, strides, offset + start * strides[a]);
        int[] original = shape.clone();
        return Autograd.record(out, "narrow", g -> {
            Tensor full = zeros(g.dtype(), original);
            full.narrowView(a, start, length).copyFrom(g);
            return new Tensor[] {full};
        }, this);
    }

    /** Index {@code i} of dimension {@code d}, that dimension removed. */
    public Tensor select(int d, int i) {
        return narrow(d, i, 1).squeeze(d);
    }

    /** Broadcast to {@code target} (size-1 dimensions stretched, new leading dimensions added); -1 keeps a size. */
    public Tensor expand(int... target) {
        if (target.length < shape.length) throw new IllegalArgumentException("expand to fewer dimensions");
        int lead = target.length - shape.length;
        int[] s = new int[target.length];
        long[] st = new long[target.length];
        for (int d = 0; d < target.length; d++) {
            int src = d - lead;
            int want = target[d];
            if (src < 0) {
                if (want < 0) throw new IllegalArgumentException("-1 in a new leading dimension");
                s[d] = want;
                st[d] = 0;
            } else if (want == -1 || want == shape[src]) {
                s[d] = shape[src];
                st[d] = strides[src];
            } else if (shape[src] == 1) {
                s[d] = want;
                st[d] = 0;
            } else {
                throw new IllegalArgumentException("cannot expand " + Arrays.toString(shape) + " to " + Arrays.toString(target));
            }
        }
        if (Arrays.equals(s, shape)) return this;
        Tensor out = new Tensor(storage, dtype, s, st, offset);
        int[] original = shape.clone();
        return Autograd.record(out, "expand", g -> new Tensor[] {Reduce.sumToShape(g, original)}, this);
    }

    public Tensor unsqueeze(int d) {
        int a = d < 0 ? d + shape.length + 1 : d;
        if (a < 0 || a > shape.length) throw new IndexOutOfBoundsException("unsqueeze(" + d + ") of a " + shape.length + "-d tensor");
        int[] s = new int[shape.length + 1];
        for (int i = 0, j = 0; i < s.length; i++) s[i] = i == a ? 1 : shape[j++];
        return reshape(s);
    }

    /** Removes dimension d (which must have size 1). */
    public Tensor squeeze(int d) {
        int a = axis(d);
        if (shape[a] != 1) throw new IllegalArgumentException("squeeze(" + d + ") of a dimension of size " + shape[a]);
        int[] s = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != a) s[j++] = shape[i];
        return reshape(s);
    }

    /** Removes every dimension of size 1. */
    public Tensor squeeze() {
        return reshape(Arrays.stream(shape).filter(x -> x != 1).toArray());
    }

    /** A narrow view without recording (used by backward functions that write into a slice). */
    Tensor narrowView(int a, int start, int length) {
        int[] s = shape.clone();
        s[a] = length;
        return new Tensor(storage, dtype, s, strides, offset + start * strides[a]);
    }

    private static int[] inferShape(int[] requested, long numel) {
        int[] s = requested.clone();
        int unknown = -1;
        long known = 1;
        for (int d = 0; d < s.length; d++) {
            if (s[d] == -1) {
                if (unknown >= 0) throw new IllegalArgumentException("more than one -1 in " + Arrays.toString(requested));
                unknown = d;
            } else {
                known *= s[d];
            }
        }
        if (unknown >= 0) {
            if (known == 0 || numel % known != 0) throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(requested));
            s[unknown] = (int) (numel / known);
        }
        if (numel(s) != numel) throw new IllegalArgumentException("cannot reshape " + numel + " elements to " + Arrays.toString(requested));
        return s;
    }

    /** Strides that show this tensor's elements in {@code target} shape without a copy, or null. */
    private long[] viewStrides(int[] target) {
        if (isContiguous()) return contiguousStrides(target);
        // Group source dims into runs that are contiguous among themselves, then match target dims to runs.
        long[] out = new long[target.length];
        int src = 0, tgt = 0;
        while (src < shape.length || tgt < target.length) {
            // skip size-1 dims on both sides
            if (src < shape.length && shape[src] == 1) { src++; continue; }
            if (tgt < target.length && target[tgt] == 1) { out[tgt++] = 1; continue; }
            if (src >= shape.length || tgt >= target.length) return null;
            long srcSize = shape[src];
            int srcEnd = src;
            long tgtSize = target[tgt];
            int tgtStart = tgt;
            while (srcSize != tgtSize) {
                if (srcSize < tgtSize) {
                    int next = srcEnd + 1;
                    while (next < shape.length && shape[next] == 1) next++;
                    if (next >= shape.length || strides[srcEnd] != strides[next] * shape[next]) return null;
                    srcEnd = next;
                    srcSize *= shape[next];
                } else {
                    tgt++;
                    if (tgt >= target.length) return null;
                    tgtSize *= target[tgt];
                }
            }
            long stride = strides[srcEnd];
            for (int t = tgt; t >= tgtStart; t--) {
                out[t] = stride;
                stride *= target[t];
            }
            src = srcEnd + 1;
            tgt++;
        }
        return out;
    }

    // ---------------------------------------------------------------- autograd

    public boolean requiresGrad() { return requiresGrad; }

    /** Marks a leaf as needing a gradient (a parameter). */
    public Tensor requiresGrad(boolean value) {
        if (node != null && !value) throw new IllegalStateException("requiresGrad(false) on a tensor made by " + node.op() + "; use detach()");
        this.requiresGrad = value;
        return this;
    }

    public boolean isLeaf() { return node == null; }
    public Node node() { return node; }
    public Tensor grad() { return grad; }

    /** Drops the accumulated gradient (sets it to null). */
    public void zeroGrad() { grad = null; }

    /** Uses {@code g} (same shape) as this leaf's gradient buffer, e.g. a view into a flat gradient buffer. */
    public void setGrad(Tensor g) {
        if (g != null && !Arrays.equals(g.shape, shape)) throw new IllegalArgumentException("gradient shape differs from tensor shape");
        grad = g;
    }

    /** The same values, cut from the graph. */
    public Tensor detach() {
        return new Tensor(storage, dtype, shape, strides, offset);
    }

    public void backward() {
        if (numel() != 1) throw new IllegalStateException("backward() without an output gradient needs a one-element tensor, this has " + numel());
        Autograd.backward(this, full(dtype.computeType(), 1, shape), Pointwise::add);
    }

    public void backward(Tensor gradOutput) {
        Autograd.backward(this, gradOutput, Pointwise::add);
    }

    /** Called by the engine: attach the node that produced this tensor. */
    public void attach(Node producer) {
        if (!GradMode.isEnabled()) return;
        node = producer;
        requiresGrad = true;
    }

    /** Called by the engine: add {@code g} into this leaf's gradient (allocated beside the leaf's storage). */
    public void accumulateGrad(Tensor g) {
        if (grad == null) grad = zerosLikeIn(dtype.computeType());
        Pointwise.addInPlace(grad, g);
    }

    private Tensor zerosLikeIn(DType t) {
        return new Tensor(storage.sibling(t, numel()), t, shape, contiguousStrides(shape), 0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("Tensor(").append(dtype).append(Arrays.toString(shape));
        if (numel() <= 16) sb.append(' ').append(Arrays.toString(toDoubleArray()));
        if (node != null) sb.append(", grad_fn=").append(node.op());
        else if (requiresGrad) sb.append(", requires_grad");
        return sb.append(')').toString();
    }
}
