package com.fulcrumscim.scim;

import io.javalin.http.Context;
import java.util.Locale;
import java.util.Optional;

/**
 * Why the SCIM endpoint refused a request's authentication, kept on the request for the daemon's
 * counter ({@code fulcrum_scim_auth_failures_total{reason}}): an identity provider presenting a
 * token the bridge no longer accepts (a rotation half done) is told apart from strangers sending none.
 */
public enum AuthRefusal {
  /** No Authorization header, or not a bearer token: rarely the identity provider (a scanner, a probe). */
  NO_TOKEN,
  /** A bearer token that matches no accepted hash: the identity provider's old or new one after a rotation, or a guess. */
  WRONG_TOKEN,
  /** 429 without a look at the token: its address failed more than scim.auth_failures_per_minute this minute. */
  THROTTLED;

  private static final String ATTRIBUTE = "fulcrum-scim.auth-refusal";

  /** The counter's {@code reason} label. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  void markOn(Context ctx) {
    ctx.attribute(ATTRIBUTE, this);
  }

  /** The refusal {@code ctx}'s request met, if its authentication was refused. */
  public static Optional<AuthRefusal> of(Context ctx) {
    return Optional.ofNullable(ctx.attribute(ATTRIBUTE));
  }
}
