package com.fulcrumscim.scim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reads a request body as JSON: content type checked, size capped while reading (not trusted
 * from Content-Length alone), parse errors turned into 400 invalidSyntax with where it broke.
 */
final class RequestBodies {
  private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");

  private final ObjectMapper json;
  private final long maxBytes;

  RequestBodies(ObjectMapper json, long maxBytes) {
    this.json = json;
    this.maxBytes = maxBytes;
  }

  JsonNode read(String contentType, String contentLength, InputStream in) {
    requireJson(contentType);
    if (contentLength != null && DIGITS.matcher(contentLength.strip()).matches()
        && Long.parseLong(contentLength.strip()) > maxBytes) {
      throw tooLarge();
    }
    byte[] bytes = readCapped(in);
    if (bytes.length == 0) {
      throw ScimException.invalidSyntax("the request body is empty; a JSON object was expected");
    }
    try {
      return json.readTree(bytes);
    } catch (StreamConstraintsException e) {
      throw ScimException.invalidSyntax("the request body is nested deeper than " + ScimJson.MAX_NESTING + " levels");
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column "
          + e.getLocation().getColumnNr();
      throw ScimException.invalidSyntax("the request body is not valid JSON" + where + ": " + e.getOriginalMessage());
    } catch (IOException e) {
      throw ScimException.invalidSyntax("the request body could not be read: " + e.getMessage());
    }
  }

  /** Both SCIM media types, any parameters; a missing Content-Type is tolerated (some clients omit it). */
  private static void requireJson(String contentType) {
    if (contentType == null || contentType.isBlank()) {
      return;
    }
    String type = contentType.split(";", 2)[0].strip().toLowerCase(Locale.ROOT);
    if (!type.equals("application/scim+json") && !type.equals("application/json")) {
      throw new ScimException(415, null, "Content-Type " + type + " is not supported; send application/scim+json or application/json");
    }
  }

  private byte[] readCapped(InputStream in) {
    try {
      byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
      if (bytes.length > maxBytes) {
        throw tooLarge();
      }
      return bytes;
    } catch (IOException e) {
      throw ScimException.invalidSyntax("the request body could not be read: " + e.getMessage());
    }
  }

  private ScimException tooLarge() {
    return new ScimException(413, null, "the request body is larger than server.max_body_bytes (" + maxBytes + " bytes)");
  }
}
