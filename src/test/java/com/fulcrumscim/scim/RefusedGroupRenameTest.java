package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.group;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.testing.CapturedLogs;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.TestStore;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Okta sends a group's name with every membership update (okta-scim.md §1.7). A new name the bridge
 * refuses (another group holds it, or it breaks the identity text rules) is left out: the members
 * are removed and added as asked, the group keeps its name, the answer is the 2xx of what was
 * applied, and a WARN names the group, the refused name and why. A change taking someone out of
 * the group whose other values are refused (review-idp F2) stores its members alone.
 */
class RefusedGroupRenameTest {
  @TempDir Path dir;
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();
  ScimTestServer server;
  ScimHttp http;
  String bob;
  String carol;
  String leftBehind;
  String appX;

  /** The store under test; the ...OnPostgresTest subclass gives a PostgreSQL one. */
  TestStore store() {
    return TestStore.sqlite(dir.resolve("bridge.db"));
  }

  /** Bob and Carol in APP-X; a group Okta unlinked with "Leave" still holds the name Left-Behind. */
  @BeforeEach
  void start() {
    server = ScimTestServer.start(store(), "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
    http = server.http();
    bob = created("/Users", user("bob@example.com"));
    carol = created("/Users", user("carol@example.com"));
    leftBehind = created("/Groups", group("Left-Behind"));
    appX = created("/Groups", group("APP-X", bob, carol));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void oktasRemovalBesideARenameToATakenNameRemovesTheMemberAndKeepsTheName() {
    Response r = http.patch("/Groups/" + appX, patch(oktasRename("left-behind"), removal(bob)));

    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(storedMembers(appX)).containsExactly(carol);
    assertThat(http.get("/Groups/" + appX).json().path("displayName").asText()).isEqualTo("APP-X");
    assertThat(groupWork(appX)).isEqualTo("PENDING removal");
    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w).contains("group " + appX,
        "kept its name 'APP-X'", "new name 'left-behind'", "already taken", "held by group " + leftBehind));
  }

  @Test
  void oktasRemovalBesideARenameTheIdentityTextRulesRefuseRemovesTheMemberAndKeepsTheName() {
    Response r = http.patch("/Groups/" + appX, patch(oktasRename("APP\\tY"), removal(bob)));

    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(storedMembers(appX)).containsExactly(carol);
    assertThat(http.get("/Groups/" + appX).json().path("displayName").asText()).isEqualTo("APP-X");
    assertThat(groupWork(appX)).isEqualTo("PENDING removal");
    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w).contains("group " + appX,
        "kept its name 'APP-X'", "new name 'APP\tY'", "control characters"));
  }

  @Test
  void anAddBesideARenameToATakenNameAddsTheMember() {
    String dave = created("/Users", user("dave@example.com"));

    Response r = http.patch("/Groups/" + appX, patch(oktasRename("LEFT-BEHIND"),
        "{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\"" + dave + "\"}]}"));

    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(storedMembers(appX)).containsExactlyInAnyOrder(bob, carol, dave);
    assertThat(http.get("/Groups/" + appX).json().path("displayName").asText()).isEqualTo("APP-X");
  }

  @Test
  void aGroupPutWithATakenNameReplacesTheMembersAndAnswersTheGroupWithItsName() {
    Response r = http.put("/Groups/" + appX, group("Left-Behind", carol));

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(r.json().path("displayName").asText()).isEqualTo("APP-X");
    assertThat(storedMembers(appX)).containsExactly(carol);
    assertThat(groupWork(appX)).isEqualTo("PENDING removal");
    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w).contains("group " + appX, "'Left-Behind'"));
  }

  @Test
  void aRenameRefusedAloneIsAnsweredAsAppliedAndChangesNothing() {
    Response r = http.patch("/Groups/" + appX, patch(oktasRename("Left-Behind")));

    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(http.get("/Groups/" + appX).json().path("displayName").asText()).isEqualTo("APP-X");
    assertThat(storedMembers(appX)).containsExactlyInAnyOrder(bob, carol);
    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w).contains("group " + appX, "'Left-Behind'"));
  }

  @Test
  void aRemovalBesideARefusedNameAndARefusedExternalIdRemovesTheMemberAlone() {
    Response r = http.patch("/Groups/" + appX, patch(oktasRename("left-behind"), removal(bob), longExternalId()));

    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(storedMembers(appX)).containsExactly(carol);
    assertThat(http.get("/Groups/" + appX).json().path("displayName").asText()).isEqualTo("APP-X");
    assertThat(groupWork(appX)).isEqualTo("PENDING removal");
    assertThat(warnings()).singleElement().satisfies(w -> assertThat(w).contains("group " + appX,
        "applied only its member changes", "externalId"));
  }

  @Test
  void oktasRemovalBesideARefusedExternalIdRemovesTheMemberAndKeepsTheRest() {
    Response r = http.patch("/Groups/" + appX, patch(removal(bob), longExternalId()));

    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(storedMembers(appX)).containsExactly(carol);
    assertThat(http.get("/Groups/" + appX).json().path("externalId").isMissingNode()).isTrue();
    assertThat(groupWork(appX)).isEqualTo("PENDING removal");
  }

  @Test
  void anAiwPutLeavingAMemberOutBesideARefusedExternalIdStoresTheMembersAlone() {
    Response r = http.put("/Groups/" + appX, "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:Group\"],"
        + "\"displayName\":\"APP-X\",\"externalId\":\"" + "x".repeat(300) + "\",\"members\":[{\"value\":\"" + carol + "\"}]}");

    assertThat(r.status()).as(r.text()).isEqualTo(200);
    assertThat(storedMembers(appX)).containsExactly(carol);
    assertThat(r.json().path("externalId").isMissingNode()).isTrue();
    assertThat(groupWork(appX)).isEqualTo("PENDING removal");
  }

  @Test
  void aRefusedRequestTakingNoOneOutIsStillRefusedWhole() {
    String dave = created("/Users", user("dave@example.com"));

    Response r = http.patch("/Groups/" + appX, patch("{\"op\":\"add\",\"path\":\"members\",\"value\":[{\"value\":\""
        + dave + "\"}]}", longExternalId()));

    assertThat(r.status()).as(r.text()).isEqualTo(400);
    assertThat(r.json().path("detail").asText()).contains("externalId");
    assertThat(storedMembers(appX)).containsExactlyInAnyOrder(bob, carol);
    assertThat(warnings()).singleElement().asString().contains("-> 400").contains("a group change was refused");
  }

  static String longExternalId() {
    return "{\"op\":\"replace\",\"path\":\"externalId\",\"value\":\"" + "x".repeat(300) + "\"}";
  }

  @Test
  void aRenameToAFreeNameIsStillApplied() {
    Response r = http.patch("/Groups/" + appX, patch(oktasRename("APP-Z"), removal(bob)));

    assertThat(r.status()).as(r.text()).isEqualTo(204);
    assertThat(http.get("/Groups/" + appX).json().path("displayName").asText()).isEqualTo("APP-Z");
    assertThat(storedMembers(appX)).containsExactly(carol);
    assertThat(warnings()).isEmpty();
  }

  /** Okta's rename: path-less, with the group's id in the value (okta-scim.md §1.7). */
  String oktasRename(String displayName) {
    return "{\"op\":\"replace\",\"value\":{\"id\":\"" + appX + "\",\"displayName\":\"" + displayName + "\"}}";
  }

  static String removal(String member) {
    return "{\"op\":\"remove\",\"path\":\"members[value eq \\\"" + member + "\\\"]\"}";
  }

  String created(String path, String body) {
    Response r = http.post(path, body);
    assertThat(r.status()).as(r.text()).isEqualTo(201);
    return r.json().path("id").asText();
  }

  List<String> warnings() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  /** The group's members as the store holds them, the desired state the reconciler reads. */
  List<String> storedMembers(String groupId) {
    return query("SELECT user_id FROM scim_group_member WHERE group_id = ? ORDER BY user_id", groupId);
  }

  /** The group's work row: its state, and "removal" when it is claimed first as a change taking access away. */
  String groupWork(String groupId) {
    List<String> rows = query("SELECT state || CASE WHEN removal = 1 THEN ' removal' ELSE '' END FROM work"
        + " WHERE entity_type = 'GROUP' AND entity_id = ?", groupId);
    return rows.isEmpty() ? "none" : rows.get(0);
  }

  List<String> query(String sql, String param) {
    try (Database db = Database.openExisting(server.store().location(), Database.Access.READ_ONLY)) {
      return db.read(c -> {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          ps.setString(1, param);
          List<String> out = new ArrayList<>();
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              out.add(rs.getString(1));
            }
          }
          return out;
        }
      });
    }
  }
}
