package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.StoredDocs;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Each request is bounded, but what PATCHes add accumulates: a stored document may grow to 1 MiB
 * of JSON and no further. The change that would pass it is 400 invalidValue naming the resource and
 * the bound, and leaves nothing behind: not in the document, not in the journal. A group's members
 * are not in its document, so a large group is not refused. A deactivation always lands, and so does a
 * group change taking a member out: over the bound, alone, journaled as what was applied.
 */
class StoredDocumentBoundTest {
  static final int BOUND = 1 << 20;
  static final String CUSTOM = "urn:ietf:params:scim:schemas:extension:acme:2.0:User";
  static final String NOTE = "n".repeat(60_000);
  static final String GROUP_CUSTOM = "urn:ietf:params:scim:schemas:extension:acme:2.0:Group";
  static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  ScimTestServer server;
  ScimHttp http;

  /** The store under test; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  @BeforeEach
  void start() {
    server = ScimTestServer.start(store(), "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = server.http();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void thePatchThatWouldGrowAUserPastOneMiBIsRefusedAndLeavesNothingBehind() throws Exception {
    String id = http.post("/Users", user("grower@corp.example")).json().path("id").asText();
    ObjectNode before;
    long journaled;
    Response refused;
    int notes = 0;
    do {
      before = storedUser(id);
      journaled = journalRows(id);
      refused = http.patch("/Users/" + id, patch(addNotes(notes, 4)));
      notes += 4;
    } while (refused.status() == 200 && notes < 100);

    assertThat(refused.status()).as(refused.text()).isEqualTo(400);
    assertThat(refused.json().path("scimType").asText()).isEqualTo("invalidValue");
    assertThat(refused.json().path("detail").asText()).contains("user " + id, "1,048,576 bytes");
    assertThat(before.toString().length()).as("the document grew close to the bound first").isGreaterThan(BOUND - 4 * 60_100);
    assertThat(storedUser(id)).isEqualTo(before);
    assertThat(journalRows(id)).isEqualTo(journaled);
  }

  @Test
  void aGroupWhoseMembersAloneAreOverOneMiBIsAccepted() throws Exception {
    List<String> users = seedUsers(10_000);
    String id = http.post("/Groups", group("Everyone")).json().path("id").asText();

    Response added = http.patch("/Groups/" + id, patch("{\"op\":\"add\",\"path\":\"members\",\"value\":["
        + users.stream().map(u -> "{\"value\":\"" + u + "\"}").collect(Collectors.joining(",")) + "]}"));

    assertThat(added.status()).as(added.text()).isEqualTo(204);
    Response stored = http.get("/Groups/" + id);
    assertThat(stored.json().path("members").size()).isEqualTo(users.size());
    assertThat(stored.text().length()).isGreaterThan(BOUND);
  }

  @Test
  void aUserAnEarlierReleaseStoredOverTheBoundIsStillDeactivated() throws Exception {
    String id = http.post("/Users", user("legacy@corp.example")).json().path("id").asText();
    storeOverTheBound(id);

    Response r = http.patch("/Users/" + id, patch("{\"op\":\"replace\",\"value\":{\"active\":false}}"));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(storedUser(id).path("active").asBoolean()).isFalse();
  }

  @Test
  void aUserAnEarlierReleaseStoredOverTheBoundGrowsNoFurther() throws Exception {
    String id = http.post("/Users", user("legacy@corp.example")).json().path("id").asText();
    storeOverTheBound(id);
    ObjectNode before = storedUser(id);

    Response r = http.patch("/Users/" + id, patch(addNotes(100, 1)));

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(storedUser(id)).isEqualTo(before);
  }

  @Test
  void oktasDeactivationOfAUserAtTheBoundStoresOnlyTheDeactivation() throws Exception {
    String id = http.post("/Users", user("grower@corp.example")).json().path("id").asText();
    int refused = growUntilRefused(id);
    ObjectNode before = storedUser(id);
    long journaled = journalRows(id);

    Response put = http.put("/Users/" + id, oktasDeactivation(id, refused, 1));

    assertThat(put.status()).as(put.text()).isEqualTo(200);
    assertThat(put.json().path("active").asBoolean()).isFalse();
    assertThat(storedUser(id)).isEqualTo(before.deepCopy().put("active", false));
    assertThat(journalRows(id)).isEqualTo(journaled + 1);
    assertThat(workRow(id)).isEqualTo("PENDING removal");
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("user " + id + ": deactivated", "the rest of the change was dropped");
    });
  }

  @Test
  void oktasDeactivationOfAUserAtTheBoundIsJournaledAsTheDeactivationOfThatUserAndWhyTheRestIsNot() throws Exception {
    String id = http.post("/Users", user("grower@corp.example")).json().path("id").asText();
    int refused = growUntilRefused(id);

    Response put = http.put("/Users/" + id, oktasDeactivation(id, refused, 1));

    assertThat(put.status()).as(put.text()).isEqualTo(200);
    String journaled = newestJournalBody(id);
    assertThat(journaled.length()).as(journaled).isLessThan(1_000);
    JsonNode body = JSON.readTree(journaled);
    assertThat(body.path("userName").asText()).isEqualTo("grower@corp.example");
    assertThat(body.path("active").isBoolean() && !body.path("active").booleanValue()).as(journaled).isTrue();
    assertThat(body.path("(not stored)").asText()).contains("the rest of this change", "over the bound of 1,048,576 bytes",
        "only the deactivation was applied");
  }

  @Test
  void oktasDeactivationCarryingMoreThanTheBodyLimitAllowsLandsWhereTheLimitIsRaised() throws Exception {
    restartWith("server:\n  max_body_bytes: 8388608\n");
    String id = http.post("/Users", user("grower@corp.example")).json().path("id").asText();
    int refused = growUntilRefused(id);
    ObjectNode before = storedUser(id);
    long journaled = journalRows(id);

    String deactivation = oktasDeactivation(id, refused, 30);
    Response put = http.put("/Users/" + id, deactivation);

    assertThat(deactivation.length()).as("more than the default body limit").isGreaterThan(2 * BOUND);
    assertThat(put.status()).as(put.text()).isEqualTo(200);
    assertThat(storedUser(id)).isEqualTo(before.deepCopy().put("active", false));
    assertThat(journalRows(id)).isEqualTo(journaled + 1);
    assertThat(workRow(id)).isEqualTo("PENDING removal");
  }

  @Test
  void aUsersPutRefusedForItsSizeIsAnErrorNamingTheUser() throws Exception {
    String id = http.post("/Users", user("grower@corp.example")).json().path("id").asText();
    ObjectNode body = (ObjectNode) http.get("/Users/" + id).json();
    ObjectNode custom = body.putObject(CUSTOM);
    for (int i = 0; i < 40; i++) {
      custom.put("note" + i, NOTE);
    }
    body.withArray("schemas").add(CUSTOM);
    body.put("active", false);

    Response put = http.put("/Users/" + id, body.toString());

    assertThat(put.status()).as(put.text()).isEqualTo(413);
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.ERROR);
      assertThat(e.getFormattedMessage()).contains("user " + id, "A deactivation may have been refused",
          "deactivate the user by PATCH or by hand");
    });
    assertThat(storedUser(id).path("active").asBoolean()).isTrue();
  }

  @Test
  void aGroupPatchOverTheBoundThatRemovesAMemberRemovesItAndDropsTheRest() throws Exception {
    String alice = http.post("/Users", user("alice@corp.example")).json().path("id").asText();
    String bob = http.post("/Users", user("bob@corp.example")).json().path("id").asText();
    String id = http.post("/Groups", group("Engineering", alice, bob)).json().path("id").asText();
    int refused = growGroupUntilRefused(id);
    ObjectNode before = groupWithoutMembers(id);

    Response r = http.patch("/Groups/" + id, patch("{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + bob + "\\\"]\"}",
        addGroupNote(refused)));

    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(memberIds(id)).containsExactly(alice);
    assertThat(groupWithoutMembers(id)).isEqualTo(before);
    assertThat(workRow("GROUP", id)).isEqualTo("PENDING removal");
    assertThat(logs.events()).anySatisfy(e -> {
      assertThat(e.getLevel()).isEqualTo(Level.WARN);
      assertThat(e.getFormattedMessage()).contains("group " + id + ": its member changes applied",
          "the rest of the change was dropped");
    });
  }

  @Test
  void aGroupPutOverTheBoundThatLeavesAMemberOutRemovesItAndKeepsTheMembersItAdds() throws Exception {
    String alice = http.post("/Users", user("alice@corp.example")).json().path("id").asText();
    String bob = http.post("/Users", user("bob@corp.example")).json().path("id").asText();
    String carol = http.post("/Users", user("carol@corp.example")).json().path("id").asText();
    String id = http.post("/Groups", group("Engineering", alice, bob)).json().path("id").asText();
    int refused = growGroupUntilRefused(id);
    ObjectNode before = groupWithoutMembers(id);
    ObjectNode put = (ObjectNode) http.get("/Groups/" + id).json();
    ((ObjectNode) put.get(GROUP_CUSTOM)).put("note" + refused, NOTE);
    put.putArray("members").add(JSON.createObjectNode().put("value", alice)).add(JSON.createObjectNode().put("value", carol));

    Response r = http.put("/Groups/" + id, put.toString());

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(memberIds(id)).containsExactlyInAnyOrder(alice, carol);
    assertThat(groupWithoutMembers(id)).isEqualTo(before);
    assertThat(workRow("GROUP", id)).isEqualTo("PENDING removal");
  }

  @Test
  void aGroupChangeCutAtTheBoundIsJournaledAsTheMemberChangesAppliedAndWhyTheRestIsNot() throws Exception {
    String alice = http.post("/Users", user("alice@corp.example")).json().path("id").asText();
    String bob = http.post("/Users", user("bob@corp.example")).json().path("id").asText();
    String id = http.post("/Groups", group("Engineering", alice, bob)).json().path("id").asText();
    int refused = growGroupUntilRefused(id);

    http.patch("/Groups/" + id, patch("{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + bob + "\\\"]\"}",
        addGroupNote(refused)));

    String journaled = newestJournalBody(id);
    assertThat(journaled.length()).as(journaled).isLessThan(1_000);
    JsonNode body = JSON.readTree(journaled);
    assertThat(body.path("displayName").asText()).isEqualTo("Engineering");
    assertThat(body.path("Operations")).hasSize(1);
    assertThat(body.path("Operations").get(0).path("op").asText()).isEqualTo("remove");
    assertThat(body.path("Operations").get(0).path("value").get(0).path("value").asText()).isEqualTo(bob);
    assertThat(body.path("(not stored)").asText()).contains("the stored group", "over the bound of 1,048,576 bytes",
        "only the member changes were applied");
  }

  @Test
  void aGroupChangeOverTheBoundThatRemovesNoMemberIsStillRefused() throws Exception {
    String alice = http.post("/Users", user("alice@corp.example")).json().path("id").asText();
    String bob = http.post("/Users", user("bob@corp.example")).json().path("id").asText();
    String id = http.post("/Groups", group("Engineering", alice)).json().path("id").asText();
    int refused = growGroupUntilRefused(id);
    ObjectNode before = groupWithoutMembers(id);

    Response r = http.patch("/Groups/" + id, patch("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\""
        + bob + "\"}]}", addGroupNote(refused)));

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(memberIds(id)).containsExactly(alice);
    assertThat(groupWithoutMembers(id)).isEqualTo(before);
  }

  /** Adds one note at a time to the group until the bound refuses one; returns the refused note's number. */
  int growGroupUntilRefused(String id) {
    for (int note = 0; note < 100; note++) {
      Response r = http.patch("/Groups/" + id, patch(addGroupNote(note)));
      if (r.status() / 100 != 2) {
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(groupWithoutMembers(id).toString().length()).as("grown to the bound first").isGreaterThan(BOUND - 60_100);
        return note;
      }
    }
    throw new AssertionError("never refused");
  }

  /** A PATCH operation adding a custom group attribute of 60,000 characters. */
  static String addGroupNote(int note) {
    return "{\"op\":\"add\",\"value\":{\"" + GROUP_CUSTOM + "\":{\"note" + note + "\":\"" + NOTE + "\"}}}";
  }

  /** The group as a GET answers it, without its members and meta. */
  ObjectNode groupWithoutMembers(String id) {
    ObjectNode g = (ObjectNode) http.get("/Groups/" + id).json();
    g.remove(List.of("members", "meta"));
    return g;
  }

  List<String> memberIds(String id) {
    List<String> ids = new ArrayList<>();
    http.get("/Groups/" + id).json().path("members").forEach(m -> ids.add(m.path("value").asText()));
    return ids;
  }

  /** Adds one note at a time until the bound refuses one; returns the refused note's number. */
  int growUntilRefused(String id) {
    for (int note = 0; note < 100; note++) {
      Response r = http.patch("/Users/" + id, patch(addNotes(note, 1)));
      if (r.status() != 200) {
        assertThat(r.status()).as(r.text()).isEqualTo(400);
        assertThat(storedUser(id).toString().length()).as("grown to the bound first").isGreaterThan(BOUND - 60_100);
        return note;
      }
    }
    throw new AssertionError("never refused");
  }

  /**
   * Okta's AIW deactivation (okta-scim.md 1.4): our GET with Okta's values merged over it, which
   * hold the {@code count} notes from {@code first} that the bound refused, and active false.
   */
  String oktasDeactivation(String id, int first, int count) {
    ObjectNode okta = (ObjectNode) http.get("/Users/" + id).json();
    for (int i = first; i < first + count; i++) {
      ((ObjectNode) okta.get(CUSTOM)).put("note" + i, NOTE);
    }
    return okta.put("active", false).toString();
  }

  /** The server again on the same store, with {@code yaml} added to its config. */
  void restartWith(String yaml) {
    TestStore same = server.store();
    server.close();
    server = ScimTestServer.start(same, yaml, Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = server.http();
  }

  /** The user's work row: its state, and "removal" when it is claimed first as a change taking access away. */
  String workRow(String id) {
    return workRow("USER", id);
  }

  /** The work row of the {@code type} (USER or GROUP) {@code id}, as {@link #workRow(String)} says it. */
  String workRow(String type, String id) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_ONLY)) {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT state, removal FROM work WHERE entity_type = ? "
            + "AND entity_id = ?")) {
          ps.setString(1, type);
          ps.setString(2, id);
          try (ResultSet rs = ps.executeQuery()) {
            return rs.next() ? rs.getString(1) + (rs.getInt(2) == 1 ? " removal" : "") : "none";
          }
        }
      });
    }
  }

  /** A PATCH adding {@code count} custom attributes of 60,000 characters, numbered from {@code first}. */
  static String addNotes(int first, int count) {
    StringBuilder notes = new StringBuilder();
    for (int i = first; i < first + count; i++) {
      notes.append(notes.length() == 0 ? "" : ",").append("\"note").append(i).append("\":\"").append(NOTE).append('"');
    }
    return "{\"op\":\"add\",\"value\":{\"" + CUSTOM + "\":{" + notes + "}}}";
  }

  /** The user's document rewritten as a release before the bound could store it: 20 notes, about 1.2 MB. */
  void storeOverTheBound(String id) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_WRITE)) {
      db.write(c -> {
        ObjectNode doc = StoredDocs.user(c, id);
        doc.withArray("schemas").add(CUSTOM);
        ObjectNode custom = doc.putObject(CUSTOM);
        for (int i = 0; i < 20; i++) {
          custom.put("note" + i, NOTE);
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE scim_user SET doc = ? WHERE id = ?")) {
          ps.setString(1, doc.toString());
          ps.setString(2, id);
          assertThat(ps.executeUpdate()).isEqualTo(1);
        }
        return null;
      });
    }
  }

  /** {@code n} users written straight to the store in one batch, as a bulk load would: over HTTP they would take minutes. */
  List<String> seedUsers(int n) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_WRITE)) {
      return db.write(c -> {
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO scim_user (id, user_name, user_name_key, doc, "
            + "created_at, updated_at) VALUES (?, ?, ?, ?, 0, 0)")) {
          for (int i = 0; i < n; i++) {
            String id = String.format("seeded-%06d", i);
            String userName = id + "@corp.example";
            ps.setString(1, id);
            ps.setString(2, userName);
            ps.setString(3, userName);
            ps.setString(4, "{\"userName\":\"" + userName + "\",\"active\":true}");
            ps.addBatch();
            ids.add(id);
          }
          ps.executeBatch();
        }
        return ids;
      });
    }
  }

  ObjectNode storedUser(String id) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_ONLY)) {
      return db.read(c -> StoredDocs.user(c, id));
    }
  }

  /** The body of the user's newest journal row. */
  String newestJournalBody(String id) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_ONLY)) {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT body FROM journal WHERE entity_id = ? ORDER BY id DESC LIMIT 1")) {
          ps.setString(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            assertThat(rs.next()).as("a journal row of " + id).isTrue();
            return rs.getString(1);
          }
        }
      });
    }
  }

  long journalRows(String id) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_ONLY)) {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM journal WHERE entity_id = ?")) {
          ps.setString(1, id);
          try (ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
          }
        }
      });
    }
  }
}
