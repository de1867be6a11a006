package dev.fusedit.tensor;

import dev.fusedit.tensor.autograd.GradMode;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.ops.Reduce;

import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Compares the gradients backward() computes with central finite differences, in double
 * precision (like torch.autograd.gradcheck). The function's output is reduced to a scalar as
 * Σ out·w with fixed random weights w, so every output element's gradient path is exercised.
 */
public final class GradCheck {
    private GradCheck() {}

    public static final double EPS = 1e-6;

    /**
     * Checks f at {@code inputs} (F64 tensors; any non-contiguous views are fine). Inputs that
     * require a gradient are checked. Throws AssertionError naming the input and element on a mismatch.
     */
    public static void check(Function<Tensor[], Tensor> f, Tensor... inputs) {
        check(f, 1e-6, 1e-5, inputs);
    }

    public static void check(Function<Tensor[], Tensor> f, double atol, double rtol, Tensor... inputs) {
        for (Tensor t : inputs) {
            if (t.dtype() != DType.F64) throw new IllegalArgumentException("gradient checks run on F64 inputs, got " + t.dtype());
            t.zeroGrad();
        }
        Tensor out0 = f.apply(inputs);
        Tensor weights = randomLike(out0, 12345);
        Reduce.sum(Pointwise.mul(out0, weights)).backward();

        for (int k = 0; k < inputs.length; k++) {
            Tensor x = inputs[k];
            if (!x.requiresGrad()) continue;
            Tensor analytic = x.grad();
            if (analytic == null) throw new AssertionError("input " + k + " received no gradient");
            double[] an = analytic.toDoubleArray();
            long[] at = new long[(int) x.numel()];
            StridedWalk.forEach(x, (i, a) -> at[(int) i] = a);
            for (int i = 0; i < at.length; i++) {
                double saved = ElementAccess.read(x.segment(), DType.F64, at[i]);
                ElementAccess.write(x.segment(), DType.F64, at[i], saved + EPS);
                double plus = objective(f, inputs, weights);
                ElementAccess.write(x.segment(), DType.F64, at[i], saved - EPS);
                double minus = objective(f, inputs, weights);
                ElementAccess.write(x.segment(), DType.F64, at[i], saved);
                double numeric = (plus - minus) / (2 * EPS);
                if (Math.abs(numeric - an[i]) > atol + rtol * Math.abs(numeric))
                    throw new AssertionError("gradient of input " + k + " " + java.util.Arrays.toString(x.shape()) + " element " + i
                            + ": backward " + an[i] + ", finite difference " + numeric);
            }
        }
    }

    private static double objective(Function<Tensor[], Tensor> f, Tensor[] inputs, Tensor weights) {
        try (GradMode ignored = GradMode.noGrad()) {
            return Reduce.sum(Pointwise.mul(f.apply(inputs), weights)).item();
        }
    }

    /** An F64 tensor of standard-normal values (for test inputs). */
    public static Tensor randomLike(Tensor t, long seed) {
        return random(seed, t.shape());
    }

    public static Tensor random(long seed, int... shape) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] v = new double[(int) Tensor.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = r.nextDouble(-1, 1) + r.nextDouble(-1, 1);
        return Tensor.of(DType.F64, v, shape);
    }
}
