package dev.fusedit.tensor.io;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Storage;
import dev.fusedit.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A memory-mapped safetensors file: an 8-byte little-endian header length, a JSON header
 * {@code {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {...}}}, then the data.
 * Every header fact is checked before any tensor is handed out, so a damaged or hostile file
 * fails with one message naming the file and the problem.
 */
public final class SafeTensorsFile implements TensorSource {
    /** Headers larger than this are refused rather than parsed (real ones are a few MB at most). */
    static final long MAX_HEADER_BYTES = 100L << 20;

    static final ObjectMapper JSON = JsonMapper.builder().enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();

    private final Path file;
    private final Arena arena;
    private final MemorySegment data;
    private final Map<String, TensorInfo> entries;
    private final Map<String, String> metadata;

    private SafeTensorsFile(Path file, Arena arena, MemorySegment data, Map<String, TensorInfo> entries, Map<String, String> metadata) {
        this.file = file;
        this.arena = arena;
        this.data = data;
        this.entries = entries;
        this.metadata = metadata;
    }

    public static SafeTensorsFile open(Path file) throws IOException {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long size = ch.size();
            if (size < 8) throw new FormatException(file, "file is " + size + " bytes, shorter than the 8-byte header length");
            MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            long headerLen = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            if (headerLen < 0 || headerLen > MAX_HEADER_BYTES)
                throw new FormatException(file, "header length " + Long.toUnsignedString(headerLen) + " is absurd (limit " + MAX_HEADER_BYTES + " bytes)");
            if (headerLen > size - 8)
                throw new FormatException(file, "header length " + headerLen + " runs past the end of the file (" + size + " bytes)");
            byte[] header = all.asSlice(8, headerLen).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment data = all.asSlice(8 + headerLen);
            Map<String, String> metadata = new LinkedHashMap<>();
            Map<String, TensorInfo> entries = parseHeader(file, header, data.byteSize(), metadata);
            return new SafeTensorsFile(file, arena, data, entries, metadata);
        } catch (IOException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    static Map<String, TensorInfo> parseHeader(Path file, byte[] header, long dataBytes, Map<String, String> metadata) throws FormatException {
        JsonNode root;
        try {
            String text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(header)).toString();
            root = JSON.readTree(text);
        } catch (CharacterCodingException e) {
            throw new FormatException(file, "header is not UTF-8 text");
        } catch (JacksonException e) {
            throw new FormatException(file, "header is not valid JSON: " + e.getOriginalMessage());
        }
        if (root == null || !root.isObject()) throw new FormatException(file, "header is not a JSON object");

        Map<String, TensorInfo> entries = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = root.properties().iterator(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String name = e.getKey();
            JsonNode node = e.getValue();
            if (name.equals("__metadata__")) {
                if (!node.isObject()) throw new FormatException(file, "__metadata__ is not an object of strings");
                for (Map.Entry<String, JsonNode> m : node.properties()) {
                    if (!m.getValue().isTextual()) throw new FormatException(file, "__metadata__." + m.getKey() + " is not a string");
                    metadata.put(m.getKey(), m.getValue().asText());
                }
                continue;
            }
            entries.put(name, parseEntry(file, name, node, dataBytes));
        }
        checkCoverage(file, entries, dataBytes);
        return Collections.unmodifiableMap(entries);
    }

    private static TensorInfo parseEntry(Path file, String name, JsonNode node, long dataBytes) throws FormatException {
        String where = "tensor '" + name + "'";
        if (!node.isObject()) throw new FormatException(file, where + ": entry is not an object");
        JsonNode dt = node.get("dtype"), sh = node.get("shape"), off = node.get("data_offsets");
        if (dt == null || !dt.isTextual()) throw new FormatException(file, where + ": missing dtype");
        DType dtype = dtypeOf(dt.asText());
        if (dtype == null) throw new FormatException(file, where + ": unknown dtype '" + dt.asText() + "' (expected F64, F32, BF16, F16, I64, I32 or U8)");
        if (sh == null || !sh.isArray()) throw new FormatException(file, where + ": missing shape array");
        int[] shape = new int[sh.size()];
        long numel = 1;
        for (int d = 0; d < shape.length; d++) {
            JsonNode v = sh.get(d);
            if (!v.canConvertToLong() || !v.isIntegralNumber() || v.asLong() < 0 || v.asLong() > Integer.MAX_VALUE)
                throw new FormatException(file, where + ": shape " + sh + " has a dimension that is not a non-negative int");
            shape[d] = (int) v.asLong();
            numel = multiplyOrOverflow(numel, shape[d]);
            if (numel < 0) throw new FormatException(file, where + ": shape " + sh + " has too many elements");
        }
        if (off == null || !off.isArray() || off.size() != 2 || !off.get(0).isIntegralNumber() || !off.get(1).isIntegralNumber())
            throw new FormatException(file, where + ": data_offsets must be [begin, end]");
        long begin = off.get(0).asLong(), end = off.get(1).asLong();
        if (!off.get(0).canConvertToLong() || !off.get(1).canConvertToLong() || begin < 0 || end < begin || end > dataBytes)
            throw new FormatException(file, where + ": data_offsets " + off + " lie outside the data section of " + dataBytes + " bytes");
        long expected = multiplyOrOverflow(numel, dtype.byteSize());
        if (expected != end - begin)
            throw new FormatException(file, where + ": " + dtype + " " + sh + " needs " + expected + " bytes but data_offsets give " + (end - begin));
        return new TensorInfo(name, dtype, shape, begin, end);
    }

    private static long multiplyOrOverflow(long a, long b) {
        try {
            return Math.multiplyExact(a, b);
        } catch (ArithmeticException e) {
            return -1;
        }
    }

    /** Tensors must not overlap and must cover the data section exactly (no bytes that belong to nothing). */
    private static void checkCoverage(Path file, Map<String, TensorInfo> entries, long dataBytes) throws FormatException {
        List<TensorInfo> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingLong(TensorInfo::begin).thenComparingLong(TensorInfo::end));
        long covered = 0;
        for (TensorInfo t : sorted) {
            if (t.byteSize() == 0) continue;
            if (t.begin() < covered)
                throw new FormatException(file, "tensor '" + t.name() + "' (bytes " + t.begin() + ".." + t.end() + ") overlaps another tensor");
            if (t.begin() > covered)
                throw new FormatException(file, "bytes " + covered + ".." + t.begin() + " of the data section belong to no tensor");
            covered = t.end();
        }
        if (covered != dataBytes)
            throw new FormatException(file, "bytes " + covered + ".." + dataBytes + " of the data section belong to no tensor");
    }

    static DType dtypeOf(String name) {
        return switch (name) {
            case "F64" -> DType.F64;
            case "F32" -> DType.F32;
            case "BF16" -> DType.BF16;
            case "F16" -> DType.F16;
            case "I64" -> DType.I64;
            case "I32" -> DType.I32;
            case "U8" -> DType.U8;
            default -> null;
        };
    }

    public Path file() {
        return file;
    }

    public Map<String, String> metadata() {
        return Collections.unmodifiableMap(metadata);
    }

    @Override
    public Set<String> names() {
        return entries.keySet();
    }

    @Override
    public boolean contains(String name) {
        return entries.containsKey(name);
    }

    @Override
    public TensorInfo info(String name) {
        TensorInfo info = entries.get(name);
        if (info == null) throw new IllegalArgumentException(file + " has no tensor '" + name + "'");
        return info;
    }

    @Override
    public Tensor get(String name) {
        TensorInfo info = info(name);
        MemorySegment bytes = data.asSlice(info.begin(), info.byteSize());
        return new Tensor(new Storage(bytes, null), info.dtype(), info.shape(), Tensor.contiguousStrides(info.shape()), 0);
    }

    @Override
    public String describe() {
        return file.toString();
    }

    /** Unmaps the file; tensors from it must not be used afterwards. */
    @Override
    public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
