package com.fulcrumscim.fulcrum;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.BiPredicate;
import java.util.function.Function;

/** Fields to create a member with, or to change on one; null means "leave as it is". */
public record MemberFields(String email, String firstName, String lastName, String roleId) {
  public boolean isEmpty() {
    return email == null && firstName == null && lastName == null && roleId == null;
  }

  /** The wire names of the fields set, in wire order: what a PUT of these changes sends. */
  public List<String> fieldNames() {
    List<String> names = new ArrayList<>();
    for (Field f : fields()) {
      if (f.sent() != null) {
        names.add(f.name());
      }
    }
    return names;
  }

  /**
   * The fields set that a member, whose value of each field by wire name {@code held} gives (null:
   * not shown), shows other than set: "role_id 'r-old' (sent 'r-new')". Compared as the planner
   * compares, so a field it would send again is never taken as made. A field not shown is not
   * among them ({@link #unshownIn}).
   */
  public List<String> keptIn(Function<String, String> held) {
    List<String> kept = new ArrayList<>();
    for (Field f : fields()) {
      String now = held.apply(f.name());
      if (f.sent() != null && now != null && !f.same().test(f.sent(), now)) {
        kept.add(f.name() + " '" + shortened(now.strip()) + "' (sent '" + shortened(f.sent().strip()) + "')");
      }
    }
    return kept;
  }

  /** The wire names of the fields set that {@code held} does not show (null), as {@link #keptIn} reads it. */
  public List<String> unshownIn(Function<String, String> held) {
    return fields().stream().filter(f -> f.sent() != null && held.apply(f.name()) == null).map(Field::name).toList();
  }

  private record Field(String name, String sent, BiPredicate<String, String> same) {}

  private List<Field> fields() {
    return List.of(new Field("email", email, MemberFields::sameEmail), new Field("first_name", firstName, MemberFields::sameName),
        new Field("last_name", lastName, MemberFields::sameName), new Field("role_id", roleId, String::equals));
  }

  private static String shortened(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  /**
   * Whether a member's name, or a group's, is already the one wanted: white space around either
   * does not count, case does. Fulcrum strips member names (group names too, for all its reference
   * says either way), and releases before names were trimmed at intake stored them unstripped:
   * compared exactly, such a name would be sent again at every re-read. The planner decides with it
   * whether to send a name, and the client whether a PUT's answer kept a member's, so the two cannot
   * disagree.
   */
  public static boolean sameName(String wanted, String held) {
    return wanted != null && held != null && wanted.strip().equals(held.strip());
  }

  /** As {@link #sameName}, in any case: an email address. */
  public static boolean sameEmail(String wanted, String held) {
    return wanted != null && held != null
        && wanted.strip().toLowerCase(Locale.ROOT).equals(held.strip().toLowerCase(Locale.ROOT));
  }
}
