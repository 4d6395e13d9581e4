package com.fulcrumscim.cli;

import com.fulcrumscim.db.Database;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.time.Instant;

/** Runs {@code Main.run(args)} against a config in a temporary directory and captures what it prints. */
public final class OpsCliRun {
  public record Result(int exit, String out, String err) {}

  final Path dir;
  final Path config;
  final Path database;

  /** Writes {@code config.yml} in {@code dir} pointing storage.path at {@code dir/bridge.db}, plus {@code extraYaml}. */
  OpsCliRun(Path dir, String extraYaml) throws IOException {
    this.dir = dir;
    this.database = dir.resolve("bridge.db");
    this.config = dir.resolve("config.yml");
    Files.writeString(config, "storage:\n  path: " + database + "\n" + extraYaml);
  }

  public OpsCliRun(Path dir) throws IOException {
    this(dir, "");
  }

  /** Creates and migrates the database, as `serve` would have. */
  Database openDatabase() {
    return Database.open(database);
  }

  /** A link row, as a push made it: {@code entityType} USER or GROUP. */
  static void link(Database db, String entityType, String scimId, String fulcrumId) {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement(
          "INSERT INTO link (entity_type, scim_id, fulcrum_id, origin, linked_at) VALUES (?, ?, ?, 'CREATED', 0)")) {
        ps.setString(1, entityType);
        ps.setString(2, scimId);
        ps.setString(3, fulcrumId);
        return ps.executeUpdate();
      }
    });
  }

  static void audit(Database db, Instant at, String entityType, String scimId, String action, String result, String detail) {
    db.write(c -> {
      try (PreparedStatement ps = c.prepareStatement("INSERT INTO reconcile_audit "
          + "(at, entity_type, scim_id, action, fulcrum_id, result, detail) VALUES (?, ?, ?, ?, ?, ?, ?)")) {
        ps.setLong(1, at.toEpochMilli());
        ps.setString(2, entityType);
        ps.setString(3, scimId);
        ps.setString(4, action);
        ps.setString(5, "f-" + scimId);
        ps.setString(6, result);
        ps.setString(7, detail);
        return ps.executeUpdate();
      }
    });
  }

  public Result run(String... args) {
    PrintStream out = System.out;
    PrintStream err = System.err;
    ByteArrayOutputStream outBytes = new ByteArrayOutputStream();
    ByteArrayOutputStream errBytes = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(outBytes, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(errBytes, true, StandardCharsets.UTF_8));
      int exit = Main.run(args);
      return new Result(exit, outBytes.toString(StandardCharsets.UTF_8), errBytes.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(out);
      System.setErr(err);
    }
  }

  /** {@code verb args... --config <this config>}. */
  Result runWithConfig(String... args) {
    String[] all = java.util.Arrays.copyOf(args, args.length + 2);
    all[args.length] = "--config";
    all[args.length + 1] = config.toString();
    return run(all);
  }
}
