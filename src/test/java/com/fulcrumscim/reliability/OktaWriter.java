package com.fulcrumscim.reliability;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One Okta-like client over real SCIM HTTP that owns its users and groups (so its writes to one
 * entity are in order) and remembers what the server acknowledged. A write whose answer never came
 * (the server was killed) leaves that entity "either before or after" until the next
 * {@link #verifyAndResync}, which checks every entity against the server.
 */
final class OktaWriter {
  record UserState(String given, boolean active, boolean deleted) {
    static final UserState DELETED = new UserState(null, false, true);
  }

  record GroupState(String name, Set<String> members, boolean deleted) {
    static final GroupState DELETED = new GroupState(null, Set.of(), true);
  }

  private final String prefix;
  private final Random random;
  /** Allowed states per entity: one when acknowledged, two while a write's answer is unknown. */
  private final Map<String, List<UserState>> users = new LinkedHashMap<>();
  private final Map<String, List<GroupState>> groups = new LinkedHashMap<>();
  private final List<String> problems = new ArrayList<>();
  private int counter;
  private int acknowledged;
  private int uncertain;

  OktaWriter(String prefix, Random random) {
    this.prefix = prefix;
    this.random = random;
  }

  int acknowledged() {
    return acknowledged;
  }

  int uncertain() {
    return uncertain;
  }

  /** Up to {@code ops} writes, until {@code stop} or the server stops answering. */
  void write(ScimHttp http, int ops, AtomicBoolean stop) {
    for (int i = 0; i < ops && !stop.get(); i++) {
      try {
        if (!step(http)) {
          return;
        }
      } catch (RuntimeException connectionLost) {
        return;
      }
    }
  }

  /** One random write; false when the server's answer was lost. */
  private boolean step(ScimHttp http) {
    List<String> live = users.entrySet().stream().filter(e -> !e.getValue().get(0).deleted()).map(Map.Entry::getKey).toList();
    List<String> liveGroups = groups.entrySet().stream().filter(e -> !e.getValue().get(0).deleted()).map(Map.Entry::getKey).toList();
    int roll = random.nextInt(100);
    if (roll < 35 || live.size() < 3) {
      String email = prefix + "-u" + (counter++) + "@crash.example";
      ScimHttp.Response r = http.post("/Users", Bodies.user(email, "Given", "Family" + counter, true));
      if (expect(r, 201)) {
        users.put(r.json().path("id").asText(), List.of(new UserState("Given", true, false)));
      }
      return true;
    }
    if (roll < 80 || liveGroups.isEmpty() && roll < 90) {
      return userWrite(http, live.get(random.nextInt(live.size())), roll);
    }
    if (roll < 90 || liveGroups.isEmpty()) {
      Set<String> members = pick(live, 1 + random.nextInt(3));
      String name = prefix + "-g" + (counter++);
      ScimHttp.Response r = http.post("/Groups", Bodies.group(name, members.toArray(String[]::new)));
      if (expect(r, 201)) {
        groups.put(r.json().path("id").asText(), List.of(new GroupState(name, members, false)));
      }
      return true;
    }
    return groupWrite(http, liveGroups.get(random.nextInt(liveGroups.size())), live);
  }

  private boolean userWrite(ScimHttp http, String id, int roll) {
    UserState now = users.get(id).get(0);
    boolean inAGroup = groups.values().stream().flatMap(List::stream).anyMatch(g -> g.members().contains(id));
    UserState next;
    String op = null;
    if (roll < 55) {
      next = new UserState("Given" + random.nextInt(1000), now.active(), false);
      op = "{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"" + next.given() + "\"}";
    } else if (roll < 75 || inAGroup) {
      next = new UserState(now.given(), !now.active(), false);
      op = "{\"op\":\"replace\",\"path\":\"active\",\"value\":" + next.active() + "}";
    } else {
      next = UserState.DELETED;
    }
    ScimHttp.Response r;
    try {
      r = op == null ? http.delete("/Users/" + id) : http.patch("/Users/" + id, Bodies.patch(op));
    } catch (RuntimeException lost) {
      users.put(id, List.of(now, next));
      uncertain++;
      throw lost;
    }
    if (expect(r, op == null ? 204 : 200, 204)) {
      users.put(id, List.of(next));
    }
    return true;
  }

  private boolean groupWrite(ScimHttp http, String id, List<String> live) {
    GroupState now = groups.get(id).get(0);
    Set<String> members = new TreeSet<>(now.members());
    String op;
    GroupState next;
    int roll = random.nextInt(10);
    List<String> candidates = live.stream().filter(u -> !members.contains(u)).toList();
    if (roll < 5 && !candidates.isEmpty()) {
      String add = candidates.get(random.nextInt(candidates.size()));
      members.add(add);
      op = "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + add + "\"}]}";
      next = new GroupState(now.name(), members, false);
    } else if (roll < 8 && !members.isEmpty()) {
      String remove = new ArrayList<>(members).get(random.nextInt(members.size()));
      members.remove(remove);
      op = "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + remove + "\\\"]\"}";
      next = new GroupState(now.name(), members, false);
    } else if (roll < 9) {
      String name = now.name() + "r";
      op = "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"" + name + "\"}";
      next = new GroupState(name, members, false);
    } else {
      next = GroupState.DELETED;
      op = null;
    }
    ScimHttp.Response r;
    try {
      r = op == null ? http.delete("/Groups/" + id) : http.patch("/Groups/" + id, Bodies.patch(op));
    } catch (RuntimeException lost) {
      groups.put(id, List.of(now, next));
      uncertain++;
      throw lost;
    }
    if (expect(r, op == null ? 204 : 200, 204)) {
      groups.put(id, List.of(next));
    }
    return true;
  }

  private Set<String> pick(List<String> from, int n) {
    Set<String> picked = new HashSet<>();
    for (int i = 0; i < n; i++) {
      picked.add(from.get(random.nextInt(from.size())));
    }
    return picked;
  }

  /** A PATCH may answer 200 with the resource or 204 without it. */
  private boolean expect(ScimHttp.Response r, int... statuses) {
    for (int status : statuses) {
      if (r.status() == status) {
        acknowledged++;
        return true;
      }
    }
    problems.add("SCIM answered " + r + ", expected " + java.util.Arrays.toString(statuses));
    return false;
  }

  /** Every acknowledged write is what the server holds now (or the unanswered one, if it landed); then the model takes the server's word. */
  void verifyAndResync(ScimHttp http) {
    assertThat(problems).as(prefix + ": unexpected SCIM answers").isEmpty();
    users.replaceAll((id, allowed) -> {
      UserState actual = readUser(http, id);
      assertThat(allowed).as(prefix + ": user %s after a restart", id).contains(actual);
      return List.of(actual);
    });
    groups.replaceAll((id, allowed) -> {
      GroupState actual = readGroup(http, id);
      assertThat(allowed).as(prefix + ": group %s after a restart", id).contains(actual);
      return List.of(actual);
    });
  }

  private static UserState readUser(ScimHttp http, String id) {
    ScimHttp.Response r = http.get("/Users/" + id);
    if (r.status() == 404) {
      return UserState.DELETED;
    }
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    return new UserState(r.json().path("name").path("givenName").asText(), r.json().path("active").asBoolean(), false);
  }

  private static GroupState readGroup(ScimHttp http, String id) {
    ScimHttp.Response r = http.get("/Groups/" + id);
    if (r.status() == 404) {
      return GroupState.DELETED;
    }
    assertThat(r.status()).as(r.text()).isEqualTo(200);
    Set<String> members = new TreeSet<>();
    for (JsonNode m : r.json().path("members")) {
      members.add(m.path("value").asText());
    }
    return new GroupState(r.json().path("displayName").asText(), members, false);
  }
}
