package com.fulcrumscim.ops;

import java.util.regex.Pattern;

/**
 * Masks credentials in text about to be logged: {@code Bearer <token>}, {@code X-ApiToken: <token>}
 * and {@code api_token: <token>} (also {@code api-token}, {@code apiToken}, with {@code =}, quotes,
 * or JSON-escaped quotes). The last line of defence: code should never log a secret to begin with.
 */
public final class SecretRedactor {
  static final String MASK = "<redacted>";
  private static final Pattern BEARER = Pattern.compile("(?i)(\\bBearer\\s+)[A-Za-z0-9._~+/=-]+");
  private static final Pattern NAMED = Pattern.compile(
      "(?i)(\\b(?:x-apitoken|api[_-]?token)\\\\?[\"']?\\s*[:=]\\s*\\\\?[\"']?)[^\\s\"'\\\\,;}&<]+");

  private SecretRedactor() {}

  public static String redact(String text) {
    String out = BEARER.matcher(text).replaceAll("$1" + MASK);
    return NAMED.matcher(out).replaceAll("$1" + MASK);
  }
}
