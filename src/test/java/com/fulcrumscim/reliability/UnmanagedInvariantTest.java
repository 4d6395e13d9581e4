package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.DesiredVsActual;
import com.fulcrumscim.testing.Okta;
import com.fulcrumscim.testing.RecordingOkta;
import com.fulcrumscim.testing.ReconcileHarness;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Seeded random sequences of Okta changes, many aimed at the emails and group names of members
 * and groups the bridge does not own (adopt_existing false), against an emulator seeded with them:
 * once the reconciler settles, those unmanaged entities are byte-identical, and everything the
 * bridge does own is exactly as desired.
 */
class UnmanagedInvariantTest {
  private static final Logger log = LoggerFactory.getLogger(UnmanagedInvariantTest.class);
  static final Set<String> UNMANAGED = Set.of("m-taken", "m-bystander", "g-crew");
  static final String[] COLLIDING_EMAILS = {"Taken@corp.example", "taken@CORP.example", "bystander@corp.example",
      "owner@fulcrum.example", "OWNER@fulcrum.example"};
  static final String[] COLLIDING_GROUPS = {"Field Crew", "field crew", "FIELD CREW"};
  static final String[] ROLES = {null, "Manager", "standard user", "Record Creator"};

  @TempDir Path dir;

  /** One sequence on a fresh harness; returns the number of operations. */
  int sequence(long seed) throws Exception {
    Random random = new Random(seed);
    try (ReconcileHarness h = new ReconcileHarness(Files.createTempDirectory(dir, "seq-" + seed),
        ReconcileHarness.Options.defaults().withGuard(100, 1_000_000))) {
      List<String> pinned = new ArrayList<>(UNMANAGED);
      pinned.add(h.fulcrum.ownerMembershipId());
      String before = h.fulcrum.snapshotJson(pinned);
      Map<String, String> liveUsers = new LinkedHashMap<>(); // SCIM id -> email
      Map<String, String> liveGroups = new LinkedHashMap<>(); // SCIM id -> name
      RecordingOkta okta = new RecordingOkta(h.okta);
      int ops = 5 + random.nextInt(20);
      for (int i = 0; i < ops; i++) {
        step(okta, random, i, liveUsers, liveGroups);
        if (random.nextInt(4) == 0) {
          h.runOnce(); // sometimes the reconciler runs between changes, sometimes they coalesce
          okta.note("cycle");
        }
      }
      h.settle(5_000);
      assertThat(h.fulcrum.snapshotJson(pinned)).as("seed %d: unmanaged members and groups after %s", seed, okta)
          .isEqualTo(before);
      assertThat(DesiredVsActual.differences(h.db, h.fulcrum, UNMANAGED)).as("seed %d: managed entities after %s", seed, okta)
          .isEmpty();
      return ops;
    }
  }

  private void step(Okta okta, Random random, int i, Map<String, String> liveUsers, Map<String, String> liveGroups) {
    List<String> users = new ArrayList<>(liveUsers.keySet());
    List<String> groups = new ArrayList<>(liveGroups.keySet());
    int roll = random.nextInt(100);
    if (roll < 30 || users.isEmpty()) {
      String email = random.nextInt(3) == 0 ? COLLIDING_EMAILS[random.nextInt(COLLIDING_EMAILS.length)] : "u" + i + "@corp.example";
      if (liveUsers.values().stream().noneMatch(e -> e.equalsIgnoreCase(email))) {
        liveUsers.put(okta.user(email, "Given" + i, "Family" + i, ROLES[random.nextInt(ROLES.length)]), email);
      }
    } else if (roll < 45) {
      okta.set(pick(random, users), random.nextBoolean() ? "given_name" : "family_name", "Renamed" + i);
    } else if (roll < 55) {
      String role = ROLES[1 + random.nextInt(ROLES.length - 1)];
      okta.set(pick(random, users), "role", role);
    } else if (roll < 65) {
      okta.set(pick(random, users), "active", random.nextInt(3) == 0 ? 1 : 0);
    } else if (roll < 72) {
      String id = pick(random, users);
      okta.deleteUser(id);
      liveUsers.remove(id);
    } else if (roll < 82 || groups.isEmpty()) {
      String name = uniqueGroupName(random, i, liveGroups);
      if (name != null) {
        liveGroups.put(okta.group(name, subset(random, users)), name);
      }
    } else if (roll < 94) {
      String id = pick(random, groups);
      String name = random.nextInt(4) == 0 ? uniqueGroupName(random, i, liveGroups) : liveGroups.get(id);
      name = name == null ? liveGroups.get(id) : name;
      okta.setGroup(id, name, subset(random, users));
      liveGroups.put(id, name);
    } else {
      String id = pick(random, groups);
      okta.deleteGroup(id);
      liveGroups.remove(id);
    }
  }

  private static String uniqueGroupName(Random random, int i, Map<String, String> liveGroups) {
    String name = random.nextInt(3) == 0 ? COLLIDING_GROUPS[random.nextInt(COLLIDING_GROUPS.length)] : "Team " + i;
    Set<String> taken = new HashSet<>();
    liveGroups.values().forEach(n -> taken.add(n.toLowerCase(Locale.ROOT)));
    return taken.contains(name.toLowerCase(Locale.ROOT)) ? null : name;
  }

  private static String pick(Random random, List<String> ids) {
    return ids.get(random.nextInt(ids.size()));
  }

  private static List<String> subset(Random random, List<String> ids) {
    List<String> out = new ArrayList<>();
    ids.forEach(id -> {
      if (random.nextInt(3) == 0) {
        out.add(id);
      }
    });
    return out;
  }

  void sequences(long firstSeed, int count) throws Exception {
    long started = System.nanoTime();
    int ops = 0;
    for (long seed = firstSeed; seed < firstSeed + count; seed++) {
      ops += sequence(seed);
    }
    log.info("unmanaged invariant: {} sequences, {} operations, {} ms", count, ops, (System.nanoTime() - started) / 1_000_000);
  }

  @Test
  void thirtyRandomSequencesLeaveUnmanagedEntitiesByteIdentical() throws Exception {
    sequences(1, 30);
  }

  @Test
  @Tag("reliability")
  void aThousandRandomSequencesLeaveUnmanagedEntitiesByteIdentical() throws Exception {
    sequences(10_000, 1_000);
  }
}
