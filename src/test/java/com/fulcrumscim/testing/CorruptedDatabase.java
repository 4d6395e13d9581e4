package com.fulcrumscim.testing;

import com.fulcrumscim.db.Database;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;

/** A real bridge database of a few pages whose pages past the first two were overwritten with garbage. */
public final class CorruptedDatabase {
  private CorruptedDatabase() {}

  public static void write(Path file) throws Exception {
    try (Database db = Database.open(file)) {
      for (int i = 0; i < 200; i++) {
        String key = "key-" + i;
        db.write(c -> {
          try (PreparedStatement ps = c.prepareStatement("INSERT INTO setting(key, value) VALUES (?, ?)")) {
            ps.setString(1, key);
            ps.setString(2, "x".repeat(200));
            return ps.executeUpdate();
          }
        });
      }
    }
    byte[] bytes = Files.readAllBytes(file);
    int pageSize = ((bytes[16] & 0xff) << 8) | (bytes[17] & 0xff);
    for (int at = 2 * pageSize; at < bytes.length; at += 7) {
      bytes[at] = (byte) 0xA5;
    }
    Files.write(file, bytes);
  }
}
