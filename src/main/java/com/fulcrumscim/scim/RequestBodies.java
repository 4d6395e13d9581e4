package com.fulcrumscim.scim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.scim.schema.InputLimits;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Reads a request body as JSON: content type checked, size capped while reading (not trusted
 * from Content-Length alone), parse errors turned into 400 invalidSyntax with where it broke.
 * Slow senders are bounded twice: a body must arrive within the read deadline (408), and only so
 * many bodies are read at once (503), so clients trickling bytes cannot hold every server thread.
 * A body read whole is refused 400 only: any other status refuses one whose content was not read
 * or not kept (a user's change so refused is logged as such, see ResourceEndpoints).
 */
final class RequestBodies {
  private static final Pattern DIGITS = Pattern.compile("\\d{1,18}");
  /** Jackson's location in a message: {@code [Source: REDACTED (...); line: 1, column: 76]}. */
  private static final Pattern SOURCE_LOCATION = Pattern.compile("\\[Source: [^\\]]*?; line: (\\d+), column: (\\d+)\\]");

  /** How long a request waits for a free body slot before it is told to come back. */
  private static final long SLOT_WAIT_MS = 200;

  /**
   * How much of a body over server.max_body_bytes is read and dropped before the 413: a connection
   * closed while the client still sends is reset, and the reset can throw away the answer already
   * on its way, so the client sees no answer at all (Okta: a failed task saying nothing of the
   * limit). Past this the connection is closed at once.
   */
  static final long DROPPED_BYTES = 4L << 20;

  private final ObjectMapper json;
  private final long maxBytes;
  private final Duration readTimeout;
  private final Semaphore slots;

  RequestBodies(ObjectMapper json, long maxBytes, Duration readTimeout, int maxConcurrent) {
    this.json = json;
    this.maxBytes = maxBytes;
    this.readTimeout = readTimeout;
    this.slots = new Semaphore(maxConcurrent);
  }

  JsonNode read(String contentType, String contentLength, InputStream in) {
    requireJson(contentType);
    long declared = contentLength != null && DIGITS.matcher(contentLength.strip()).matches()
        ? Long.parseLong(contentLength.strip()) : -1;
    if (declared > maxBytes + DROPPED_BYTES) {
      throw tooLarge();
    }
    byte[] bytes = readInSlot(in, declared > maxBytes);
    if (bytes.length == 0) {
      throw ScimException.invalidSyntax("the request body is empty; a JSON object was expected");
    }
    JsonNode body;
    try {
      body = json.readTree(bytes);
    } catch (StreamConstraintsException e) {
      throw ScimException.invalidSyntax("the request body " + brokenConstraint(e));
    } catch (JsonProcessingException e) {
      String where = e.getLocation() == null ? "" : " at line " + e.getLocation().getLineNr() + " column "
          + e.getLocation().getColumnNr();
      throw ScimException.invalidSyntax("the request body is not valid JSON" + where + ": " + parserProblem(e));
    } catch (IOException e) {
      throw ScimException.invalidSyntax("the request body could not be read: " + e.getMessage());
    }
    InputLimits.refuseUnstorable(body);
    return body;
  }

  /**
   * What the parser found wrong, without the parser's own terms: a location inside the message
   * (where an object the body does not close began) names the source and a feature switch of
   * Jackson's; it is said as line and column, as the location of the error is.
   */
  private static String parserProblem(JsonProcessingException e) {
    return SOURCE_LOCATION.matcher(String.valueOf(e.getOriginalMessage())).replaceAll("line $1 column $2");
  }

  /**
   * Which of the parser's limits the body broke. Jackson says so only in its message, and names
   * its own API there; the two the mapper sets are said in the client's terms.
   */
  private static String brokenConstraint(StreamConstraintsException e) {
    String message = String.valueOf(e.getOriginalMessage());
    if (message.startsWith("Document nesting depth")) {
      return "is nested deeper than " + ScimJson.MAX_NESTING + " levels";
    }
    if (message.startsWith("Number value length")) {
      return "holds a number longer than " + ScimJson.MAX_NUMBER_LENGTH + " characters";
    }
    int source = message.indexOf(" (");
    return "exceeds a limit of the JSON parser: " + (source > 0 ? message.substring(0, source) : message);
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

  private byte[] readInSlot(InputStream in, boolean declaredTooLarge) {
    boolean acquired;
    try {
      acquired = slots.tryAcquire(SLOT_WAIT_MS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      acquired = false;
    }
    if (!acquired) {
      if (declaredTooLarge) {
        throw tooLarge(); // it can never succeed: no "retry shortly" for it, dropped or not
      }
      throw new ScimException(503, null, "too many request bodies are being received at once "
          + "(server.max_concurrent_bodies); retry shortly");
    }
    try {
      return readCapped(in, declaredTooLarge);
    } finally {
      slots.release();
    }
  }

  /**
   * Each read returns what arrived (the connector's idle timeout bounds one wait), so checking
   * the deadline between reads stops a sender that trickles a byte every few seconds. A body over
   * the limit (or declared so) is read to its end and dropped, up to {@link #DROPPED_BYTES} more,
   * before the 413.
   */
  private byte[] readCapped(InputStream in, boolean declaredTooLarge) {
    long deadline = System.nanoTime() + readTimeout.toNanos();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[8192];
    long received = 0;
    try {
      for (int n; (n = in.read(buffer)) >= 0; ) {
        received += n;
        boolean tooLarge = declaredTooLarge || received > maxBytes;
        if (tooLarge && received > maxBytes + DROPPED_BYTES) {
          throw tooLarge();
        }
        if (!tooLarge) {
          out.write(buffer, 0, n);
        }
        if (System.nanoTime() - deadline > 0) {
          if (tooLarge) {
            throw tooLarge();
          }
          throw new ScimException(408, null, "the request body did not arrive within server.body_read_timeout ("
              + readTimeout.toMillis() + " ms)");
        }
      }
      if (declaredTooLarge || received > maxBytes) {
        throw tooLarge();
      }
      return out.toByteArray();
    } catch (IOException e) {
      throw ScimException.invalidSyntax("the request body could not be read: " + e.getMessage());
    }
  }

  private ScimException tooLarge() {
    return new ScimException(413, null, "the request body is larger than server.max_body_bytes (" + maxBytes + " bytes)");
  }
}
