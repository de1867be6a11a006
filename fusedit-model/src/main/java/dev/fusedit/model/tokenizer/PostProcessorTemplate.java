package dev.fusedit.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.tensor.io.FormatException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The special tokens a tokenizer.json's TemplateProcessing post-processor puts around a single
 * sequence ({@code <bos> $A}, ...): the ids before it and after it. Both tokenizer kinds read it
 * the same way; the ids are checked against the vocabulary, since encode hands them out as is.
 */
record PostProcessorTemplate(int[] prefix, int[] suffix) {

    /** Reads root's "post_processor" (null or absent: no special tokens); ids must be below entries. */
    static PostProcessorTemplate read(Path file, JsonNode root, int entries) throws FormatException {
        List<Integer> pre = new ArrayList<>(), post = new ArrayList<>();
        JsonNode pp = root.path("post_processor");
        if (!pp.isNull() && !pp.isMissingNode()) {
            if (!"TemplateProcessing".equals(pp.path("type").asText()))
                throw new FormatException(file, "post_processor " + pp.path("type").asText() + " is not supported (expected TemplateProcessing)");
            boolean seenSequence = false;
            for (JsonNode item : pp.path("single")) {
                if (item.has("Sequence")) {
                    seenSequence = true;
                    continue;
                }
                String token = item.path("SpecialToken").path("id").asText();
                JsonNode ids = pp.path("special_tokens").path(token).path("ids");
                if (!ids.isArray() || ids.isEmpty()) throw new FormatException(file, "post_processor.special_tokens has no ids for " + token);
                for (JsonNode id : ids)
                    (seenSequence ? post : pre).add(TokenIdCheck.require(file, "post_processor.special_tokens." + token + ".ids", id, entries));
            }
        }
        return new PostProcessorTemplate(pre.stream().mapToInt(Integer::intValue).toArray(), post.stream().mapToInt(Integer::intValue).toArray());
    }
}
