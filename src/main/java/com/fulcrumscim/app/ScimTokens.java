package com.fulcrumscim.app;

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
  static final String ENV_TOKEN = "FULCRUM_SCIM_TOKEN";
  static final String GENERATED_HASH_SETTING = "scim.generated_token_hash";

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
