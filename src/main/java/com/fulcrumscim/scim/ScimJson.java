package com.fulcrumscim.scim;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.schema.ScimSchemas;

/** JSON as the SCIM endpoint reads and writes it. */
public final class ScimJson {
  public static final String MEDIA_TYPE = "application/scim+json; charset=utf-8";
  /** Deeper than any SCIM resource needs; stops stack-eating bodies at the parser. */
  static final int MAX_NESTING = 32;
  /** Digits (and sign, point, exponent) in one number: Jackson's own default, named here for the error. */
  static final int MAX_NUMBER_LENGTH = 1000;

  private ScimJson() {}

  /**
   * A mapper that rejects duplicate keys, nesting deeper than {@value #MAX_NESTING}, numbers longer
   * than {@value #MAX_NUMBER_LENGTH} characters, and anything
   * after the JSON value ({@code {...}}}} is malformed, not a resource with noise after it).
   * A number with a fraction or an exponent is read as the decimal sent, not a double, and kept as
   * sent ({@code 100.0} stays {@code 100.0}): a custom extension's {@code 0.12345678901234567890123}
   * was stored, echoed and compared as {@code 0.12345678901234568}. The core schemas hold no such
   * number.
   */
  public static ObjectMapper newMapper() {
    JsonFactory factory = JsonFactory.builder()
        .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING)
            .maxNumberLength(MAX_NUMBER_LENGTH).build())
        .build();
    return new ObjectMapper(factory).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
        .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);
  }

  /** The RFC 7644 §3.12 body; {@code status} is a string as the RFC and Entra want it. */
  public static ObjectNode errorBody(ObjectMapper json, ScimException e) {
    ObjectNode body = json.createObjectNode();
    body.putArray("schemas").add(ScimSchemas.ERROR);
    if (e.scimType() != null) {
      body.put("scimType", e.scimType());
    }
    body.put("detail", e.detail());
    body.put("status", Integer.toString(e.status()));
    return body;
  }
}
