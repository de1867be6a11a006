package dev.fusedit.training.progress;

import dev.fusedit.tensor.io.AtomicFiles;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * metrics.jsonl: one JSON object per logged step (step, loss, grad_norm, lr, steps_per_s, ...),
 * flushed line by line so a killed run keeps what it logged. On resume the lines after the
 * checkpoint's step are dropped, so the file reads as one uninterrupted run.
 */
public final class MetricsLog implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final Path file;
    private final BufferedWriter out;

    private MetricsLog(Path file) throws IOException {
        this.file = file;
        this.out = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    /** Opens (creating) the log, first cutting it back to the lines with step <= keepUpTo. */
    public static MetricsLog open(Path file, long keepUpTo) throws IOException {
        if (Files.exists(file)) {
            List<String> kept = new ArrayList<>();
            for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
                if (line.isBlank()) continue;
                try {
                    if (JSON.readTree(line).path("step").asLong(Long.MAX_VALUE) <= keepUpTo) kept.add(line);
                } catch (IOException torn) {
                    // a line cut off by a kill: drop it
                }
            }
            AtomicFiles.write(file, tmp -> Files.write(tmp, kept, StandardCharsets.UTF_8));
        }
        return new MetricsLog(file);
    }

    public ObjectNode newRecord(long step) {
        ObjectNode n = JSON.createObjectNode();
        n.put("step", step);
        return n;
    }

    public void write(ObjectNode record) throws IOException {
        out.write(JSON.writeValueAsString(record));
        out.write('\n');
        out.flush();
    }

    /** Every record in the file (for plots and tests). */
    public static List<JsonNode> read(Path file) throws IOException {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.exists(file)) return out;
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) if (!line.isBlank()) out.add(JSON.readTree(line));
        return out;
    }

    public Path file() {
        return file;
    }

    @Override
    public void close() throws IOException {
        out.close();
    }
}
