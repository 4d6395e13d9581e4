package com.fulcrumscim.app;

import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.scim.BearerTokens;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SHA-256 digests the SCIM endpoint accepts: {@code scim.token_hashes}, plus the plain token
 * in {@code FULCRUM_SCIM_TOKEN} ({@code configured}). With neither, a token is generated and shown
 * once; only its hash is kept in the setting table, and only once it has been shown ({@link #keep}):
 * a hash kept for a token nobody saw would lock every later start out of generating one.
 */
record ScimTokens(List<String> hashes, boolean configured, Optional<String> generated) {
  static final String GENERATED_HASH_SETTING = "scim.generated_token_hash";
  /** What a FULCRUM_SCIM_TOKEN needs at least; {@code token new} makes 43 characters of 64 kinds (256 random bits). */
  static final int MIN_LENGTH = 32;
  static final int MIN_DIFFERENT_CHARACTERS = 8;

  /**
   * Refuses a FULCRUM_SCIM_TOKEN that is short or plainly repetitive ("changeme" four times), at
   * start, before anything is opened. A token is kept and compared only as an unsalted SHA-256
   * digest (scim.token_hashes, {@link BearerTokens}): sound for a random token of 128 bits or more,
   * which neither a precomputed table nor a search of the digest can reach, so there is nothing to
   * salt or stretch. A weak token would be guessed online (the throttle allows 30 tries a minute
   * per address) or from a leaked config's digest in moments: refused rather than hashed harder.
   * A digest in scim.token_hashes cannot be checked; {@code token new} makes those.
   */
  static void requireStrong(String envToken) {
    if (envToken == null || envToken.isBlank()) {
      return;
    }
    String token = envToken.strip();
    long different = token.codePoints().distinct().count();
    String problem = token.length() < MIN_LENGTH
        ? "is " + token.length() + " characters long; a SCIM token needs at least " + MIN_LENGTH
        : different < MIN_DIFFERENT_CHARACTERS ? "has only " + different + " different characters, too easy to guess" : null;
    if (problem != null) {
      throw new ConfigException("environment (under systemd: /etc/fulcrum-scim/env)", Bridge.SCIM_TOKEN_ENV, problem
          + ". `fulcrum-scim token new` makes a random one (or put its hash in scim.token_hashes instead)");
    }
  }

  /** At start: what is configured, else the generated token kept earlier, else a new one (not kept yet). */
  static ScimTokens resolve(List<String> configured, String envToken, SettingStore settings, SecureRandom random) {
    List<String> hashes = configured(configured, envToken);
    if (!hashes.isEmpty()) {
      return new ScimTokens(hashes, true, Optional.empty());
    }
    Optional<String> kept = settings.get(GENERATED_HASH_SETTING);
    if (kept.isPresent()) {
      return new ScimTokens(List.of(kept.get()), false, Optional.empty());
    }
    String token = BearerTokens.generate(random);
    return new ScimTokens(List.of(BearerTokens.sha256Hex(token)), false, Optional.of(token));
  }

  /** {@code scim.token_hashes} and FULCRUM_SCIM_TOKEN's hash; empty when neither is set. */
  static List<String> configured(List<String> configured, String envToken) {
    List<String> hashes = new ArrayList<>(configured);
    if (envToken != null && !envToken.isBlank()) {
      hashes.add(BearerTokens.sha256Hex(envToken.strip()));
    }
    return List.copyOf(hashes);
  }

  /** Once {@code token} has been shown: later starts accept it without showing it again. */
  static void keep(SettingStore settings, String token) {
    settings.put(GENERATED_HASH_SETTING, BearerTokens.sha256Hex(token));
  }
}
