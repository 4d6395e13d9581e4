package com.fulcrumscim.db;

import java.sql.Connection;
import java.sql.SQLException;

/**
 * Whether this process may still claim work, asked first in the very transaction that claims (work
 * rows, operator requests). A node that checked its lease in memory and then stalled past it must
 * not claim after another node took over: that node's one-time rescue at take-over would not see
 * the claim, and the claimed row would wait for a node that never comes back to it.
 */
@FunctionalInterface
public interface ClaimFence {
  /** For a process that is the only writer by other means (SQLite's store lock, tests): no check. */
  ClaimFence NONE = c -> true;

  /** Whether claims may go on in {@code c}'s transaction; may lock what it reads until the commit. */
  boolean holds(Connection c) throws SQLException;
}
