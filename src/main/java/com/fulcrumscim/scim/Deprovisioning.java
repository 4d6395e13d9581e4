package com.fulcrumscim.scim;

import com.fulcrumscim.journal.TerminalText;
import io.javalin.http.Context;
import java.util.Optional;

/**
 * A user's SCIM request that takes the person's access away, kept on the request: one refused for
 * an id the bridge does not have (its state lost, an older backup restored) is the person an
 * operator must check in Fulcrum by hand, so its line says so, is never held back by the unknown-id
 * lines' share, and is counted apart ({@code fulcrum_scim_unknown_id_writes_total{op}}).
 * {@code userName}: as the request gives it (a PUT's body), else null.
 */
public record Deprovisioning(Op op, String userName) {
  /** What the request does to the user. */
  public enum Op {
    /** A PUT or PATCH setting {@code active} to false. */
    DEACTIVATE("deactivates", "deactivate_user"),
    /** A DELETE, as Entra deprovisions. */
    DELETE("deletes", "delete_user");

    private final String verb;
    private final String label;

    Op(String verb, String label) {
      this.verb = verb;
      this.label = label;
    }

    /** The counter's {@code op} label. */
    public String label() {
      return label;
    }
  }

  private static final String ATTRIBUTE = "fulcrum-scim.deprovisioning";
  /** Characters of an id or userName a log line keeps. */
  private static final int MAX_LOGGED = 200;

  void markOn(Context ctx) {
    ctx.attribute(ATTRIBUTE, this);
  }

  /** What {@code ctx}'s request does to a user's access, if it takes it away. */
  public static Optional<Deprovisioning> of(Context ctx) {
    return Optional.ofNullable(ctx.attribute(ATTRIBUTE));
  }

  /** "deactivates user ID (userName NAME)", for a log line: each cut to a bound, as a client sent them. */
  String describe(String id) {
    return op.verb + " user " + TerminalText.cut(id, MAX_LOGGED) + (userName == null ? ""
        : " (userName " + TerminalText.cut(userName, MAX_LOGGED) + ")");
  }
}
