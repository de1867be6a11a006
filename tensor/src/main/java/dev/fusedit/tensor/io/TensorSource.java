package dev.fusedit.tensor.io;

import dev.fusedit.tensor.Tensor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Named tensors read from disk: one safetensors file, or a sharded checkpoint. Tensors are
 * zero-copy views of memory-mapped files and stay valid until {@link #close()}.
 */
public interface TensorSource extends AutoCloseable {

    /** Every tensor name, in file order. */
    Set<String> names();

    boolean contains(String name);

    /** The tensor called {@code name}; IllegalArgumentException naming the source when absent. */
    Tensor get(String name);

    /** The header of {@code name} without touching its data. */
    TensorInfo info(String name);

    /** Where the tensors come from (for messages). */
    String describe();

    @Override
    void close();

    /**
     * Opens a checkpoint: a .safetensors file, a model.safetensors.index.json, or a folder holding
     * one of {@code model.safetensors}, {@code diffusion_pytorch_model.safetensors} or their sharded index.
     */
    static TensorSource open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            for (String base : new String[] {"model", "diffusion_pytorch_model"}) {
                Path index = path.resolve(base + ".safetensors.index.json");
                if (Files.exists(index)) return ShardedCheckpoint.open(index);
                Path single = path.resolve(base + ".safetensors");
                if (Files.exists(single)) return SafeTensorsFile.open(single);
            }
            throw new FormatException(path, "folder holds no model.safetensors, diffusion_pytorch_model.safetensors or their .index.json");
        }
        if (path.getFileName().toString().endsWith(".index.json")) return ShardedCheckpoint.open(path);
        return SafeTensorsFile.open(path);
    }
}
