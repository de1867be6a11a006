package dev.fusedit.tensor.autograd;

import dev.fusedit.tensor.Tensor;

/**
 * One recorded operation: the tensors it read and how to turn the gradient of its output into
 * gradients of those inputs. {@code backward} returns one gradient per input (null where an
 * input needs none); each must have its input's shape.
 */
public record Node(String op, Tensor[] inputs, Backward backward) {

    @FunctionalInterface
    public interface Backward {
        Tensor[] apply(Tensor gradOutput);
    }
}
