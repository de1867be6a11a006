package dev.fusedit.tensor.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.tensor.Tensor;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint split over several safetensors files, described by a
 * {@code *.safetensors.index.json} whose {@code weight_map} names the shard of every tensor.
 */
public final class ShardedCheckpoint implements TensorSource {
    private final Path index;
    private final Map<String, SafeTensorsFile> shardOf;
    private final Map<String, SafeTensorsFile> shards;

    private ShardedCheckpoint(Path index, Map<String, SafeTensorsFile> shardOf, Map<String, SafeTensorsFile> shards) {
        this.index = index;
        this.shardOf = shardOf;
        this.shards = shards;
    }

    public static ShardedCheckpoint open(Path index) throws IOException {
        JsonNode root;
        try {
            root = SafeTensorsFile.JSON.readTree(Files.readString(index));
        } catch (CharacterCodingException e) {
            // decoded strictly as UTF-8 here: bytes handed to Jackson would be guessed as UTF-32 and fail outside its exceptions
            throw new FormatException(index, "not valid JSON (not UTF-8 text)");
        } catch (JacksonException e) {
            throw new FormatException(index, "not valid JSON: " + e.getOriginalMessage());
        }
        JsonNode map = root == null ? null : root.get("weight_map");
        if (map == null || !map.isObject()) throw new FormatException(index, "missing the weight_map object");
        Map<String, SafeTensorsFile> shards = new LinkedHashMap<>();
        Map<String, SafeTensorsFile> shardOf = new LinkedHashMap<>();
        try {
            for (Map.Entry<String, JsonNode> e : map.properties()) {
                if (!e.getValue().isTextual()) throw new FormatException(index, "weight_map." + e.getKey() + " is not a file name");
                String shardName = e.getValue().asText();
                Path shardPath = FolderBounds.resolveInside(index.toAbsolutePath().getParent(), shardName, index, "weight_map." + e.getKey());
                SafeTensorsFile shard = shards.get(shardName);
                if (shard == null) {
                    if (!Files.exists(shardPath)) throw new FormatException(index, "shard " + shardName + " (for " + e.getKey() + ") does not exist");
                    shard = SafeTensorsFile.open(shardPath);
                    shards.put(shardName, shard);
                }
                if (!shard.contains(e.getKey())) throw new FormatException(index, "shard " + shardName + " has no tensor '" + e.getKey() + "'");
                shardOf.put(e.getKey(), shard);
            }
        } catch (IOException | RuntimeException e) {
            shards.values().forEach(SafeTensorsFile::close);
            throw e;
        }
        return new ShardedCheckpoint(index, shardOf, shards);
    }

    @Override
    public Set<String> names() {
        return Collections.unmodifiableSet(shardOf.keySet());
    }

    @Override
    public boolean contains(String name) {
        return shardOf.containsKey(name);
    }

    private SafeTensorsFile shard(String name) {
        SafeTensorsFile s = shardOf.get(name);
        if (s == null) throw new IllegalArgumentException(index + " has no tensor '" + name + "'");
        return s;
    }

    @Override
    public Tensor get(String name) {
        return shard(name).get(name);
    }

    @Override
    public TensorInfo info(String name) {
        return shard(name).info(name);
    }

    @Override
    public String describe() {
        return index + " (" + shards.size() + " shards)";
    }

    @Override
    public void close() {
        shards.values().forEach(SafeTensorsFile::close);
    }
}
