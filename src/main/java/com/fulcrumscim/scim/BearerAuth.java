package com.fulcrumscim.scim;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

/**
 * Checks {@code Authorization: Bearer <token>} against SHA-256 digests. Every known digest is
 * compared, each in constant time, so timing tells nothing about which or how much matched.
 */
public final class BearerAuth {
  private static final String PREFIX = "bearer ";
  /**
   * A SHA-256 digest per request thread, reset by each {@code digest}: looking one up in the
   * security providers at every request cost more than hashing the token.
   */
  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(BearerTokens::sha256Digest);

  /** Swapped whole by {@link #replace}: a request sees the old list or the new one, never a mix. */
  private volatile List<byte[]> digests;

  /** {@code tokenHashes}: lower-case SHA-256 hex digests of the accepted tokens. */
  public BearerAuth(List<String> tokenHashes) {
    replace(tokenHashes);
  }

  /** Whether {@code authorizationHeader} presents a bearer token, accepted or not. */
  static boolean isBearer(String authorizationHeader) {
    return authorizationHeader.length() > PREFIX.length() && authorizationHeader.regionMatches(true, 0, PREFIX, 0, PREFIX.length());
  }

  /** Accepts {@code tokenHashes} from now on (SIGHUP after a token rotation in config.yml). */
  public void replace(List<String> tokenHashes) {
    this.digests = tokenHashes.stream().map(HexFormat.of()::parseHex).toList();
  }

  boolean accepts(String authorizationHeader) {
    if (authorizationHeader == null || !isBearer(authorizationHeader)) {
      return false;
    }
    byte[] presented = DIGEST.get().digest(authorizationHeader.substring(PREFIX.length()).strip()
        .getBytes(StandardCharsets.UTF_8));
    boolean match = false;
    for (byte[] digest : this.digests) {
      match |= MessageDigest.isEqual(digest, presented);
    }
    return match;
  }
}
