package com.fulcrumscim.reconcile;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.DesiredGroup;
import com.fulcrumscim.journal.DesiredState;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkQueue;
import java.sql.Statement;
import java.util.List;

/**
 * The embedded emulator starts empty on every run, so the ids the bridge linked in an earlier run
 * point at nothing. Forgetting those links and queueing every desired entity pushes the whole
 * desired state into the fresh emulator. Never used against a real Fulcrum.
 */
public final class TargetReset {
  private TargetReset() {}

  /** Returns how many entities were queued. */
  public static int forgetLinksAndRequeue(Database db, WorkQueue queue) {
    DesiredState desired = new DesiredState(db);
    List<ResourceKey> keys = new java.util.ArrayList<>();
    desired.users().stream().map(DesiredUser::id).map(ResourceKey::user).forEach(keys::add);
    desired.groups().stream().map(DesiredGroup::id).map(ResourceKey::group).forEach(keys::add);
    return db.write(c -> {
      try (Statement s = c.createStatement()) {
        s.executeUpdate("DELETE FROM link");
        s.executeUpdate("DELETE FROM reconcile_intent");
      }
      for (ResourceKey key : keys) {
        queue.enqueue(c, key);
      }
      return keys.size();
    });
  }
}
