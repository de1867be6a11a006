package dev.fusedit.tensor.autograd;

import dev.fusedit.tensor.Tensor;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BinaryOperator;

/**
 * Reverse-mode differentiation: a walk of the recorded graph in reverse topological order,
 * summing the gradients that reach each tensor, and accumulating into {@code grad} of the
 * leaves that require it. The walk knows graphs, not arithmetic: the caller ({@link Tensor#backward})
 * hands in how two gradients of one tensor are summed, so this package does not depend on the ops
 * that record into it.
 */
public final class Autograd {
    private Autograd() {}

    /** Records {@code output} as made by {@code op} from {@code inputs}, when any input needs a gradient. */
    public static Tensor record(Tensor output, String op, Node.Backward backward, Tensor... inputs) {
        if (!GradMode.isEnabled()) return output;
        for (Tensor input : inputs) {
            if (input != null && input.requiresGrad()) {
                output.attach(new Node(op, inputs, backward));
                return output;
            }
        }
        return output;
    }

    /**
     * Backpropagates {@code gradOutput} (shape of {@code root}) through the graph that made root;
     * where several gradients reach one tensor they are combined with {@code sum}.
     */
    public static void backward(Tensor root, Tensor gradOutput, BinaryOperator<Tensor> sum) {
        if (!root.requiresGrad()) throw new IllegalStateException("backward() on a tensor that does not require a gradient");
        if (!java.util.Arrays.equals(root.shape(), gradOutput.shape()))
            throw new IllegalArgumentException("output gradient has shape " + java.util.Arrays.toString(gradOutput.shape())
                    + ", expected " + java.util.Arrays.toString(root.shape()));
        List<Tensor> order = topologicalOrder(root);
        Map<Tensor, Tensor> grads = new IdentityHashMap<>();
        grads.put(root, gradOutput);
        try (GradMode ignored = GradMode.noGrad()) {
            for (int i = order.size() - 1; i >= 0; i--) {
                Tensor t = order.get(i);
                Tensor g = grads.remove(t);
                if (g == null) continue;
                Node node = t.node();
                if (node == null) {
                    t.accumulateGrad(g);
                    continue;
                }
                Tensor[] inputGrads = node.backward().apply(g);
                Tensor[] inputs = node.inputs();
                for (int k = 0; k < inputs.length; k++) {
                    Tensor input = inputs[k];
                    if (input == null || !input.requiresGrad() || inputGrads[k] == null) continue;
                    Tensor ig = inputGrads[k];
                    if (!java.util.Arrays.equals(ig.shape(), input.shape()))
                        throw new IllegalStateException("backward of " + node.op() + " gave input " + k + " a gradient of shape "
                                + java.util.Arrays.toString(ig.shape()) + " for shape " + java.util.Arrays.toString(input.shape()));
                    Tensor previous = grads.get(input);
                    grads.put(input, previous == null ? ig : sum.apply(previous, ig));
                }
            }
        }
    }

    /** Tensors reachable from root through graph nodes, each after all of its inputs. */
    static List<Tensor> topologicalOrder(Tensor root) {
        List<Tensor> order = new ArrayList<>();
        Map<Tensor, Boolean> seen = new IdentityHashMap<>();
        // Iterative DFS (deep graphs would overflow the stack): frame = tensor + next input index.
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {root, 0});
        seen.put(root, Boolean.TRUE);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor t = (Tensor) frame[0];
            int next = (Integer) frame[1];
            Node node = t.node();
            Tensor[] inputs = node == null ? new Tensor[0] : node.inputs();
            if (next < inputs.length) {
                frame[1] = next + 1;
                Tensor input = inputs[next];
                if (input != null && input.requiresGrad() && seen.put(input, Boolean.TRUE) == null)
                    stack.push(new Object[] {input, 0});
            } else {
                stack.pop();
                order.add(t);
            }
        }
        return order;
    }
}
