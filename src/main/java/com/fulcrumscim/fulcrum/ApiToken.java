package com.fulcrumscim.fulcrum;

/**
 * The Fulcrum API token. Its {@code toString} is redacted, so a token can sit in records and
 * messages without leaking; only the auth header ever reads {@link #value()}.
 */
public final class ApiToken {
  private static final String REDACTED = "<redacted>";
  private final String value;

  /**
   * @throws IllegalArgumentException if the token holds characters an HTTP header cannot carry
   *     (OkHttp would otherwise quote the value in its own exception message)
   */
  public ApiToken(String value) {
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException(
            "fulcrum.api_token holds a character an HTTP header cannot carry (position " + i + ")");
      }
    }
    this.value = value;
  }

  String value() {
    return value;
  }

  /** {@code text} with every occurrence of the token replaced, for text Fulcrum sent back. */
  String redact(String text) {
    return value.isEmpty() || text == null ? text : text.replace(value, REDACTED);
  }

  @Override
  public String toString() {
    return value.isEmpty() ? "" : REDACTED;
  }
}
