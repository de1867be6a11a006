package dev.fusedit.layers;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.SafeTensorsWriter;
import dev.fusedit.tensor.ops.Pointwise;
import dev.fusedit.tensor.random.Rng;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Random weights of a real-size model written as a safetensors file one tensor at a time, so a
 * benchmark can load a model as large as the real one without downloading it: matrices
 * N(0, std²), vectors (norm weights, biases) zero.
 */
public final class SyntheticWeights {
    private SyntheticWeights() {}

    public static long write(Path file, Module model, String prefix, DType dtype, long seed, double std) throws IOException {
        Rng rng = new Rng(seed);
        List<SafeTensorsWriter.Entry> entries = new ArrayList<>();
        long bytes = 0;
        for (Map.Entry<String, Parameter> e : model.namedParameters().entrySet()) {
            int[] shape = e.getValue().shape();
            bytes += Tensor.numel(shape) * dtype.byteSize();
            Rng own = rng.split();
            entries.add(new SafeTensorsWriter.Entry(prefix + e.getKey(), dtype, shape,
                    () -> shape.length == 1 ? Tensor.zeros(dtype, shape) : Pointwise.mul(own.normal(shape), std).to(dtype)));
        }
        SafeTensorsWriter.write(file, entries, Map.of("format", "pt"));
        return bytes;
    }
}
