package dev.fusedit.tensor.io;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.MemoryScope;
import dev.fusedit.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Writes named tensors as one safetensors file, atomically: into a temporary file beside the
 * target, flushed to disk, then renamed over it. A crash leaves the old file or the new one,
 * never half of one.
 */
public final class SafeTensorsWriter {
    private SafeTensorsWriter() {}

    public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
        write(file, tensors, Map.of());
    }

    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
        List<Entry> entries = new ArrayList<>();
        tensors.forEach((name, t) -> entries.add(new Entry(name, t.dtype(), t.shape(), () -> t)));
        write(file, entries, metadata);
    }

    /**
     * One tensor to write: its header facts, and a supplier of its values called only when its
     * turn comes (in a memory scope closed right after), so a checkpoint larger than memory can be
     * produced tensor by tensor.
     */
    public record Entry(String name, DType dtype, int[] shape, Supplier<Tensor> values) {}

    public static void write(Path file, List<Entry> tensors, Map<String, String> metadata) throws IOException {
        ObjectNode header = SafeTensorsFile.JSON.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        long offset = 0;
        for (Entry e : tensors) {
            if (e.name().equals("__metadata__")) throw new IllegalArgumentException("a tensor cannot be called __metadata__");
            long bytes = Tensor.numel(e.shape()) * e.dtype().byteSize();
            ObjectNode entry = header.putObject(e.name());
            entry.put("dtype", e.dtype().name());
            var shape = entry.putArray("shape");
            for (int d : e.shape()) shape.add(d);
            entry.putArray("data_offsets").add(offset).add(offset + bytes);
            offset += bytes;
        }
        byte[] json = SafeTensorsFile.JSON.writeValueAsBytes(header);
        int padded = (json.length + 7) / 8 * 8; // keep the data section 8-byte aligned
        ByteBuffer head = ByteBuffer.allocate(8 + padded).order(ByteOrder.LITTLE_ENDIAN);
        head.putLong(padded).put(json);
        while (head.hasRemaining()) head.put((byte) ' ');
        head.flip();

        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "." + file.getFileName() + ".", ".tmp");
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                while (head.hasRemaining()) ch.write(head);
                for (Entry e : tensors) {
                    try (MemoryScope scope = MemoryScope.open()) {
                        Tensor t = e.values().get();
                        if (t.dtype() != e.dtype() || !java.util.Arrays.equals(t.shape(), e.shape()))
                            throw new IllegalArgumentException("tensor '" + e.name() + "' is " + t.dtype() + java.util.Arrays.toString(t.shape())
                                    + ", its entry says " + e.dtype() + java.util.Arrays.toString(e.shape()));
                        writeFully(ch, t.contiguous().data());
                    }
                }
                ch.force(true);
            }
            AtomicFiles.moveAtomically(tmp, file);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(tmp);
            throw e;
        }
    }

    private static void writeFully(FileChannel ch, MemorySegment src) throws IOException {
        final long chunk = 64L << 20;
        for (long at = 0; at < src.byteSize(); at += chunk) {
            ByteBuffer buf = src.asSlice(at, Math.min(chunk, src.byteSize() - at)).asByteBuffer();
            while (buf.hasRemaining()) ch.write(buf);
        }
    }

}
