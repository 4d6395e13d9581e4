package com.fulcrumscim.reliability;

import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.io.ByteArrayOutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;

/**
 * A seeded generator of malformed and hostile SCIM requests, every one of which a correct server
 * refuses (or, for reads, answers) without a 5xx and without changing anything.
 */
final class HostileCorpus {
  /** One request; {@code kind} names the generator, for the report. */
  record Request(String kind, String method, String target, Map<String, String> headers, byte[] body) {
    @Override
    public String toString() {
      String shown = body == null ? "" : new String(body, 0, Math.min(body.length, 2000), StandardCharsets.UTF_8);
      return kind + ": " + method + " " + (target.length() > 160 ? target.substring(0, 160) + "..." : target) + " " + headers
          + " " + shown;
    }
  }

  static final String BASE = "/scim/v2";
  private static final String[] FILTERS = {
    "userName eq \"x\" or 1=1", "userName eq \"x\"; DROP TABLE scim_user; --", "userName eq 'x' OR '1'='1'",
    "'; DROP TABLE scim_user; --", "userName eq \"\\u0000\"", "userName eq \"x\" or", "userName eq x",
    "userName eq \"x\" ) or (1 eq 1", "userName sw \"%\"", "userName co \"_\"", "userName eq \"ａｄｍｉｎ\"",
    "userNam\u0435 eq \"x\"", "userName eq \"x\u202e\"", "emails[type eq \"work\" or 1=1]", "emails[[type eq \"a\"]]",
    "meta.lastModified gt \"not a date\"", "active eq \"true\"", "active eq 7", "name.givenName pr pr",
    "not not not", "(((((((((((((((((((((((((((((((((", "userName eq \"" + "a".repeat(5000) + "\"",
    "userName eq \"x\" and ".repeat(300) + "userName eq \"y\"", "members[value eq \"x\"].value eq \"y\"",
    "userName eq \"\\\"", "userName gt null", "id eq \"../../etc/passwd\"", "userName eq \"\ud83d\"", "𝓾𝓼𝓮𝓻𝓝𝓪𝓶𝓮 eq \"x\"",
  };
  private static final String[] IDS = {
    "../../etc/passwd", "..%2F..%2Fetc%2Fpasswd", "%2e%2e%2f%2e%2e%2f", "..\\..\\windows", "%00", "x%00y", "%ZZ",
    "' OR '1'='1", "1;DROP%20TABLE%20scim_user", "%3Cscript%3E", "%C0%AE%C0%AE%2F", "%EF%BC%8F", "~root",
    "a".repeat(3000), "%FF%FE", "$%7Bjndi:ldap://x%7D", "*", "%20",
  };
  private static final String[] PAGING = {
    "startIndex=-1", "startIndex=0", "startIndex=99999999999999999999", "startIndex=2147483648", "count=-5",
    "count=2147483648", "count=99999999999", "startIndex=1e9", "count=NaN", "startIndex=&count=", "count=0x10",
    "startIndex=1&startIndex=2", "sortBy=%27;DROP", "sortBy=userName;--", "sortOrder=%00", "attributes=../../x",
    "excludedAttributes=" + "a,".repeat(2000), "count=%F0%9F%98%80",
  };
  private static final String[] CONTENT_TYPES = {
    "application/xml", "text/xml", "text/html", "multipart/form-data; boundary=x", "application/x-www-form-urlencoded",
    "application/octet-stream", "image/png", "application/scim+xml", "application/jsonx",
  };
  private static final String[] BAD_AUTH = {
    null, "Bearer wrong-token", "Basic dXNlcjpwYXNz", "Bearer", "Bearer ", "Token " + ScimTestServer.TOKEN,
    "Bearer " + ScimTestServer.TOKEN + "X", "Bearer " + ScimTestServer.TOKEN.substring(0, ScimTestServer.TOKEN.length() - 1),
    "Bearer\t" + ScimTestServer.TOKEN + "-",
    "Bearer " + "A".repeat(8000),
    "Bearer ' OR '1'='1", "Bearer \u00fftoken",
  };

  private final Random random;
  private final String token;
  private final List<String> userIds;
  private final List<String> groupIds;
  private int serial;
  private int serialRequest;

  /** {@code userIds} and {@code groupIds}: existing resources, so that bad writes aim at real targets. */
  HostileCorpus(long seed, String token, List<String> userIds, List<String> groupIds) {
    this.random = new Random(seed);
    this.token = token;
    this.userIds = userIds;
    this.groupIds = groupIds;
  }

  /**
   * The next request, cycling through the kinds. One at a time: a long run's huge bodies held
   * together would not fit in the test's heap.
   */
  Request next() {
    return kinds.get(serialRequest++ % kinds.size()).get();
  }

  private final List<Supplier<Request>> kinds = List.of(this::brokenJson, this::wrongTypes, this::hugeBody, this::deepNesting,
        this::hostileFilter, this::badUtf8, this::wrongContentType, this::badAuth, this::absurdPaging,
        this::traversalId, this::hostilePatch, this::oddMethod, this::controlCharacters, this::invalidUnicode,
        this::disguisedDuplicate, this::tooManyValues, this::costlyPatch, this::jettyRefusal);

  private Request brokenJson() {
    String body = Bodies.user(freshName()).strip();
    String cut = body.substring(0, random.nextInt(body.length() - 1));
    String[] mangled = {cut, body.replaceFirst(":", ""), body.replace("\"", "'"), body + "}", "{" + body,
        body.replaceFirst(",", ",,"), body.replaceFirst("\\{", "{/*c*/"), "\uFEFF" + body.replaceFirst(",", ""), "nul", "\u0000"};
    return write("broken-json", mangled[random.nextInt(mangled.length)]);
  }

  private Request wrongTypes() {
    String body = Bodies.user(freshName());
    String[][] swaps = {
      {"\"active\":true", "\"active\":[true]"}, {"\"active\":true", "\"active\":{\"value\":true}"},
      {"\"active\":true", "\"active\":\"maybe\""}, {"\"active\":true", "\"active\":42"},
      {"\"userName\":\"", "\"userName\":42,\"x\":\""}, {"\"userName\":\"", "\"userName\":[\"a\"],\"x\":\""},
      {"\"name\":{", "\"name\":\"flat\",\"x\":{"}, {"\"emails\":[", "\"emails\":{\"a\":[1]},\"x\":["},
      {"\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"]", "\"schemas\":\"urn:ietf:params:scim:schemas:core:2.0:User\""},
      {"\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"]", "\"schemas\":[42]"},
      {"\"emails\":[{", "\"emails\":[{\"value\":{\"$ne\":1}},{"}, {"\"userName\":\"", "\"userName\":null,\"x\":\""},
      {"\"userName\":\"", "\"userName\":\"\",\"x\":\""}, {"\"userName\":\"", "\"userName\":\"   \",\"x\":\""},
    };
    String[] swap = swaps[random.nextInt(swaps.length)];
    return write("wrong-types", body.replace(swap[0], swap[1]));
  }

  private Request hugeBody() {
    int size = (1 << 20) + 1 + random.nextInt(3 << 20);
    String pad = "x".repeat(size);
    String body = random.nextBoolean() ? Bodies.user(freshName()).replace("\"locale\":\"en-US\"", "\"locale\":\"" + pad + "\"")
        : "[" + "1,".repeat(size / 2) + "1]";
    return write("huge-body", body);
  }

  private Request deepNesting() {
    int depth = 500 + random.nextInt(100_000);
    String[] shapes = {"[".repeat(depth) + "]".repeat(depth), "{\"a\":".repeat(depth) + "1" + "}".repeat(depth),
        Bodies.user(freshName()).replace("\"groups\":[]", "\"groups\":" + "[".repeat(depth) + "]".repeat(depth)),
        "[".repeat(depth)};
    return write("deep-nesting", shapes[random.nextInt(shapes.length)]);
  }

  private Request hostileFilter() {
    String filter = FILTERS[random.nextInt(FILTERS.length)];
    String resource = random.nextBoolean() ? "/Users" : "/Groups";
    return new Request("hostile-filter", "GET", BASE + resource + "?filter=" + enc(filter), auth(), null);
  }

  private Request badUtf8() {
    byte[][] bad = {{(byte) 0xff, (byte) 0xfe}, {(byte) 0xc0, (byte) 0xaf}, {(byte) 0xed, (byte) 0xa0, (byte) 0x80},
        {(byte) 0xe2, (byte) 0x82}, {(byte) 0xf8, (byte) 0x88, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0x80}};
    String body = Bodies.user("UTF8MARK" + freshName());
    int at = body.indexOf("UTF8MARK");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    bytes.writeBytes(body.substring(0, at).getBytes(StandardCharsets.UTF_8));
    bytes.writeBytes(bad[random.nextInt(bad.length)]);
    bytes.writeBytes(body.substring(at + "UTF8MARK".length()).getBytes(StandardCharsets.UTF_8));
    return new Request("bad-utf8", "POST", BASE + "/Users", withType(auth(), "application/scim+json; charset=utf-8"),
        bytes.toByteArray());
  }

  private Request wrongContentType() {
    Map<String, String> headers = withType(auth(), CONTENT_TYPES[random.nextInt(CONTENT_TYPES.length)]);
    return new Request("wrong-content-type", "POST", BASE + "/Users", headers, utf8(Bodies.user(freshName())));
  }

  private Request badAuth() {
    String value = BAD_AUTH[random.nextInt(BAD_AUTH.length)];
    Map<String, String> headers = new LinkedHashMap<>();
    if (value != null) {
      headers.put("Authorization", value);
    }
    String[][] targets = {{"POST", "/Users"}, {"GET", "/Users"}, {"DELETE", "/Users/" + pick(userIds)},
        {"PUT", "/Groups/" + pick(groupIds)}, {"GET", "/Users/" + pick(userIds)}};
    String[] t = targets[random.nextInt(targets.length)];
    boolean withBody = t[0].equals("POST") || t[0].equals("PUT");
    if (withBody) {
      headers.put("Content-Type", "application/scim+json");
    }
    return new Request("bad-auth", t[0], BASE + t[1], headers,
        withBody ? utf8(t[1].startsWith("/Groups") ? Bodies.group("Hijacked") : Bodies.user(freshName())) : null);
  }

  private Request absurdPaging() {
    return new Request("absurd-paging", "GET", BASE + "/Users?" + PAGING[random.nextInt(PAGING.length)], auth(), null);
  }

  private Request traversalId() {
    String id = IDS[random.nextInt(IDS.length)];
    String[] methods = {"GET", "DELETE", "PUT", "PATCH"};
    String method = methods[random.nextInt(methods.length)];
    String resource = random.nextBoolean() ? "/Users/" : "/Groups/";
    byte[] body = method.equals("PUT") ? utf8(Bodies.user(freshName()))
        : method.equals("PATCH") ? utf8(Bodies.patch("{\"op\":\"replace\",\"path\":\"active\",\"value\":false}")) : null;
    Map<String, String> headers = body == null ? auth() : withType(auth(), "application/scim+json");
    return new Request("traversal-id", method, BASE + resource + id, headers, body);
  }

  private Request hostilePatch() {
    String[] ops = {
      "{\"op\":\"remove\",\"path\":\"members[value eq \\\"x\\\" or 1 eq 1]\"}",
      "{\"op\":\"replace\",\"path\":\"userName[value eq \\\"x\\\"]\",\"value\":\"y\"}",
      "{\"op\":\"replace\",\"path\":\"id\",\"value\":\"../../other\"}",
      "{\"op\":\"add\",\"path\":\"members\",\"value\":\"not-a-list\"}",
      "{\"op\":\"replace\",\"path\":\"'; DROP TABLE scim_group; --\",\"value\":1}",
      "{\"op\":\"remove\"}", "{\"op\":\"replace\",\"path\":\"active\"}", "{\"op\":null,\"path\":\"active\",\"value\":false}",
      "{\"op\":\"replace\",\"path\":\"emails[type eq \\\"work\\\"\",\"value\":\"x\"}", "\"op\"", "[]", "{}",
      "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":{\"nested\":[1]}}]}",
      "{\"op\":\"replace\",\"path\":\"meta.created\",\"value\":\"1970\"}",
    };
    String op = ops[random.nextInt(ops.length)];
    // Sent where the attribute exists: elsewhere it is unknown, ignored as on POST (2xx, nothing stored).
    boolean group = op.contains("members") || !op.contains("userName") && random.nextBoolean();
    String target = BASE + (group ? "/Groups/" + pick(groupIds) : "/Users/" + pick(userIds));
    String body = random.nextInt(5) == 0 ? "{\"Operations\":[" + op + "]}" : Bodies.patch(op);
    return new Request("hostile-patch", "PATCH", target, withType(auth(), "application/scim+json"), utf8(body));
  }

  private Request oddMethod() {
    String[] methods = {"TRACE", "PROPFIND", "CONNECT", "FOO", "OPTIONS", "MKCOL"};
    return new Request("odd-method", methods[random.nextInt(methods.length)], BASE + "/Users/" + pick(userIds), auth(), null);
  }

  private Request write(String kind, String body) {
    boolean post = random.nextInt(3) > 0;
    String target = BASE + (post ? "/Users" : "/Users/" + pick(userIds));
    return new Request(kind, post ? "POST" : "PUT", target, withType(auth(), "application/scim+json"), utf8(body));
  }

  /** NUL, ESC, CR/LF, DEL and C1 in the fields Fulcrum and the CLI see. */
  private Request controlCharacters() {
    String[] bad = {"\\u0000", "\\u001b[2J", "\\r\\nX-Injected: 1", "\\u007f", "\\u009b31m", "\\u0007", "a\\tb"};
    String name = freshName();
    String c = bad[random.nextInt(bad.length)];
    String body = Bodies.user(name);
    String[] targets = {"\"userName\":\"" + name, "\"value\":\"" + name, "\"givenName\":\"Test", "\"familyName\":\"User"};
    String target = targets[random.nextInt(targets.length)];
    return write("control-characters", body.replace(target, target.substring(0, target.length() - 2) + c
        + target.substring(target.length() - 2)));
  }

  private Request invalidUnicode() {
    String[] lone = {"\\ud83d", "\\udc00", "\\ud800x", "x\\udfff"};
    String name = freshName();
    return write("invalid-unicode", Bodies.user(name).replace("\"givenName\":\"Test", "\"givenName\":\"Te"
        + lone[random.nextInt(lone.length)]));
  }

  /** A resident's userName in another case or with surrounding blanks: the same user to Fulcrum, so 409. */
  private Request disguisedDuplicate() {
    String resident = "resident" + random.nextInt(userIds.size()) + "@corp.example";
    String[] disguises = {resident + " ", " " + resident, resident.toUpperCase(java.util.Locale.ROOT), resident + "\\t",
        "RESIDENT" + resident.substring(8) + "  "};
    String name = freshName();
    String body = Bodies.user(name).replace("\"userName\":\"" + name + "\"",
        "\"userName\":\"" + disguises[random.nextInt(disguises.length)] + "\"");
    return new Request("disguised-duplicate", "POST", BASE + "/Users", withType(auth(), "application/scim+json"), utf8(body));
  }

  private Request tooManyValues() {
    StringBuilder emails = new StringBuilder();
    int n = 101 + random.nextInt(5_000);
    for (int i = 0; i < n; i++) {
      emails.append(i == 0 ? "" : ",").append("{\"value\":\"e").append(i).append("@x.example\"}");
    }
    return write("too-many-values", Bodies.user(freshName()).replaceFirst("\"emails\":\\[[^\\]]*\\]",
        "\"emails\":[" + emails + "]"));
  }

  /** Value filters over the per-op term limit, many times over. */
  private Request costlyPatch() {
    String filter = "type eq \\\"work\\\" or ".repeat(10 + random.nextInt(200)) + "type eq \\\"home\\\"";
    String op = "{\"op\":\"replace\",\"path\":\"emails[" + filter + "].value\",\"value\":\"x@x.example\"}";
    String body = Bodies.patch(String.join(",", java.util.Collections.nCopies(1 + random.nextInt(200), op)));
    return new Request("costly-patch", "PATCH", BASE + "/Users/" + pick(userIds), withType(auth(), "application/scim+json"),
        utf8(body));
  }

  /** What Jetty refuses before any route: a long URI, huge headers, a broken request line. */
  private Request jettyRefusal() {
    Map<String, String> headers = auth();
    switch (random.nextInt(3)) {
      case 0:
        return new Request("jetty-refusal", "GET", BASE + "/Users?filter=" + "a".repeat(70_000 + random.nextInt(10_000)),
            headers, null);
      case 1:
        headers.put("X-Padding", "p".repeat(70_000 + random.nextInt(10_000)));
        return new Request("jetty-refusal", "GET", BASE + "/Users", headers, null);
      default:
        return new Request("jetty-refusal", "GET", BASE + "/Users HTTP/7.0 x", headers, null);
    }
  }

  private Map<String, String> auth() {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("Authorization", "Bearer " + token);
    return h;
  }

  private static Map<String, String> withType(Map<String, String> headers, String type) {
    headers.put("Content-Type", type);
    return headers;
  }

  private String freshName() {
    return "hostile" + (serial++) + "@evil.example";
  }

  private String pick(List<String> ids) {
    return ids.get(random.nextInt(ids.size()));
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
