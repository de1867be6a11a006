package dev.fusedit.model.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import dev.fusedit.tensor.io.FormatException;

import java.nio.file.Path;

/**
 * A token id read from a tokenizer.json, checked before it sizes or indexes the id-to-piece
 * table: tokenizers number their tokens 0..n-1, so an id at or above the number of entries the
 * file holds is a lie that would otherwise allocate a table of that size (or index out of it).
 */
final class TokenIdCheck {
    private TokenIdCheck() {}

    static int require(Path file, String field, JsonNode value, int entries) throws FormatException {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToInt() || value.asInt() < 0 || value.asInt() >= entries)
            throw new FormatException(file, field + ": expected a token id from 0 to " + (entries - 1)
                    + " (the file holds " + entries + " entries), got " + value);
        return value.asInt();
    }
}
