package com.fulcrumscim.control;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.SettingStore;
import java.time.Duration;
import java.util.Optional;

/**
 * The last node whose start check found Fulcrum accepting its own API token, kept in the setting
 * table (review-s11b: one node with a wrong token led, paused, and kept the lease while a node with
 * a working one stood by). A leader paused on its own refused token hands the lease over when
 * another node is named here, and takes the name as it does: one report makes one hand-over at
 * most, so a node that stopped since, or whose token was revoked with this one's, cannot send the
 * lease round the nodes; the node that takes over probes, and pauses in its turn if refused too.
 */
public final class AcceptedTokens {
  static final String KEY = "ha.token_accepted_by";

  private final Database db;
  private final SettingStore settings;
  private final String me;

  /** {@code me}: this node, as its writer lease names it ({@link WriterLease#me()}). */
  public AcceptedTokens(Database db, String me) {
    this.db = db;
    this.settings = new SettingStore(db);
    this.me = me;
  }

  /** Fulcrum accepted this node's token at its start. */
  public void mine() {
    settings.put(KEY, me);
  }

  /** Another node Fulcrum accepted the token of since the last hand-over, taken; within {@code bound}. */
  public Optional<String> takeAnothers(Duration bound) {
    return db.write(c -> settings.take(c, KEY), bound).filter(node -> !node.equals(me));
  }
}
