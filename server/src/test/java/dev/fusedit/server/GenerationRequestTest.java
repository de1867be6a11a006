package dev.fusedit.server;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GenerationRequestTest {
    private static ServedModel model;
    private static final ServerOptions LIMITS = ServerOptions.defaults();

    @BeforeAll
    static void load() {
        model = BundledModel.load();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationRequest parse(String json) {
        return GenerationRequest.parse(json.getBytes(StandardCharsets.UTF_8), model, LIMITS);
    }

    @Test
    void readsOpenAiFieldsAndOurs() {
        GenerationRequest r = parse("""
                {"prompt": "a red circle", "n": 3, "size": "64x32", "response_format": "url", "model": "shapes-tiny", "user": "x",
                 "seed": 7, "steps": 9, "guidance": 3.5, "negative_prompt": "blue", "stream": true}""");
        assertThat(r.prompt()).isEqualTo("a red circle");
        assertThat(r.n()).isEqualTo(3);
        assertThat(r.settings()).isEqualTo(new SamplingSettings(64, 32, 9, 3.5, "blue"));
        assertThat(r.seedOf(0)).isEqualTo(7);
        assertThat(r.seedOf(2)).isEqualTo(9);
        assertThat(r.responseFormat()).isEqualTo(GenerationRequest.ResponseFormat.URL);
        assertThat(r.stream()).isTrue();
    }

    @Test
    void defaultsAreTheLibrarysAndTheModelsSizeAndGuidance() {
        GenerationRequest r = parse("{\"prompt\": \"a square\"}");
        assertThat(r.n()).isEqualTo(1);
        // the bundled folder's model_index.json names the guidance it samples best at (3, not the paper's 6)
        assertThat(r.settings()).isEqualTo(new SamplingSettings(32, 32, 25, 3.0, ""));
        assertThat(r.responseFormat()).isEqualTo(GenerationRequest.ResponseFormat.B64_JSON);
        assertThat(r.stream()).isFalse();
        // no seed: a random one, different between requests (returned with each image)
        assertThat(parse("{\"prompt\": \"a square\"}").seed()).isNotEqualTo(r.seed());
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "missing prompt          | {\"n\": 1}                                       | prompt          | prompt is required",
            "empty prompt            | {\"prompt\": \"  \"}                              | prompt          | must not be empty",
            "prompt not a string     | {\"prompt\": 5}                                   | prompt          | must be a string",
            "n above the limit       | {\"prompt\": \"a\", \"n\": 11}                    | n               | between 1 and 10",
            "n zero                  | {\"prompt\": \"a\", \"n\": 0}                     | n               | between 1 and 10",
            "n fractional            | {\"prompt\": \"a\", \"n\": 1.5}                   | n               | must be an integer",
            "size not WxH            | {\"prompt\": \"a\", \"size\": \"big\"}            | size            | WIDTHxHEIGHT",
            "size off the grid       | {\"prompt\": \"a\", \"size\": \"30x32\"}           | size            | multiples of 4",
            "size too large          | {\"prompt\": \"a\", \"size\": \"256x256\"}         | size            | at most 128 a side",
            "steps zero              | {\"prompt\": \"a\", \"steps\": 0}                 | steps           | between 1 and 200",
            "guidance negative       | {\"prompt\": \"a\", \"guidance\": -1}             | guidance        | between 0 and 100",
            "guidance a string       | {\"prompt\": \"a\", \"guidance\": \"6\"}          | guidance        | must be a number",
            "seed fractional         | {\"prompt\": \"a\", \"seed\": 0.5}                | seed            | must be an integer",
            "bad response_format     | {\"prompt\": \"a\", \"response_format\": \"jpg\"} | response_format | b64_json",
            "another model           | {\"prompt\": \"a\", \"model\": \"dall-e-3\"}      | model           | serves 'shapes-tiny'",
            "stream not a boolean    | {\"prompt\": \"a\", \"stream\": \"yes\"}          | stream          | true or false",
            "unknown field           | {\"prompt\": \"a\", \"quality\": \"hd\"}          | quality         | unknown field 'quality'",
    })
    void refusesBadFieldsNamingThem(String what, String json, String field, String message) {
        assertThatThrownBy(() -> parse(json)).isInstanceOf(BadRequestException.class).hasMessageContaining(message)
                .extracting(e -> ((BadRequestException) e).param()).isEqualTo(field);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "not JSON          | prompt=a red circle | not JSON",
            "truncated JSON    | {\"prompt\": \"a\"   | not JSON",
            "an array          | [1, 2]             | JSON object",
            "duplicate field   | {\"prompt\": \"a\", \"prompt\": \"b\"} | not JSON",
    })
    void refusesBodiesThatAreNotOneJsonObject(String what, String body, String message) {
        assertThatThrownBy(() -> parse(body)).isInstanceOf(BadRequestException.class).hasMessageContaining(message)
                .extracting(e -> ((BadRequestException) e).param()).isNull();
    }

    @Test
    void refusesBodiesOverTheLimit() {
        String big = "{\"prompt\": \"" + "a".repeat(GenerationRequest.MAX_BODY_BYTES) + "\"}";
        assertThatThrownBy(() -> parse(big)).isInstanceOf(BadRequestException.class).hasMessageContaining("at most 65536");
    }
}
