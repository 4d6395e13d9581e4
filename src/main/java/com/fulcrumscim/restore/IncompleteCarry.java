package com.fulcrumscim.restore;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.SettingStore;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A restore that could not carry forward everything the replaced database held newer than the
 * backup, recorded in the restored database (the setting table): a WARNING on the restore's stderr
 * is read once or never, while a deactivation among what was lost leaves that person's access in
 * Fulcrum for good. {@code status} shows it, and exits 3, until an operator who followed the README
 * step says so ({@code fulcrum-scim restore acknowledge}) or a later restore records its own carry.
 * Nothing else clears it: a resync compares with Fulcrum, not with what Okta sent after the backup,
 * so it cannot tell that a lost deactivation was dealt with. {@code notCarried}: what the restore's
 * WARNING listed, one line each.
 */
public record IncompleteCarry(Instant at, List<String> notCarried) {
  /** Apart from the restore marker's keys ("restore."): `restore release --all` ends its holds, not this. */
  static final String KEY = "carry_forward.incomplete";

  public IncompleteCarry {
    notCarried = List.copyOf(notCarried);
  }

  /** The carry's outcome, recorded at {@code at}: an incomplete one kept, a complete one clearing any earlier. */
  public static void record(Database db, Instant at, Carried carried) {
    write(db, carried.complete() ? Optional.empty() : Optional.of(new IncompleteCarry(at, carried.notCarried())));
  }

  /** Nothing carried: no replaced database could be named ({@code why}). */
  public static void recordNothing(Database db, Instant at, String why) {
    write(db, Optional.of(new IncompleteCarry(at, List.of(why))));
  }

  public static Optional<IncompleteCarry> current(Database db) {
    return new SettingStore(db).get(KEY).map(IncompleteCarry::parse);
  }

  /** The operator dealt with it; answers what was recorded, empty when nothing was. */
  public static Optional<IncompleteCarry> acknowledge(Database db) {
    return db.write(c -> new SettingStore(db).take(c, KEY)).map(IncompleteCarry::parse);
  }

  private static void write(Database db, Optional<IncompleteCarry> carry) {
    new SettingStore(db).write(Map.of(KEY, carry.map(IncompleteCarry::format)));
  }

  /** The time, then one line per thing not carried (each line's own breaks made spaces). */
  private String format() {
    StringBuilder out = new StringBuilder(at.toString());
    notCarried.forEach(line -> out.append('\n').append(line.replaceAll("\\s+", " ")));
    return out.toString();
  }

  private static IncompleteCarry parse(String value) {
    List<String> lines = Arrays.asList(value.split("\n"));
    return new IncompleteCarry(Instant.parse(lines.get(0)), lines.subList(1, lines.size()));
  }
}
