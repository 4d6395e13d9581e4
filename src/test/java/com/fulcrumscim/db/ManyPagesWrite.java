package com.fulcrumscim.db;

import static com.fulcrumscim.db.SettingRows.setting;

import java.nio.file.Path;
import java.sql.PreparedStatement;

/**
 * A child JVM for {@link DatabaseTest}: one write through the engine that changes about 50 pages
 * that existed before it (about 200 KiB of savepoint undo, past the 64 KiB SQLite keeps in memory
 * unless told to keep it all there). Its parent gives it a temporary directory of its own
 * (SQLITE_TMPDIR) and watches what appears in it.
 */
final class ManyPagesWrite {
  private ManyPagesWrite() {}

  public static void main(String[] args) {
    try (Database db = Database.open(Path.of(args[0]))) {
      String large = "x".repeat(3_000);
      db.write(c -> {
        for (int i = 0; i < 50; i++) {
          setting(c, "k" + i, large);
        }
        return null;
      });
      db.write(c -> {
        try (PreparedStatement ps = c.prepareStatement("UPDATE setting SET value = ?")) {
          ps.setString(1, "y".repeat(3_000));
          return ps.executeUpdate();
        }
      });
    }
  }
}
