package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.Migrations;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.WorkQueue;
import java.time.Clock;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Whether Fulcrum refused the token, kept in the setting table ({@value #KEY}) so that status,
 * /readyz and a restarted daemon all see it; with the read Fulcrum refused if that paused it
 * ({@value #READ_KEY}), so that a restarted daemon, or another node, probes that read; and since
 * when ({@value #SINCE_KEY}), so that whichever process ends the pause gives that time back to the
 * retry budgets it would otherwise have spent ({@link WorkQueue#creditPausedTime}).
 */
public final class Pause {
  public static final String KEY = "reconciler.paused";
  private static final String READ_KEY = "reconciler.paused_read";
  /** Set anew by a restore ({@link Migrations#forgetTheBackupsProcesses}). */
  private static final String SINCE_KEY = Migrations.PAUSED_SINCE;

  private final Database db;
  private final SettingStore settings;
  private final WorkQueue queue;
  private final Clock clock;

  /** Names the node that paused in the reason, when several may ({@link ReconcileWiring#onNode}). */
  private final Optional<String> node;

  public Pause(Database db, WorkQueue queue, Clock clock) {
    this(db, queue, clock, Optional.empty());
  }

  Pause(Database db, WorkQueue queue, Clock clock, Optional<String> node) {
    this.node = node;
    this.db = db;
    this.settings = new SettingStore(db);
    this.queue = queue;
    this.clock = clock;
  }

  /** Why the reconciler is paused; empty when it runs. */
  public Optional<String> reason() {
    return settings.get(KEY);
  }

  /** The endpoint of the read every plan needs that Fulcrum refused, if that is why it paused. */
  Optional<String> refusedRead() {
    return settings.get(READ_KEY);
  }

  /** Pauses, or, already paused (another node paused first), gives the new reason and keeps when it began. */
  void pause(String reason, Optional<String> refusedRead) {
    // another node's token may work: its /healthz must not send the operator to fix the wrong node (review-s11b)
    String named = node.map(n -> "on the node " + n + ": " + reason).orElse(reason);
    db.write(c -> {
      Map<String, Optional<String>> values = new HashMap<>(Map.of(KEY, Optional.of(named), READ_KEY, refusedRead));
      if (settings.get(c, KEY).isEmpty()) {
        values.put(SINCE_KEY, Optional.of(Long.toString(clock.millis())));
      }
      settings.write(c, values);
      return null;
    });
  }

  /**
   * Ends the pause and credits its time, in one transaction: the start is taken, not read, so of
   * two nodes resuming at once (one stalled past its lease), or a resume repeated, only one credits
   * it. A pause begun by a release that did not record its start credits nothing.
   */
  void resume() {
    db.write(c -> {
      Optional<String> since = settings.take(c, SINCE_KEY);
      settings.write(c, Map.of(KEY, Optional.empty(), READ_KEY, Optional.empty()));
      if (since.isPresent()) {
        queue.creditPausedTime(c, Instant.ofEpochMilli(Long.parseLong(since.get())));
      }
      return null;
    });
  }
}
