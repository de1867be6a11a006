package dev.fusedit.tensor.io;

import dev.fusedit.tensor.DType;
import dev.fusedit.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SafeTensorsTest {
    @TempDir
    Path dir;

    private static Map<String, Tensor> sample() {
        Map<String, Tensor> m = new LinkedHashMap<>();
        m.put("f32", Tensor.of(new float[] {1.5f, -2, 3, 4, 5, 6}, 2, 3));
        m.put("bf16", Tensor.of(DType.BF16, new double[] {1, -0.5, 3.25}, 3));
        m.put("f16", Tensor.of(DType.F16, new double[] {0.125, 65504}, 2));
        m.put("i64", Tensor.of(DType.I64, new double[] {-7, 1L << 40}, 1, 2));
        m.put("i32", Tensor.of(DType.I32, new double[] {42}, 1));
        m.put("u8", Tensor.of(DType.U8, new double[] {0, 255, 17}, 3));
        m.put("f64", Tensor.of(DType.F64, new double[] {Math.PI}, new int[0]));
        m.put("empty", Tensor.zeros(DType.F32, 0, 4));
        return m;
    }

    @Test
    void roundTripsEveryDtypeShapeAndMetadataThroughMemoryMapping() throws IOException {
        Path f = dir.resolve("m.safetensors");
        Map<String, Tensor> in = sample();
        SafeTensorsWriter.write(f, in, Map.of("format", "pt"));
        try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
            assertThat(st.names()).containsExactlyElementsOf(in.keySet());
            assertThat(st.metadata()).containsEntry("format", "pt");
            for (var e : in.entrySet()) {
                Tensor got = st.get(e.getKey());
                assertThat(got.dtype()).isEqualTo(e.getValue().dtype());
                assertThat(got.shape()).isEqualTo(e.getValue().shape());
                assertThat(got.toDoubleArray()).containsExactly(e.getValue().toDoubleArray());
                assertThat(got.segment().isMapped()).as("zero-copy view of the mapped file").isTrue();
            }
        }
        assertThat(Files.list(dir)).as("no temporary file left behind").containsExactly(f);
    }

    @Test
    void readsShardedCheckpointsThroughTheirIndex() throws IOException {
        SafeTensorsWriter.write(dir.resolve("model-00001-of-00002.safetensors"), Map.of("a", Tensor.of(new float[] {1, 2}, 2)));
        SafeTensorsWriter.write(dir.resolve("model-00002-of-00002.safetensors"), Map.of("b", Tensor.of(new float[] {3}, 1)));
        Files.writeString(dir.resolve("model.safetensors.index.json"),
                "{\"metadata\":{},\"weight_map\":{\"a\":\"model-00001-of-00002.safetensors\",\"b\":\"model-00002-of-00002.safetensors\"}}");
        try (TensorSource src = TensorSource.open(dir)) {
            assertThat(src.names()).containsExactly("a", "b");
            assertThat(src.get("b").toDoubleArray()).containsExactly(3);
        }
        Files.writeString(dir.resolve("model.safetensors.index.json"), "{\"weight_map\":{\"a\":\"missing.safetensors\"}}");
        assertThatThrownBy(() -> TensorSource.open(dir)).isInstanceOf(FormatException.class).hasMessageContaining("missing.safetensors");
    }

    /** Regression of the fuzz campaign: an index that is not UTF-8 escaped as a MalformedInputException. */
    @Test
    void anIndexThatIsNotUtf8TextIsAFormatException() throws IOException {
        Path index = Files.write(dir.resolve("model.safetensors.index.json"), new byte[] {'{', '"', (byte) 0xC3, (byte) 0x28, '"', ':', '1', '}'});
        assertThatThrownBy(() -> TensorSource.open(dir)).isInstanceOf(FormatException.class).hasMessageStartingWith(index + ": not valid JSON");
        // the campaign's 10,000-input run: bytes that Jackson, given bytes, took for UTF-32 (a CharConversionException)
        Files.write(index, new byte[] {'7', 0, 0, 0, 0, 'x', '4', '9', 'e', '1', '-'});
        assertThatThrownBy(() -> TensorSource.open(dir)).isInstanceOf(FormatException.class).hasMessageStartingWith(index + ": not valid JSON");
    }

    /** A file written by PyTorch's safetensors (the parity fixtures): every tensor opens, BF16 included. */
    @Test
    void readsFilesWrittenByPytorch() throws IOException {
        Path fixtures = Path.of("..", "fixtures", "parity");
        try (SafeTensorsFile in = SafeTensorsFile.open(fixtures.resolve("final/inputs.safetensors"))) {
            assertThat(in.metadata()).containsEntry("format", "pt");
            Tensor ids = in.get("input_ids");
            assertThat(ids.dtype()).isEqualTo(DType.I64);
            assertThat(ids.shape()).containsExactly(3, 9);
            assertThat(ids.get(0, 0)).as("BOS").isEqualTo(2);
        }
        try (TensorSource w = TensorSource.open(fixtures.resolve("final-bf16/transformer"))) {
            assertThat(w.names()).isNotEmpty();
            for (String n : w.names()) assertThat(w.get(n).toDoubleArray()).doesNotContain(Double.NaN);
        }
    }

    // ---------------------------------------------------------------- hostile files

    private Path raw(long headerLen, String header, int dataBytes) throws IOException {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(headerLen).put(h);
        Path f = dir.resolve("bad.safetensors");
        Files.write(f, b.array());
        return f;
    }

    private Path withHeader(String header, int dataBytes) throws IOException {
        return raw(header.getBytes(StandardCharsets.UTF_8).length, header, dataBytes);
    }

    private void assertRejected(Path f, String... fragments) {
        assertThatThrownBy(() -> SafeTensorsFile.open(f).close())
                .isInstanceOf(FormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContainingAll(fragments);
    }

    @Test
    void rejectsTruncatedAndAbsurdHeaderLengths() throws IOException {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertRejected(tiny, "shorter than the 8-byte header");
        assertRejected(raw(1000, "{}", 0), "runs past the end");
        assertRejected(raw(Long.MAX_VALUE, "{}", 0), "absurd");
        assertRejected(raw(-5, "{}", 0), "absurd");
    }

    @Test
    void rejectsHeadersThatAreNotJsonObjects() throws IOException {
        assertRejected(withHeader("{\"a\": [1,", 0), "not valid JSON");
        assertRejected(withHeader("[1, 2]", 0), "not a JSON object");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                + "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "Duplicate field 'a'");
    }

    @Test
    void rejectsBadEntries() throws IOException {
        assertRejected(withHeader("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4), "unknown dtype 'Q4'");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,4]}}", 4), "needs 12 bytes");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,400]}}", 4), "outside the data section");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4), "not a non-negative int");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2147483647,2147483647,2147483647],\"data_offsets\":[0,4]}}", 4), "too many elements");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4), "data_offsets must be");
    }

    @Test
    void rejectsOverlapsAndUncoveredBytes() throws IOException {
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "overlaps");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", 8), "bytes 0..4", "belong to no tensor");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}", 12), "bytes 4..12");
    }

    /** Random byte flips, truncations and header edits: the reader opens the file or says why not; nothing else. */
    @Test
    void survivesRandomMutationsOfAValidFile() throws IOException {
        Path good = dir.resolve("good.safetensors");
        SafeTensorsWriter.write(good, sample());
        byte[] original = Files.readAllBytes(good);
        SplittableRandom r = new SplittableRandom(7);
        Path f = dir.resolve("mutant.safetensors");
        int opened = 0, rejected = 0;
        for (int trial = 0; trial < 600; trial++) {
            byte[] b = original.clone();
            switch (trial % 3) {
                case 0 -> { for (int k = 0; k < 1 + r.nextInt(4); k++) b[r.nextInt(b.length)] = (byte) r.nextInt(256); }
                case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
                default -> { int at = 8 + r.nextInt(Math.min(400, b.length - 8)); b[at] = (byte) "0123456789{}[],:\"-".charAt(r.nextInt(18)); }
            }
            Files.write(f, b);
            try (SafeTensorsFile st = SafeTensorsFile.open(f)) {
                for (String n : st.names()) st.get(n).toDoubleArray();
                opened++;
            } catch (FormatException e) {
                assertThat(e.getMessage()).startsWith(f.toString());
                rejected++;
            }
        }
        assertThat(rejected).isGreaterThan(100);
        assertThat(opened + rejected).isEqualTo(600);
    }
}
