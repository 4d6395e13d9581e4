package com.fulcrumscim.reconcile;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.config.ConfigException;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.MemberAddresses;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which Fulcrum the link rows point into, kept in the setting table ({@value #KEY}): {@code
 * embedded} or the base URL. The links are all the bridge knows of what it owns, so they must not
 * outlive their target, nor be forgotten for a passing one:
 * <ul>
 *   <li>the embedded emulator starts empty on every run, so a start against it forgets the links
 *       into the previous run's emulator and queues every stored user and group to be pushed again;
 *   <li>a database whose links are into a real Fulcrum is never given to the emulator: forgetting
 *       them would leave Okta's deactivations removing no one there. {@code embedded} is also the
 *       default for a missing key (a second node's config, a maintainer's config.yml taken at an
 *       upgrade), so this is a refusal to start, not a question;
 *   <li>from the emulator to a real Fulcrum, the emulator's links point at nothing: forgotten, and
 *       every stored user and group is pushed into the real one;
 *   <li>from one real URL to another the links are kept: the same organization can sit behind
 *       another host name.
 * </ul>
 */
public final class LinkTarget {
  public static final String KEY = "fulcrum.link_target";
  private static final String EMBEDDED = BridgeConfig.Fulcrum.EMBEDDED;
  private static final Logger log = LoggerFactory.getLogger(LinkTarget.class);

  private LinkTarget() {}

  /** What was recorded before this start (empty: nothing), how many entities were queued, and why not to start. */
  private record Settled(Optional<String> before, int requeued, Optional<String> refusal, boolean keptForAnother) {}

  /**
   * Records {@code target} ({@code embedded} or a base URL) as where the links point, doing what the
   * change from the recorded one asks; returns how many users and groups were queued to be pushed
   * again. Throws a {@link ConfigException} on {@code fulcrum.base_url}, with nothing changed, when
   * {@code embedded} would forget links into a real Fulcrum.
   */
  public static int settle(Database db, WorkQueue queue, String target) {
    return settle(db, queue, target, Optional.empty());
  }

  /**
   * {@code otherNode}: another node that holds the writer lease or held it less than a lease ago,
   * as the lease names it. A real URL other than the real one recorded is then not recorded, but
   * named in one ERROR line: that node runs with the recorded one, and nodes whose configs differ
   * rewrote it at each start, each with its WARN line (review-s11b F-config-mismatch). The links
   * are kept either way; the leader records its own URL at take-over ({@link #led}).
   */
  public static int settle(Database db, WorkQueue queue, String target, Optional<String> otherNode) {
    Settled settled = db.write(c -> settle(c, queue, target, otherNode));
    if (settled.refusal().isPresent()) {
      throw new ConfigException("config", "fulcrum.base_url", settled.refusal().get());
    }
    if (settled.keptForAnother()) {
      log.error("fulcrum.base_url is {} on this node, but the database records {} (fulcrum.link_target), and {} holds or"
          + " just held the writer lease: give every node the same fulcrum.base_url. The recorded one is kept, and so are"
          + " the links; this node writes to {} if it leads", target, settled.before().orElseThrow(), otherNode.orElseThrow(), target);
      return 0;
    }
    settled.before().filter(before -> !same(before, target)).ifPresent(before -> {
      if (EMBEDDED.equals(before)) {
        log.warn("fulcrum.base_url is {} now: this database's links were into the embedded emulator, which is gone with "
            + "its run; they are forgotten, and {} stored users and groups are pushed into {}", target, settled.requeued(), target);
      } else if (!EMBEDDED.equals(target)) {
        changed(before, target);
      }
    });
    return settled.requeued();
  }

  /** A node that takes the writer lease over records its real {@code target}: where the leader writes is what the database says. */
  public static void led(Database db, String target) {
    if (EMBEDDED.equals(target)) {
      return;
    }
    db.write(c -> {
      Optional<String> before = recorded(c).filter(b -> !EMBEDDED.equals(b) && !same(b, target));
      if (before.isPresent()) {
        record(c, target);
      }
      return before;
    }).ifPresent(before -> changed(before, target));
  }

  private static void changed(String before, String target) {
    log.warn("fulcrum.base_url changed from {} to {}: the links are kept, taken to be into the same Fulcrum organization "
        + "under another name (another organization needs a database of its own)", before, target);
  }

  private static Settled settle(Connection c, WorkQueue queue, String target, Optional<String> otherNode) throws SQLException {
    boolean embedded = EMBEDDED.equals(target);
    Optional<String> before = recorded(c);
    if (before.isEmpty()) {
      // Recorded by none of the releases before this one: links may be a real Fulcrum's
      int links = links(c);
      if (embedded && links > 0) {
        return refused(before, "is 'embedded' (also the default when the key is missing), but this database holds " + links
            + " links made before the bridge recorded which Fulcrum they point into; they may be a real Fulcrum's, and the "
            + "emulator would forget them. Set fulcrum.base_url to that Fulcrum's URL, or give the emulator a database of "
            + "its own (storage.path or storage.url)");
      }
      if (!recordFirst(c, target)) {
        before = recorded(c); // another node recorded one meanwhile: settle against that
      }
    }
    if (embedded && before.isPresent() && !EMBEDDED.equals(before.get())) {
      return refused(before, "is 'embedded' (also the default when the key is missing), but this database's links point "
          + "into the Fulcrum at " + before.get() + "; the emulator would forget them, and Okta's deactivations would no "
          + "longer remove anyone there. Set fulcrum.base_url: " + before.get() + ", or give the emulator a database of "
          + "its own (storage.path or storage.url)");
    }
    if (before.isPresent() && !same(before.get(), target)) {
      if (otherNode.isPresent() && !embedded && !EMBEDDED.equals(before.get())) {
        return new Settled(before, 0, Optional.empty(), true);
      }
      record(c, target);
    }
    boolean forget = embedded || before.filter(EMBEDDED::equals).isPresent();
    return new Settled(before, forget ? forgetLinksAndRequeue(c, queue) : 0, Optional.empty(), false);
  }

  private static Settled refused(Optional<String> before, String why) {
    return new Settled(before, 0, Optional.of(why), false);
  }

  /** Trailing slashes aside: "https://x/" and "https://x" are one target. */
  static boolean same(String a, String b) {
    return a.replaceAll("/+$", "").equals(b.replaceAll("/+$", ""));
  }

  /** The recorded target; on PostgreSQL locked until the commit, so two nodes starting at once settle one after the other. */
  static Optional<String> recorded(Connection c) throws SQLException {
    String lock = Dialect.of(c) == Dialect.POSTGRESQL ? " FOR UPDATE" : "";
    try (PreparedStatement ps = c.prepareStatement("SELECT value FROM setting WHERE key = ?" + lock)) {
      ps.setString(1, KEY);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
      }
    }
  }

  /** Whether {@code target} is now recorded by this transaction: false when another node recorded one first. */
  private static boolean recordFirst(Connection c, String target) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO setting (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING")) {
      ps.setString(1, KEY);
      ps.setString(2, target);
      return ps.executeUpdate() == 1;
    }
  }

  private static void record(Connection c, String target) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("UPDATE setting SET value = ? WHERE key = ?")) {
      ps.setString(1, target);
      ps.setString(2, KEY);
      ps.executeUpdate();
    }
  }

  private static int links(Connection c) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*) FROM link")) {
      rs.next();
      return rs.getInt(1);
    }
  }

  /**
   * Forgets every link, unfinished create and address a member had (all of the other Fulcrum), and
   * queues every desired entity; returns how many were queued.
   */
  private static int forgetLinksAndRequeue(Connection c, WorkQueue queue) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.executeUpdate("DELETE FROM link");
      s.executeUpdate("DELETE FROM reconcile_intent");
    }
    MemberAddresses.forgetAll(c);
    int queued = 0;
    for (ResourceKey key : DesiredState.keys(c)) {
      queue.enqueue(c, key, false);
      queued++;
    }
    return queued;
  }
}
