package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.SettingStore;
import java.util.Map;
import java.util.Optional;

/**
 * Whether Fulcrum refused the token, kept in the setting table ({@value #KEY}) so that status,
 * /readyz and a restarted daemon all see it; with the read Fulcrum refused if that paused it
 * ({@value #READ_KEY}), so that a restarted daemon, or another node, probes that read.
 */
public final class Pause {
  public static final String KEY = "reconciler.paused";
  private static final String READ_KEY = "reconciler.paused_read";

  private final SettingStore settings;

  public Pause(Database db) {
    this.settings = new SettingStore(db);
  }

  /** Why the reconciler is paused; empty when it runs. */
  public Optional<String> reason() {
    return settings.get(KEY);
  }

  /** The endpoint of the read every plan needs that Fulcrum refused, if that is why it paused. */
  Optional<String> refusedRead() {
    return settings.get(READ_KEY);
  }

  void pause(String reason, Optional<String> refusedRead) {
    settings.write(Map.of(KEY, Optional.of(reason), READ_KEY, refusedRead));
  }

  void resume() {
    settings.write(Map.of(KEY, Optional.empty(), READ_KEY, Optional.empty()));
  }
}
