package com.fulcrumscim.app;

import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.scim.BearerTokens;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SHA-256 digests the SCIM endpoint accepts: {@code scim.token_hashes}, plus the plain token
 * in {@code FULCRUM_SCIM_TOKEN}. With neither, a token is generated once, shown once, and only
 * its hash kept in the setting table, so a restart keeps accepting it.
 */
record ScimTokens(List<String> hashes, Optional<String> generated) {
  static final String ENV_TOKEN = "FULCRUM_SCIM_TOKEN";
  static final String GENERATED_HASH_SETTING = "scim.generated_token_hash";

  static ScimTokens resolve(List<String> configured, String envToken, SettingStore settings, SecureRandom random) {
    List<String> hashes = new ArrayList<>(configured);
    if (envToken != null && !envToken.isBlank()) {
      hashes.add(BearerTokens.sha256Hex(envToken.strip()));
    }
    if (!hashes.isEmpty()) {
      return new ScimTokens(List.copyOf(hashes), Optional.empty());
    }
    Optional<String> kept = settings.get(GENERATED_HASH_SETTING);
    if (kept.isPresent()) {
      return new ScimTokens(List.of(kept.get()), Optional.empty());
    }
    String token = BearerTokens.generate(random);
    String hash = BearerTokens.sha256Hex(token);
    settings.put(GENERATED_HASH_SETTING, hash);
    return new ScimTokens(List.of(hash), Optional.of(token));
  }
}
