package com.fulcrumscim.reconcile;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.emulator.Seed;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.GroupStore;
import com.fulcrumscim.journal.UserStore;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * An organization of any size as if the bridge had pushed it, written straight into both sides
 * (benchmarks at 100k members): SCIM users seed-i@example.com and groups "Team j" of
 * {@code perGroup} consecutive users in SQLite, the same members and groups in an emulator seed,
 * and a link for each. Ids are derived from the index, so a caller can address any of them.
 */
public final class ManagedOrg {
  private final int users;
  private final int groups;
  private final int perGroup;

  public ManagedOrg(int users, int groups, int perGroup) {
    this.users = users;
    this.groups = groups;
    this.perGroup = perGroup;
  }

  public static String userId(int i) {
    return UUID.nameUUIDFromBytes(("seed-" + i).getBytes(StandardCharsets.UTF_8)).toString();
  }

  static String groupId(int j) {
    return UUID.nameUUIDFromBytes(("group-" + j).getBytes(StandardCharsets.UTF_8)).toString();
  }

  /** {@code count} SCIM users in one transaction, unlinked (what Okta pushed before any reconcile). */
  public static void writeUsers(Database db, int count) {
    ObjectMapper json = new ObjectMapper();
    ResourceNormalizer normalizer = new ResourceNormalizer();
    UserStore store = new UserStore(json);
    db.write(c -> {
      long now = System.currentTimeMillis();
      for (int i = 0; i < count; i++) {
        store.insert(c, userId(i), normalizer.user(json.readTree(user("seed-" + i + "@example.com")), null), now);
      }
      return null;
    });
  }

  /** The bridge's side: users, groups and the links to {@link #fulcrumSide()}'s members and groups. */
  public void writeBridgeSide(Database db) {
    writeUsers(db, users);
    ObjectMapper json = new ObjectMapper();
    ResourceNormalizer normalizer = new ResourceNormalizer();
    GroupStore store = new GroupStore(json);
    LinkStore links = new LinkStore(db);
    db.write(c -> {
      Instant now = Instant.now();
      for (int j = 0; j < groups; j++) {
        String[] members = new String[perGroup];
        for (int k = 0; k < perGroup; k++) {
          members[k] = userId(member(j, k));
        }
        store.insert(c, groupId(j), normalizer.group(json.readTree(group("Team " + j, members))), now.toEpochMilli());
        links.link(c, EntityType.GROUP, groupId(j), "g-" + j, Action.Link.Origin.CREATED, now);
      }
      for (int i = 0; i < users; i++) {
        links.link(c, EntityType.USER, userId(i), "m-" + i, Action.Link.Origin.CREATED, now);
      }
      return null;
    });
  }

  /** Fulcrum's side: the members and groups the links point at, as an emulator seed. */
  public Seed fulcrumSide() {
    List<Seed.SeedMember> members = new ArrayList<>(users);
    for (int i = 0; i < users; i++) {
      members.add(new Seed.SeedMember("m-" + i, "u-" + i, "seed-" + i + "@example.com", "Test", "User", null, false,
          "active"));
    }
    List<Seed.SeedGroup> teams = new ArrayList<>(groups);
    for (int j = 0; j < groups; j++) {
      List<String> ids = new ArrayList<>(perGroup);
      for (int k = 0; k < perGroup; k++) {
        ids.add("m-" + member(j, k));
      }
      teams.add(new Seed.SeedGroup("g-" + j, "Team " + j, null, ids));
    }
    return new Seed(null, null, members, teams);
  }

  private int member(int group, int k) {
    return (group * perGroup + k) % users;
  }
}
