package dev.fusedit.tensor.bench;

/**
 * One benchmark of the kernel suite: a kernel call on inputs made for it, the work one call
 * does, and the workload whose rate bounds it.
 *
 * @param name      the suite's key (see {@link KernelSuite#NAMES})
 * @param label     what a table prints: the kernel and its shape
 * @param bound     compute-bound (rate in GFLOP/s) or memory-bound (GB/s of memory traffic)
 * @param work      FLOPs or bytes of memory traffic ({@link CopyBandwidth#traffic}) per call
 * @param reference the key of the workload this one is compared with (itself for a reference)
 * @param call      one call of the kernel
 */
public record KernelWorkload(String name, String label, Bound bound, double work, String reference, Runnable call) {
    public enum Bound { COMPUTE, MEMORY }

    /** "GFLOP/s" or "GB/s". */
    public String unit() {
        return bound == Bound.COMPUTE ? "GFLOP/s" : "GB/s";
    }

    /** The rate of a call that took secondsPerCall, in {@link #unit()}. */
    public double rate(double secondsPerCall) {
        return work / secondsPerCall * 1e-9;
    }

    /** Whether this workload is a limit others are measured against rather than a kernel under test. */
    public boolean isReference() {
        return reference.equals(name);
    }
}
