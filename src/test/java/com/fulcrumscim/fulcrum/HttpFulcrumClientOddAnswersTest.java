package com.fulcrumscim.fulcrum;

import static com.fulcrumscim.fulcrum.ClientFixture.json;
import static com.fulcrumscim.fulcrum.ClientFixture.status;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import ch.qos.logback.classic.Level;
import com.fulcrumscim.reconcile.RoleTable;
import com.fulcrumscim.testing.CapturedLogs;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Answers shared/fulcrum-api.md allows, or does not rule out, that the client must not take at face
 * value: a PUT kept in part, a same-name group made by hand, roles and members with fields missing
 * or of odd types, paging keys as strings, a group without its member ids.
 */
class HttpFulcrumClientOddAnswersTest extends MockFulcrumTest {
  @RegisterExtension final CapturedLogs logs = new CapturedLogs();

  private static String page(String key, String items) {
    return "{\"" + key + "\":[" + items + "],\"current_page\":1,\"total_pages\":1}";
  }

  private List<String> warnings() {
    return logs.events().stream().filter(e -> e.getLevel() == Level.WARN).map(e -> e.getFormattedMessage()).toList();
  }

  // ---- finding 3: a role without is_system ----

  @Test
  void aRoleNamedOwnerWithoutIsSystemIsNeverGrantedWithoutAllowOwner() {
    server.enqueue(json(200, page("roles",
        "{\"id\":\"r-own\",\"name\":\"Owner\"},{\"id\":\"r-std\",\"name\":\"Standard User\",\"is_default\":true}")));
    List<FulcrumRole> roles = client.roles();
    assertThat(roles).contains(new FulcrumRole("r-own", "Owner", true, false));
    assertThat(new RoleTable(roles, Map.of(), "", false).resolve("Owner")).isInstanceOf(RoleTable.Refused.class);
  }

  @Test
  void aRoleNamedOwnerInAnyCaseCountsAsOwnerWhateverItsIsSystem() {
    server.enqueue(json(200, page("roles",
        "{\"id\":\"r-own\",\"name\":\"OWNER\",\"is_system\":false},{\"id\":\"r-std\",\"name\":\"Standard User\",\"is_system\":null}")));
    List<FulcrumRole> roles = client.roles();
    assertThat(roles).extracting(FulcrumRole::system).containsExactly(false, false);
    RoleTable table = new RoleTable(roles, Map.of(), "", false);
    assertThat(table.resolve("owner")).isInstanceOf(RoleTable.Refused.class);
    assertThat(table.resolve("Standard User")).isEqualTo(new RoleTable.Granted("r-std"));
  }

  // ---- finding 7: a role without an id or a name ----

  @Test
  void rolesWithoutAnIdOrANameAreDroppedWithAWarning() {
    server.enqueue(json(200, page("roles", "{\"id\":\"r-x\",\"name\":null,\"is_system\":false},"
        + "{\"name\":\"No Id\",\"is_system\":false},"
        + "{\"id\":\"r-std\",\"name\":\"Standard User\",\"is_system\":true,\"is_default\":true}")));
    List<FulcrumRole> roles = client.roles();
    assertThat(roles).extracting(FulcrumRole::id).containsExactly("r-std");
    assertThat(new RoleTable(roles, Map.of(), "", false).resolve("Standard User")).isEqualTo(new RoleTable.Granted("r-std"));
    assertThat(warnings()).anySatisfy(w -> assertThat(w).contains("2 role(s) without an id or a name ignored"));
  }
}
