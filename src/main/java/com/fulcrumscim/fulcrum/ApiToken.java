package com.fulcrumscim.fulcrum;

import com.fulcrumscim.config.BridgeConfig;

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
    int unsendable = BridgeConfig.Fulcrum.unsendableAt(value);
    if (unsendable >= 0) {
      throw new IllegalArgumentException(
          "fulcrum.api_token holds a character an HTTP header cannot carry (position " + unsendable + ")");
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
