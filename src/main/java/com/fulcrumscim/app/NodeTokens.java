package com.fulcrumscim.app;

import com.fulcrumscim.config.DurationText;
import com.fulcrumscim.control.WriterLease;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.ops.WriterNode;
import com.fulcrumscim.scim.BearerTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which SCIM tokens each running {@code serve} accepts besides the generated one: its own config's
 * scim.token_hashes and the FULCRUM_SCIM_TOKEN of its own environment, by hash (never a token), kept
 * in the setting table while it runs. {@code token forget-generated} reads this: behind a balancer
 * every node receives Okta's requests and each has its own config and environment, so every one must
 * accept the token Okta is left with, and the command sees neither another node's config nor any
 * service's environment (packaged: /etc/fulcrum-scim/env).
 *
 * <p>One entry a process, named by its host and SCIM port and its writer-lease name (unique to the
 * process: two containers given one hostname each have their own). Each node writes its entry again
 * every lease life ({@code ha.lease_ttl}, its own: nodes may differ, so the entry says it) and at each
 * reload; one not written for {@link #LIVES} of its lease lives is a node killed outright (a pod name
 * never seen again) and no longer counts, and the next start of any node removes it.
 */
public final class NodeTokens {
  private static final Logger log = LoggerFactory.getLogger(NodeTokens.class);
  static final String PREFIX = "scim.node_tokens.";
  /** How many lease lives an entry counts after its node last wrote it. */
  static final int LIVES = 3;

  /**
   * One process's entry: {@code hashes} the tokens it accepts but the generated one, none when empty;
   * {@code every} how often its node writes it; {@code aheadMillis} how far its clock ran ahead of the
   * database's at that write (behind: negative; 0 from a release before 8 December's, which did not say);
   * {@code fulcrumProblem} what is wrong with its Fulcrum as it last found (another organization than the
   * links', its token refused), for status on any node.
   */
  public record Entry(String node, String holder, Instant written, Duration every, List<String> hashes, long aheadMillis,
      Optional<String> fulcrumProblem) {
    String describe() {
      return node + " " + prefixes(hashes);
    }

    /** Whether its node may still run at {@code now}: it wrote this within {@link #LIVES} of its lease lives. */
    boolean counts(Instant now) {
      return written.isAfter(now.minus(every.multipliedBy(LIVES)));
    }

    String key() {
      return PREFIX + node + "/" + holder;
    }
  }

  private final Database db;
  private final SettingStore settings;
  private final DatabaseClock clock;

  public NodeTokens(Database db, DatabaseClock clock) {
    this.db = db;
    this.settings = new SettingStore(db);
    this.clock = clock;
  }

  /**
   * At start, once the node listens: its entry, written again every {@code every} until the answer is
   * closed at a clean stop, which takes it away. {@code holder}: the node's writer-lease name. Takes away
   * the entries that no longer count, and only those: another process at this address may run (review-s12a F5).
   */
  Recorded record(String address, String holder, List<String> hashes, Duration every, ClockSkew skew) {
    return record(address, holder, hashes, every, skew, Optional::empty);
  }

  /** {@code fulcrumProblem}: what is wrong with this node's Fulcrum now, written with each entry. */
  Recorded record(String address, String holder, List<String> hashes, Duration every, ClockSkew skew,
      Supplier<Optional<String>> fulcrumProblem) {
    Map<String, Optional<String>> gone = new HashMap<>();
    entries(every, false).forEach(entry -> gone.put(entry.key(), Optional.empty()));
    settings.write(gone);
    return new Recorded(address, PREFIX + address + "/" + holder, hashes, every, skew, fulcrumProblem);
  }

  /** A running node's own entry. */
  final class Recorded implements AutoCloseable {
    private final String node;
    private final String key;
    private final Duration every;
    /** This node's clock against the database's, measured at each write. */
    private final ClockSkew skew;
    private final Supplier<Optional<String>> fulcrumProblem;
    private volatile List<String> hashes;
    /** The list the entry holds: its last write's. */
    private volatile List<String> recorded;
    /** Whether the last write failed: the entry may say other than the node does until the next one succeeds. */
    private boolean behind;
    /** Set when close begins: a write still in flight then rolls back (review-s13d 5). */
    private volatile boolean closed;
    /** The entries of other nodes whose differing ha.lease_ttl this node said already (its writing thread's). */
    private final Set<String> saidDiffering = new HashSet<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "node-tokens");
      t.setDaemon(true);
      return t;
    });

    private Recorded(String node, String key, List<String> hashes, Duration every, ClockSkew skew,
        Supplier<Optional<String>> fulcrumProblem) {
      this.node = node;
      this.key = key;
      this.every = every;
      this.skew = skew;
      this.fulcrumProblem = fulcrumProblem;
      this.hashes = List.copyOf(hashes);
      write();
      thread.scheduleWithFixedDelay(this::writeOrLog, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * At a reload, once its tokens are in force: a token taken out is refused at once, whatever the
     * database does. The entry follows; when it cannot be written the reload stands all the same,
     * and the next scheduled write tries again (review-s12a F2).
     */
    void accepting(List<String> now) {
      hashes = List.copyOf(now);
      try {
        write();
      } catch (RuntimeException e) {
        log.error("SCIM tokens reloaded, but this node's record of them could not be written ({}): until it is (tried"
            + " again every {}; a line says when), `token forget-generated` takes this node to accept what it recorded"
            + " last ({}), and from {} after its last write on does not count it (and is refused while this node"
            + " holds the writer lease): run it only after that line", e.toString(), DurationText.of(every), prefixes(recorded),
            DurationText.of(every.multipliedBy(LIVES)));
      }
    }

    /**
     * One write at a time, of the list as it is once this write's turn comes: a scheduled write that
     * began before a reload commits before the reload's, never after it with the list the reload
     * replaced (review-s12a F5).
     */
    private synchronized void write() {
      List<String> current = hashes;
      ClockSkew.Reading reading;
      try {
        reading = db.write(c -> {
          ClockSkew.Reading now = skew.read(c, clock);
          settings.write(c, Map.of(key, Optional.of(value(now.databaseMillis(), current, every, now.aheadMillis(),
              fulcrumProblem.get()))));
          // after the row is written and locked: close's removal then waits for this transaction, or came first
          if (closed) {
            throw new Closed();
          }
          return now;
        });
      } catch (Closed e) {
        return;
      } catch (RuntimeException e) {
        behind = true;
        throw e;
      }
      recorded = current;
      skew.measured(reading, node);
      if (behind) {
        behind = false;
        log.info("this node's record of the SCIM tokens it accepts is written again ({}): `token forget-generated`"
            + " counts it as it is", prefixes(current));
      }
    }

    private void writeOrLog() {
      try {
        write();
      } catch (RuntimeException e) {
        // the next one may succeed; meanwhile the entry ages, and past its end forget-generated does not count it
        log.warn("could not record which SCIM tokens this node accepts (token forget-generated reads it): {}", e.toString());
        return;
      }
      try {
        sayDifferingLeaseTtls();
      } catch (RuntimeException e) {
        // a read the database did not answer right after the write: the next write looks again
      }
    }

    /**
     * One WARN line for each running node whose ha.lease_ttl is not this node's, when first seen: each
     * node times the lease by its own (how soon a standby takes over, its fence, how long operator
     * commands wait), so nodes that differ fail over other than either config says.
     */
    private void sayDifferingLeaseTtls() {
      for (Entry other : live(every)) {
        if (!other.key().equals(key) && !other.every().equals(every) && saidDiffering.add(other.key())) {
          log.warn("ha.lease_ttl differs between running nodes: {} on this node ({}), {} on {}: each times the writer"
              + " lease by its own; set the same ha.lease_ttl on every node (README, High availability)",
              DurationText.of(every), key.substring(PREFIX.length()), DurationText.of(other.every()),
              other.key().substring(PREFIX.length()));
        }
      }
    }

    /** {@link #close(StopBudget)} with the whole of a stop's budget. */
    @Override
    public void close() {
      close(StopBudget.of(StopBudget.WHOLE));
    }

    /**
     * A clean stop takes the entry away, within the lease's bound and what is left of the stop's
     * {@code budget}: a database that does not answer in time (systemd kills a stop after 60 s,
     * review-s12e F3) leaves it to age out. A write in flight is not waited for: it sees {@link #closed}
     * in its own transaction and rolls back, so it cannot put the entry back after this removal. Nor is
     * it interrupted: one waiting its turn at the SQLite file said it could not record (review-s14c F8).
     */
    void close(StopBudget budget) {
      closed = true;
      thread.shutdown(); // drops the scheduled writes not begun
      try {
        settings.write(Map.of(key, Optional.empty()), budget.within(WriterLease.bound(every)));
      } catch (RuntimeException e) {
        log.warn("could not take away this node's record of the SCIM tokens it accepts ({}): `token forget-generated`"
            + " counts this node until the record ages out, {} after its last write", e.toString(),
            DurationText.of(every.multipliedBy(LIVES)));
      }
    }
  }

  /** A write that found its node's entry closed meanwhile: rolled back. */
  private static final class Closed extends RuntimeException {
    Closed() {
      super("closed", null, false, false);
    }
  }

  /**
   * The entries written within {@link #LIVES} of their node's lease lives, on the database's clock, in key
   * order. {@code unstated}: the lease life of an entry that does not say (a release before 8 December's).
   */
  public List<Entry> live(Duration unstated) {
    return entries(unstated, true);
  }

  /** The entries that count ({@code counted}) or those that no longer do. */
  private List<Entry> entries(Duration unstated, boolean counted) {
    List<String> keys = settings.keysStartingWith(PREFIX);
    return db.read(c -> {
      Instant now = Instant.ofEpochMilli(clock.millis(c));
      List<Entry> entries = new ArrayList<>();
      for (String key : keys) {
        // an entry removed meanwhile is a node that stopped
        Optional<Entry> entry = settings.get(c, key).map(value -> entry(key.substring(PREFIX.length()), value, unstated));
        entry.filter(e -> e.counts(now) == counted).ifPresent(entries::add);
      }
      return entries;
    });
  }

  /**
   * An entry's value: when written, the hashes, how often its node writes it, how far its clock ran
   * ahead of the database's, and the node's Fulcrum problem if any. The interval comes after the hashes:
   * a command of an earlier release reads it as part of the last hash, which then matches no token, so it
   * refuses rather than counting a token wrongly. A release that reads the interval ignores what follows
   * it; the Fulcrum problem comes last, as its text may hold the separator.
   */
  private static String value(long written, List<String> hashes, Duration every, long aheadMillis,
      Optional<String> fulcrumProblem) {
    return written + ";" + String.join(",", hashes) + ";" + every.toMillis() + ";" + aheadMillis
        + fulcrumProblem.map(p -> ";" + p).orElse("");
  }

  private static Entry entry(String name, String value, Duration unstated) {
    int slash = name.indexOf('/');
    String[] fields = value.split(";", 5);
    return new Entry(name.substring(0, slash), name.substring(slash + 1), Instant.ofEpochMilli(Long.parseLong(fields[0])),
        fields.length > 2 ? Duration.ofMillis(Long.parseLong(fields[2])) : unstated,
        fields[1].isEmpty() ? List.of() : Arrays.asList(fields[1].split(",")),
        fields.length > 3 ? Long.parseLong(fields[3]) : 0,
        fields.length > 4 ? Optional.of(fields[4]) : Optional.empty());
  }

  /**
   * The holder of {@code lease} as an operator finds it: its node's address from the entry written by
   * that process ({@code live}), else, for an operator command or a node not recorded yet, the lease's name.
   */
  public static WriterNode writer(WriterLease.Holder lease, List<Entry> live) {
    String name = live.stream().filter(e -> e.holder().equals(lease.holder())).map(Entry::node).findFirst()
        .orElse(lease.role() == WriterLease.Role.DAEMON ? lease.holder() : "an operator command (" + lease.holder() + ")");
    return new WriterNode(name, lease.acquiredAt());
  }

  /** Set when the entries' ha.lease_ttl differ: each node's, for {@code status}. */
  public static Optional<String> differingLeaseTtls(List<Entry> live) {
    if (live.stream().map(Entry::every).distinct().count() < 2) {
      return Optional.empty();
    }
    return Optional.of("ha.lease_ttl differs between running nodes: " + live.stream()
        .map(e -> DurationText.of(e.every()) + " on " + e.node()).collect(Collectors.joining(", "))
        + "; each times the writer lease by its own: set the same on every node");
  }

  /** Each running node's Fulcrum problem (review-s17ha F1, F6), one line each, for {@code status}. */
  public static List<String> fulcrumProblems(List<Entry> live) {
    return live.stream().flatMap(e -> e.fulcrumProblem().map(p -> "the node " + e.node() + ": " + p).stream()).toList();
  }

  /**
   * Set when a running node's clock is off the database's by more than {@link ClockSkew#SAID_BEYOND} at its
   * last write: each such node and by how much, for {@code status} (review-s17ha F4).
   */
  public static Optional<String> clocksOff(List<Entry> live) {
    List<Entry> off = live.stream().filter(e -> Math.abs(e.aheadMillis()) > ClockSkew.SAID_BEYOND.toMillis()).toList();
    if (off.isEmpty()) {
      return Optional.empty();
    }
    return Optional.of("the clock of " + off.stream().map(e -> e.node() + " runs " + ClockSkew.describe(e.aheadMillis()))
        .collect(Collectors.joining(", of ")) + " the database server's: fix its time sync (NTP, chrony); until then its"
        + " logs and timings are off by that much");
  }

  /** A token every entry accepts (the first in the first entry's order); empty when none does or there is no entry. */
  public static Optional<String> common(List<Entry> entries) {
    return entries.isEmpty() ? Optional.empty() : entries.get(0).hashes().stream()
        .filter(hash -> entries.stream().allMatch(e -> e.hashes().contains(hash))).findFirst();
  }

  /** The entries as a line names them: node, then its tokens' hash prefixes or "none". */
  public static String describe(List<Entry> entries) {
    return entries.stream().map(Entry::describe).collect(Collectors.joining(", "));
  }

  private static String prefixes(List<String> hashes) {
    return hashes.isEmpty() ? "none" : hashes.stream().map(BearerTokens::prefix).collect(Collectors.joining("/"));
  }
}
