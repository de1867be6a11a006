package dev.fusedit.server;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.fusedit.model.pipeline.SampleOptions;

import java.security.SecureRandom;
import java.util.Iterator;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A checked {@code POST /v1/images/generations} body: OpenAI's images API fields ({@code prompt},
 * {@code n}, {@code size} "WxH", {@code response_format} b64_json or url, {@code model},
 * {@code user}) and ours ({@code seed}, {@code steps}, {@code guidance}, {@code negative_prompt},
 * {@code stream}). Image k starts from the noise of seed + k, as {@code fusedit sample --seed}
 * numbers them, so the same seed gives the same pixels here, on the command line and in the library.
 */
public record GenerationRequest(String prompt, int n, SamplingSettings settings, long seed, ResponseFormat responseFormat, boolean stream) {

    public enum ResponseFormat { B64_JSON, URL }

    /** Bodies larger than this are refused before they are parsed. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    static final int MAX_PROMPT_CHARS = 2000;
    static final double MAX_GUIDANCE = 100;
    static final int MAX_SCALE = 4;

    private static final Set<String> FIELDS = Set.of("prompt", "n", "size", "response_format", "model", "user",
            "seed", "steps", "guidance", "negative_prompt", "stream");
    private static final Pattern SIZE = Pattern.compile("(\\d{1,5})x(\\d{1,5})");
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION).build();
    private static final SecureRandom SEEDS = new SecureRandom();

    /** The seed of image k. */
    public long seedOf(int k) {
        return seed + k;
    }

    /** Reads and checks a request body; throws {@link BadRequestException} naming the field at fault. */
    public static GenerationRequest parse(byte[] body, ServedModel model, ServerOptions limits) {
        if (body.length > MAX_BODY_BYTES)
            throw new BadRequestException(null, "the request body is " + body.length + " bytes; at most " + MAX_BODY_BYTES + " are accepted");
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            throw new BadRequestException(null, "the request body is not JSON: " + e.getOriginalMessage());
        } catch (java.io.IOException e) {
            throw new BadRequestException(null, "the request body could not be read: " + e.getMessage());
        }
        if (root == null || !root.isObject()) throw new BadRequestException(null, "the request body must be a JSON object");
        for (Iterator<String> names = root.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!FIELDS.contains(name)) throw new BadRequestException(name, "unknown field '" + name + "'; the fields are " + String.join(", ", FIELDS.stream().sorted().toList()));
        }
        String prompt = text(root, "prompt", null);
        if (prompt == null || prompt.isBlank()) throw new BadRequestException("prompt", "prompt is required and must not be empty");
        if (prompt.length() > MAX_PROMPT_CHARS) throw new BadRequestException("prompt", "prompt is " + prompt.length() + " characters; at most " + MAX_PROMPT_CHARS);
        String modelName = text(root, "model", null);
        if (modelName != null && !modelName.equals(model.id()))
            throw new BadRequestException("model", "this server serves '" + model.id() + "', not '" + modelName + "'");
        text(root, "user", null);
        int n = (int) integer(root, "n", 1, 1, limits.maxImages());
        int[] size = size(root, model, limits);
        int steps = (int) integer(root, "steps", SampleOptions.DEFAULT_STEPS, 1, limits.maxSteps());
        double guidance = number(root, "guidance", model.defaultGuidance());
        String negative = text(root, "negative_prompt", "");
        if (negative.length() > MAX_PROMPT_CHARS) throw new BadRequestException("negative_prompt", "negative_prompt is " + negative.length() + " characters; at most " + MAX_PROMPT_CHARS);
        // a random seed leaves room for n consecutive seeds and is returned with each image
        long seed = root.has("seed") ? integer(root, "seed", 0, Long.MIN_VALUE, Long.MAX_VALUE - limits.maxImages())
                : SEEDS.nextLong(0, 1L << 53);
        String format = text(root, "response_format", "b64_json");
        ResponseFormat responseFormat = switch (format) {
            case "b64_json" -> ResponseFormat.B64_JSON;
            case "url" -> ResponseFormat.URL;
            default -> throw new BadRequestException("response_format", "response_format must be \"b64_json\" or \"url\", got \"" + format + "\"");
        };
        boolean stream = bool(root, "stream", false);
        return new GenerationRequest(prompt, n, new SamplingSettings(size[0], size[1], steps, guidance, negative), seed, responseFormat, stream);
    }

    private static int[] size(JsonNode root, ServedModel model, ServerOptions limits) {
        String given = text(root, "size", null);
        if (given == null) return new int[] {model.defaultSize(), model.defaultSize()};
        Matcher m = SIZE.matcher(given);
        if (!m.matches()) throw new BadRequestException("size", "size must be \"WIDTHxHEIGHT\" in pixels, e.g. \"" + model.defaultSize() + "x" + model.defaultSize() + "\", got \"" + given + "\"");
        int w = Integer.parseInt(m.group(1)), h = Integer.parseInt(m.group(2));
        int maxSide = maxSide(model, limits);
        if (w > maxSide || h > maxSide)
            throw new BadRequestException("size", "size " + given + " is larger than this server makes (at most " + maxSide + " a side)");
        try {
            model.checkSize(h, w);
        } catch (IllegalArgumentException e) {
            throw new BadRequestException("size", "size " + given + ": " + e.getMessage());
        }
        return new int[] {w, h};
    }

    /**
     * The largest side served: the server's limit, and at most 4x the model's own size (16x its
     * tokens), since attention grows with the square of the tokens and a model is not trained far
     * from its size anyway.
     */
    static int maxSide(ServedModel model, ServerOptions limits) {
        return Math.min(limits.maxSide(), MAX_SCALE * model.defaultSize());
    }

    private static String text(JsonNode root, String field, String absent) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return absent;
        if (!v.isTextual()) throw new BadRequestException(field, field + " must be a string, got " + kind(v));
        return v.asText();
    }

    private static long integer(JsonNode root, String field, long absent, long min, long max) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return absent;
        if (!v.isIntegralNumber() || !v.canConvertToLong()) throw new BadRequestException(field, field + " must be an integer, got " + kind(v));
        long x = v.asLong();
        if (x < min || x > max) throw new BadRequestException(field, field + " must be between " + min + " and " + max + ", got " + x);
        return x;
    }

    private static double number(JsonNode root, String field, double absent) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return absent;
        if (!v.isNumber()) throw new BadRequestException(field, field + " must be a number, got " + kind(v));
        double x = v.asDouble();
        if (!Double.isFinite(x) || x < 0 || x > MAX_GUIDANCE)
            throw new BadRequestException(field, field + " must be between 0 and " + (int) MAX_GUIDANCE + ", got " + v.asText());
        return x;
    }

    private static boolean bool(JsonNode root, String field, boolean absent) {
        JsonNode v = root.get(field);
        if (v == null || v.isNull()) return absent;
        if (!v.isBoolean()) throw new BadRequestException(field, field + " must be true or false, got " + kind(v));
        return v.asBoolean();
    }

    private static String kind(JsonNode v) {
        return v.isTextual() ? "the string \"" + abbreviate(v.asText()) + "\"" : v.getNodeType().name().toLowerCase(java.util.Locale.ROOT) + " " + abbreviate(v.toString());
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
