package com.fulcrumscim.ops;

import com.fulcrumscim.db.Database;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether the bridge can accept SCIM changes right now: the database answers a read, nothing
 * says a write would fail, and its schema is not newer than this build knows (a newer release
 * migrated it while this node ran). Feeds {@code /readyz}. A paused reconciler does not make the bridge
 * unready: intake keeps journaling changes while paused, and pulling it from a load balancer would
 * lose them; the pause shows in {@code /healthz}, {@code status} and a metric instead.
 * Probes only read, so a probe every second leaves the database file as it was.
 */
public final class Readiness {
  /** The answer: {@code reason} is empty when ready. */
  public record Verdict(Optional<String> reason) {
    public boolean ready() {
      return reason.isEmpty();
    }
  }

  private final Database db;
  private final Supplier<Optional<String>> otherOrganization;
  private volatile boolean stopping;

  public Readiness(Database db) {
    this(db, Optional::empty);
  }

  /**
   * {@code otherOrganization}: why this node's Fulcrum token is in another organization than the
   * database's links, if it is: it never leads, so intake goes to the nodes that may (review-s17ha F1).
   */
  public Readiness(Database db, Supplier<Optional<String>> otherOrganization) {
    this.db = db;
    this.otherOrganization = otherOrganization;
  }

  /** The node is stopping (SIGTERM): not ready from now on, so a balancer sends intake elsewhere first. */
  public void stopping() {
    stopping = true;
  }

  public Verdict check() {
    if (stopping) {
      return new Verdict(Optional.of("this node is stopping"));
    }
    Optional<String> other = otherOrganization.get();
    if (other.isPresent()) {
      return new Verdict(other);
    }
    Optional<String> problem = db.writeProblem();
    if (problem.isPresent()) {
      return new Verdict(problem.map(p -> "database not writable: " + p));
    }
    try {
      // what this node would store, a newer release may read otherwise: send intake to the nodes that know it
      Optional<String> newer = db.newerSchema();
      if (newer.isPresent()) {
        return new Verdict(newer);
      }
    } catch (RuntimeException e) {
      return new Verdict(Optional.of("database not readable: " + e.getMessage()));
    }
    try {
      db.read(c -> {
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM setting")) {
          return rs.next();
        }
      }, Database.PROBE_BOUND);
      return new Verdict(Optional.empty());
    } catch (RuntimeException e) {
      return new Verdict(Optional.of("database not readable: " + e.getMessage()));
    }
  }
}
