package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.scim.schema.ScimSchemas;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;

/** Request and response plumbing shared by every SCIM handler. */
final class ScimResponses {
  static final String REQUEST_ID = "X-Request-Id";
  private static final String ARRIVED = "fulcrum-scim.arrived-nanos";
  private static final Pattern SAFE_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:\\-]{1,128}");

  private final ObjectMapper json;
  private final RequestBodies bodies;
  private final String publicUrl;

  /** {@code publicUrl}: the configured SCIM base URL, or empty to build it from each request. */
  ScimResponses(ObjectMapper json, RequestBodies bodies, String publicUrl) {
    this.json = json;
    this.bodies = bodies;
    this.publicUrl = publicUrl.strip().replaceAll("/+$", "");
  }

  ObjectMapper json() {
    return json;
  }

  JsonNode body(Context ctx) throws IOException {
    return bodies.read(ctx.header("Content-Type"), ctx.header("Content-Length"), ctx.req().getInputStream());
  }

  /**
   * server.public_url when set; else the base URL as the client reached us. The Host header is the
   * client's to choose, so behind a proxy only the configured URL is trustworthy in meta.location.
   */
  String baseUrl(Context ctx) {
    return publicUrl.isEmpty() ? ctx.scheme() + "://" + host(ctx) + ScimServer.BASE_PATH : publicUrl;
  }

  /** An HTTP/1.0 request may come without a Host header: then the address it reached us on. */
  private static String host(Context ctx) {
    String host = ctx.host();
    if (host != null && !host.isBlank()) {
      return host;
    }
    String address = ctx.req().getLocalAddr();
    return (address.contains(":") ? "[" + address + "]" : address) + ":" + ctx.req().getLocalPort();
  }

  void send(Context ctx, int status, JsonNode body) throws IOException {
    ctx.status(status);
    ctx.contentType(ScimJson.MEDIA_TYPE);
    ctx.result(json.writeValueAsBytes(body));
  }

  /** RFC 7644 §3.4.2 ListResponse; the three numbers are JSON integers (Okta checks). */
  ObjectNode listResponse(long totalResults, long startIndex, List<? extends JsonNode> resources) {
    ObjectNode out = json.createObjectNode();
    out.putArray("schemas").add(ScimSchemas.LIST_RESPONSE);
    out.put("totalResults", totalResults);
    out.put("startIndex", startIndex);
    out.put("itemsPerPage", resources.size());
    out.putArray("Resources").addAll(resources);
    return out;
  }

  /** A 503 (too many bodies at once, the store unavailable) tells the client when to try again: soon. */
  void error(Context ctx, ScimException e) {
    if (e.status() == 503) {
      ctx.header("Retry-After", "1");
    }
    try {
      send(ctx, e.status(), ScimJson.errorBody(json, e));
    } catch (IOException impossible) {
      throw new IllegalStateException(impossible);
    }
  }

  /**
   * When the request arrived at this JVM ({@link System#nanoTime}), stamped by the first handler:
   * the {@link com.fulcrumscim.journal.StallWatch} refuses a change that waited across a stall.
   */
  static long arrivedNanos(Context ctx) {
    Long arrived = ctx.attribute(ARRIVED);
    return arrived != null ? arrived : System.nanoTime();
  }

  /** The client's X-Request-Id when it is a sane token, else a fresh one; echoed on the response. */
  static void assignRequestId(Context ctx) {
    ctx.attribute(ARRIVED, System.nanoTime());
    String given = ctx.header(REQUEST_ID);
    String id = given != null && SAFE_REQUEST_ID.matcher(given).matches() ? given : newRequestId();
    ctx.attribute(REQUEST_ID, id);
    ctx.header(REQUEST_ID, id);
  }

  /**
   * A random (version 4) UUID from ThreadLocalRandom: it only has to be unique in the logs, and
   * UUID.randomUUID's SecureRandom is one lock that every request thread would queue on.
   */
  private static String newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & ~(0xC000L << 48)) | (0x8000L << 48);
    return new UUID(high, low).toString();
  }

  static String requestId(Context ctx) {
    String id = ctx.attribute(REQUEST_ID);
    return id == null ? "-" : id;
  }
}
