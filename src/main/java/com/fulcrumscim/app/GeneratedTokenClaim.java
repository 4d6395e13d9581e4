package com.fulcrumscim.app;

import com.fulcrumscim.scim.BearerTokens;

/** What {@code serve} shows of the SCIM token it generated at this start, once it is kept ({@link Bridge#claimGeneratedToken}). */
public sealed interface GeneratedTokenClaim {
  /** The line {@code serve} shows, whatever logging.level says. */
  String line();

  /** Kept: shown once; no later start shows it again. */
  record Mine(String token) implements GeneratedTokenClaim {
    @Override
    public String line() {
      return "SCIM token: " + token
          + "   (shown once; only its hash is kept. Set scim.token_hashes or FULCRUM_SCIM_TOKEN to choose your own)";
    }
  }

  /**
   * Another node started at the same moment on the same fresh database (PostgreSQL) kept the token
   * it generated first ({@code hash}): this node accepts that one and has none to show. Only its
   * hash is kept, so the other node's output is the one place the token is.
   */
  record AnotherNodes(String hash) implements GeneratedTokenClaim {
    @Override
    public String line() {
      return "No SCIM token shown here: another node started at the same moment on this database generated the one"
          + " kept (" + BearerTokens.prefix(hash) + "), shown once in that node's output (journalctl -u fulcrum-scim |"
          + " grep 'SCIM token' there); this node accepts it too";
    }
  }
}
