package com.fulcrumscim.db;

import java.nio.file.Path;

/**
 * {@code backup FILE}: a consistent copy of the bridge's SQLite file, of whatever schema version it
 * has. "Back up before you upgrade" means a file of the release before, and after a rollback the
 * old release backs up what a newer one wrote: the copy is of pages, which the schema does not
 * change, and a restore checks the version then.
 */
public final class SqliteBackup {
  private SqliteBackup() {}

  /**
   * Copies the bridge database at {@code database} to the new file {@code target} (see
   * {@link SqliteEngine#copy}); answers the schema version the copy has, and this build's.
   * A file that is not a bridge database is refused before {@code target} is made.
   */
  public static Migrations.Versions copy(Path database, Path target) {
    Path source = database.toAbsolutePath();
    BridgeFile.versions(source);
    SqliteEngine.copy(source, target);
    return BridgeFile.versions(target.toAbsolutePath());
  }
}
