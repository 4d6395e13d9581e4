package com.fulcrumscim.scim;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <token>} against SHA-256 digests. Every known digest is
 * compared, each in constant time, so timing tells nothing about which or how much matched.
 */
public final class BearerAuth {
  private static final String PREFIX = "bearer ";

  private final List<byte[]> digests;

  /** {@code tokenHashes}: lower-case SHA-256 hex digests of the accepted tokens. */
  public BearerAuth(List<String> tokenHashes) {
    this.digests = tokenHashes.stream().map(HexFormat.of()::parseHex).toList();
  }

  boolean accepts(String authorizationHeader) {
    if (authorizationHeader == null || authorizationHeader.length() <= PREFIX.length()
        || !authorizationHeader.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
      return false;
    }
    byte[] presented = BearerTokens.sha256(authorizationHeader.substring(PREFIX.length()).strip());
    boolean match = false;
    for (byte[] digest : digests) {
      match |= MessageDigest.isEqual(digest, presented);
    }
    return match;
  }
}
