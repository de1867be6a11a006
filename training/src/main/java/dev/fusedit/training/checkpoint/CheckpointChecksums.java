package dev.fusedit.training.checkpoint;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.fusedit.tensor.io.FormatException;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import java.util.zip.CRC32C;

/**
 * CRC-32C of every file of a checkpoint, kept in its trainer/state.json, so a flipped byte in
 * the weights (a bad disk, a copy cut short) is refused on resume, naming the file, instead of
 * training on from silently damaged values. CRC-32C rather than a cryptographic hash: it catches
 * every burst of up to 32 flipped bits and runs at memory speed on the JDK's intrinsic, and the
 * threat here is damage, not forgery.
 */
public final class CheckpointChecksums {
    private CheckpointChecksums() {}

    /** The state file that holds the sums is the one file not summed. */
    public static final String STATE_FILE = "trainer/state.json";

    /** Sums of every regular file under {@code checkpoint}, keyed by its path relative to it ('/' separated). */
    public static ObjectNode compute(Path checkpoint) throws IOException {
        Map<String, String> sums = new TreeMap<>();
        for (Path file : files(checkpoint)) {
            String key = key(checkpoint, file);
            if (!key.equals(STATE_FILE)) sums.put(key, crc(file));
        }
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        sums.forEach(node::put);
        return node;
    }

    /**
     * Checks every file the state lists against its sum. A state without sums (written before
     * they were recorded) passes; {@code stateFile} names where the sums came from.
     */
    public static void verify(Path checkpoint, JsonNode sums, Path stateFile) throws IOException {
        if (sums == null || sums.isMissingNode() || sums.isNull()) return;
        if (!sums.isObject()) throw new FormatException(stateFile, "checksums: expected an object of file: crc32c");
        for (Map.Entry<String, JsonNode> e : sums.properties()) {
            Path file = inside(checkpoint, e.getKey(), stateFile);
            if (!Files.isRegularFile(file))
                throw new FormatException(file, "missing from the checkpoint (" + stateFile + " lists it); the checkpoint is damaged, resume from an earlier one");
            String actual = crc(file);
            if (!actual.equals(e.getValue().asText()))
                throw new FormatException(file, "checksum mismatch (crc32c " + actual + ", " + stateFile + " recorded " + e.getValue().asText()
                        + "): the file was damaged after it was written; resume from an earlier checkpoint");
        }
    }

    /** A listed name may not lead out of the checkpoint (the state file is read from untrusted copies too). */
    private static Path inside(Path checkpoint, String name, Path stateFile) throws IOException {
        Path root = checkpoint.toAbsolutePath().normalize();
        Path file = root.resolve(name).normalize();
        if (name.isEmpty() || Path.of(name).isAbsolute() || !file.startsWith(root) || file.equals(root))
            throw new FormatException(stateFile, "checksums: '" + name + "' is not a file inside the checkpoint");
        return file;
    }

    private static List<Path> files(Path checkpoint) throws IOException {
        try (Stream<Path> walk = Files.walk(checkpoint)) {
            return walk.filter(p -> Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)).sorted().toList();
        }
    }

    private static String key(Path checkpoint, Path file) {
        return checkpoint.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/");
    }

    static String crc(Path file) throws IOException {
        CRC32C crc = new CRC32C();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) crc.update(buf, 0, n);
        }
        return String.format("%08x", crc.getValue());
    }
}
