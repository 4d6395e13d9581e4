package com.fulcrumscim.journal;

import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the setting table keeps the SCIM token {@code serve} generated: its SHA-256 digest, and a
 * mark while it is accepted. {@code app.ScimTokens} decides what they mean at start and reload; a
 * restore carries them as the database it replaces holds them.
 */
public final class GeneratedTokenSetting {
  public static final String HASH = "scim.generated_token_hash";
  /**
   * Set while the generated token is accepted (a start on it alone, or its keep): only a token
   * accepted up to now stays accepted beside configured ones. A release before 8 December 2026
   * stopped accepting it once tokens were configured but kept its hash; brought back, that long
   * unused token would have been a way in nobody watched.
   */
  public static final String ACCEPTED = "scim.generated_token_accepted";
  /** Both: what is forgotten, claimed and carried together. */
  public static final List<String> KEYS = List.of(HASH, ACCEPTED);

  private GeneratedTokenSetting() {}

  /** The kept digest while it is accepted, read through {@code setting}; empty when none is. */
  public static Optional<String> accepted(Function<String, Optional<String>> setting) {
    return setting.apply(HASH).filter(hash -> setting.apply(ACCEPTED).isPresent());
  }
}
