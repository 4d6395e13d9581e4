package com.fulcrumscim.scim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;

/** SCIM bearer tokens: how they are made and hashed. Only hashes are ever kept. */
public final class BearerTokens {
  private BearerTokens() {}

  /** 256 random bits, URL-safe base64 without padding (43 characters). */
  public static String generate(SecureRandom random) {
    byte[] bytes = new byte[32];
    random.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /**
   * Lower-case SHA-256 hex, the form {@code scim.token_hashes} holds. Unsalted and fast on
   * purpose: a bearer token is {@link #generate}d with 256 random bits (a FULCRUM_SCIM_TOKEN must
   * be 32 characters or more, {@code app.ScimTokens}), which no precomputed table covers and no
   * search of the digest finds, so a salt or a slow hash would add nothing but cost per request.
   * A password-like token would need them; that is why a weak one is refused, not hashed harder.
   */
  public static String sha256Hex(String token) {
    return HexFormat.of().formatHex(sha256(token));
  }

  /** The first 8 hex digits of a digest: enough to tell tokens apart in a log, nothing to guess one by. */
  public static String prefix(String hash) {
    return hash.substring(0, Math.min(8, hash.length())) + "...";
  }

  static byte[] sha256(String token) {
    return sha256Digest().digest(token.getBytes(StandardCharsets.UTF_8));
  }

  static MessageDigest sha256Digest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
