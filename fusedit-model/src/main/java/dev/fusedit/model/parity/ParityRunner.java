package dev.fusedit.model.parity;

import dev.fusedit.tensor.Tensor;
import dev.fusedit.tensor.io.SafeTensorsFile;
import dev.fusedit.tensor.io.SafeTensorsWriter;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Computes what a parity case's expected.safetensors names, by the case's kind, and compares.
 * This is how anyone porting weights checks our numbers against a PyTorch dump.
 */
public final class ParityRunner {
    private ParityRunner() {}

    /** Every tensor the case expects, computed by this implementation. */
    public static Map<String, Tensor> run(ParityCase c) throws IOException {
        Map<String, Tensor> all = switch (c.kind()) {
            case "llm" -> LlmCase.compute(c);
            case "fusedit", "dit" -> DiffusionCase.compute(c);
            case "vae" -> VaeCase.compute(c);
            case "sampling" -> SamplingCase.compute(c);
            default -> throw new IOException(c.dir().resolve("meta.json") + ": kind '" + c.kind()
                    + "' is not supported by this parity runner (supported: llm, fusedit, dit, vae, sampling)");
        };
        Map<String, Tensor> wanted = new LinkedHashMap<>();
        for (String name : c.expectedNames()) {
            Tensor t = all.get(name);
            if (t == null) throw new IOException(c.name() + ": the runner computed no tensor '" + name + "'");
            wanted.put(name, t);
        }
        return wanted;
    }

    /** Runs the case and writes the tensors (atomically) under the expected names. */
    public static Map<String, Tensor> runTo(ParityCase c, Path out) throws IOException {
        Map<String, Tensor> got = run(c);
        SafeTensorsWriter.write(out, got);
        return got;
    }

    /** Runs the case and compares every tensor with its tolerance. */
    public static List<ParityResult> check(ParityCase c) throws IOException {
        Map<String, Tensor> got = run(c);
        List<ParityResult> results = new ArrayList<>();
        try (SafeTensorsFile want = c.expected()) {
            for (Map.Entry<String, Tensor> e : got.entrySet())
                results.add(ParityResult.compare(e.getKey(), e.getValue(), want.get(e.getKey()), c.tolerance(e.getKey())));
        }
        return results;
    }
}
