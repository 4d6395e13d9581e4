package com.fulcrumscim.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fulcrumscim.config.ConfigLoader;
import com.fulcrumscim.testing.ScimHttp;
import com.fulcrumscim.testing.ScimTestServer;
import com.fulcrumscim.testing.ScimTestServer.Bodies;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** etc/'s alert rules and Grafana dashboard: well-formed, and every series they query is on a live /metrics. */
class MonitoringFilesTest {
  static final Path ALERTS = Path.of("etc/fulcrum-scim-alerts.yml");
  static final Path DASHBOARD = Path.of("etc/fulcrum-scim-dashboard.json");
  /** Series names in PromQL: the bridge's own, JVM and process ones; `up` is Prometheus's own. */
  static final Pattern SERIES = Pattern.compile("\\b((?:fulcrum_scim|jvm|process|system)_[a-zA-Z0-9_]+)\\b");

  @TempDir Path dir;
  private Bridge bridge;

  /**
   * The bridge with its embedded emulator, started by the tests that scrape it (the others only read
   * files). Calls unpaced: at the default budget they go 0.7 s apart.
   */
  Bridge bridge() {
    if (bridge == null) {
      bridge = new Bridge(ScimTestServer.withPort(new ConfigLoader(n -> null).parse("test", "storage:\n  path: "
          + dir.resolve("b.db") + "\nfulcrum:\n  calls_per_hour: 3600000\n"), 0),
          n -> n.equals("FULCRUM_SCIM_TOKEN") ? ScimTestServer.TOKEN : null, Clock.systemUTC(), new SecureRandom()).start();
    }
    return bridge;
  }

  @AfterEach
  void stop() {
    if (bridge != null) {
      bridge.stop();
    }
  }

  @Test
  void everyAlertRuleHasAlertExprForLabelsAndAnnotations() throws Exception {
    JsonNode rules = new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile());
    List<String> names = new ArrayList<>();
    for (JsonNode group : rules.path("groups")) {
      assertThat(group.path("name").asText()).isNotBlank();
      for (JsonNode rule : group.path("rules")) {
        names.add(rule.path("alert").asText());
        assertThat(rule.path("expr").asText()).as("expr of %s", rule.path("alert")).isNotBlank();
        assertThat(rule.path("for").asText()).as("for of %s", rule.path("alert")).matches("\\d+[smh]");
        assertThat(rule.path("labels").path("severity").asText()).as("severity of %s", rule.path("alert")).isIn("warning", "critical");
        assertThat(rule.path("annotations").path("summary").asText()).as("summary of %s", rule.path("alert")).isNotBlank();
        assertThat(rule.path("annotations").path("description").asText()).as("description of %s", rule.path("alert")).isNotBlank();
      }
    }
    assertThat(names).doesNotHaveDuplicates().contains("FulcrumScimReconcilerPaused", "FulcrumScimDeadRows",
        "FulcrumScimRemovalsHeld", "FulcrumScimOldestPendingTooOld", "FulcrumScimCallBudgetExhausted",
        "FulcrumScimNotOneReconciler", "FulcrumScimClaimsLost", "FulcrumScimReassignTargetMissing",
        "FulcrumScimOrphanRemovalsHeld", "FulcrumScimDeprovisioningDead", "FulcrumScimDeprovisioningRetrying",
        "FulcrumScimDeprovisionedKeepsAccess",
        "FulcrumScimWritesToUnknownIds", "FulcrumScimRestoreCarryIncomplete", "FulcrumScimRequestsUnauthorized");
  }

  /** A deprovisioned person who keeps access pages someone, as a held removal does; other dead rows only warn. */
  @Test
  void theAlertsOnPeopleWhoKeepAccessAreCritical() throws Exception {
    for (String name : List.of("FulcrumScimDeprovisioningDead", "FulcrumScimDeprovisioningRetrying",
        "FulcrumScimDeprovisionedKeepsAccess", "FulcrumScimRemovalsHeld")) {
      assertThat(rule(name).path("labels").path("severity").asText()).as(name).isEqualTo("critical");
    }
  }

  /**
   * The identity provider presenting a token the bridge no longer accepts has every change refused,
   * deactivations too, and does not send them again; scanners sending no token page no one.
   */
  @Test
  void theAlertOnWrongScimTokensIsCriticalAndLeavesRequestsWithoutATokenOut() throws Exception {
    JsonNode rule = rule("FulcrumScimRequestsUnauthorized");
    assertThat(rule.path("labels").path("severity").asText()).isEqualTo("critical");
    assertThat(rule.path("for").asText()).isEqualTo("10m");
    assertThat(rule.path("expr").asText()).contains("fulcrum_scim_auth_failures_total{reason=~\"wrong_token|throttled\"}")
        .doesNotContain("no_token");
  }

  /**
   * A stranger's flood of wrong tokens fires it as Okta left on an old token does, and the two need
   * opposite acts: the description names both and how to tell them apart, by the address the log
   * names (never the token).
   */
  @Test
  void theAlertOnWrongScimTokensNamesBothCausesAndHowToTellThemApart() throws Exception {
    assertThat(rule("FulcrumScimRequestsUnauthorized").path("annotations").path("description").asText())
        .contains("identity provider presents an old token", "someone else keeps trying tokens",
            "`SCIM authentication failed from <address>: token not accepted on <method> <path>`", "never the token",
            "Okta's published IP ranges", "the address is the proxy's", "block the address")
        .doesNotContain("Usually");
  }

  /** A deactivation the restore could not carry leaves a person their access, and nothing else would say so. */
  @Test
  void theAlertOnAnIncompleteRestoreCarryIsCriticalAndNamesTheWayOut() throws Exception {
    JsonNode rule = rule("FulcrumScimRestoreCarryIncomplete");
    assertThat(rule.path("labels").path("severity").asText()).isEqualTo("critical");
    assertThat(rule.path("annotations").path("description").asText())
        .contains("When the restore cannot carry everything forward", "fulcrum-scim restore acknowledge");
  }

  @Test
  void theDownAlertTellsOnCallToRetryOktasFailedTasksNotThatOktaRetries() throws Exception {
    // Okta shows a refused provisioning call as a task for an admin to retry; it never resends it by itself
    String description = rule("FulcrumScimDown").path("annotations").path("description").asText();
    assertThat(description).doesNotContain("Okta retries").contains("does not send them again").contains("retry the failed provisioning tasks");
  }

  @Test
  void theCallBudgetPanelShowsTheLeastBudgetLeftOverNodesNotAStandbysUntouchedOne() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    List<String> exprs = new ArrayList<>();
    dashboard.path("panels").forEach(panel -> exprs.addAll(panel.path("targets").findValuesAsText("expr")));
    // each node's gauge comes from its own pacer: a standby's reads the full calls_per_hour
    assertThat(exprs).filteredOn(e -> e.contains("fulcrum_scim_fulcrum_rate_budget_left"))
        .isNotEmpty().allSatisfy(e -> assertThat(e).startsWith("min("));
  }

  private static JsonNode rule(String name) throws Exception {
    for (JsonNode group : new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile()).path("groups")) {
      for (JsonNode rule : group.path("rules")) {
        if (rule.path("alert").asText().equals(name)) {
          return rule;
        }
      }
    }
    throw new AssertionError("no alert " + name);
  }

  @Test
  void theDashboardIsGrafanaJsonWithAQueryInEveryPanel() throws Exception {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("fulcrum-scim");
    assertThat(dashboard.path("panels")).isNotEmpty().allSatisfy(panel ->
        assertThat(panel.path("targets").findValuesAsText("expr")).as(panel.path("title").asText()).isNotEmpty());
  }

  @Test
  void everySeriesTheAlertsAndTheDashboardQueryIsOnALiveScrape() throws Exception {
    ScimHttp okta = new ScimHttp(bridge().scimBaseUrl(), "Bearer " + ScimTestServer.TOKEN);
    assertThat(okta.post("/Users", Bodies.user("scraped@corp.example")).status()).isEqualTo(201);
    assertThat(okta.withAuthorization("Bearer wrong").get("/Users").status()).isEqualTo(401);
    await().atMost(Duration.ofSeconds(15)).until(() -> bridge().emulator().orElseThrow().memberByEmail("scraped@corp.example").isPresent());
    ScimHttp ops = new ScimHttp(bridge().scimBaseUrl().replace("/scim/v2", ""), "");
    await().atMost(Duration.ofSeconds(10)).until(() -> ops.get("/metrics").text().contains("fulcrum_scim_reconcile_outcomes_total"));
    Set<String> scraped = new TreeSet<>();
    for (String line : ops.get("/metrics").text().split("\n")) {
      if (!line.startsWith("#") && !line.isBlank()) {
        scraped.add(line.split("[{ ]", 2)[0]);
      }
    }

    Set<String> queried = new TreeSet<>();
    queried.addAll(series(new ObjectMapper(new YAMLFactory()).readTree(ALERTS.toFile()).findValuesAsText("expr")));
    queried.addAll(series(new ObjectMapper().readTree(DASHBOARD.toFile()).findValuesAsText("expr")));
    assertThat(queried).contains("fulcrum_scim_reconciler_paused", "fulcrum_scim_acknowledged_to_applied_seconds_bucket",
        "fulcrum_scim_requests_seconds_bucket", "fulcrum_scim_fulcrum_call_duration_seconds_bucket", "jvm_memory_used_bytes",
        "fulcrum_scim_leader");
    assertThat(scraped).containsAll(queried);
  }

  @Test
  void aChangeThatReachesFulcrumIsTimedFromItsAcknowledgementAndStampsTheLastApply() throws Exception {
    ScimHttp ops = new ScimHttp(bridge().scimBaseUrl().replace("/scim/v2", ""), "");
    assertThat(ops.get("/metrics").text()).contains("fulcrum_scim_acknowledged_to_applied_seconds_count 0",
        "fulcrum_scim_last_apply_timestamp_seconds 0.0");
    long before = System.currentTimeMillis() / 1000;
    assertThat(new ScimHttp(bridge().scimBaseUrl(), "Bearer " + ScimTestServer.TOKEN).post("/Users", Bodies.user("timed@corp.example")).status())
        .isEqualTo(201);
    await().atMost(Duration.ofSeconds(15)).until(() -> ops.get("/metrics").text()
        .contains("fulcrum_scim_acknowledged_to_applied_seconds_count 1"));
    Matcher lastApply = Pattern.compile("(?m)^fulcrum_scim_last_apply_timestamp_seconds (\\S+)$").matcher(ops.get("/metrics").text());
    assertThat(lastApply.find()).isTrue();
    assertThat(Double.parseDouble(lastApply.group(1))).isGreaterThanOrEqualTo(before);
  }

  @Test
  void everyBridgeSeriesHasTheOnePrefix() throws Exception {
    ScimHttp ops = new ScimHttp(bridge().scimBaseUrl().replace("/scim/v2", ""), "");
    assertThat(new ScimHttp(bridge().scimBaseUrl(), "Bearer " + ScimTestServer.TOKEN).get("/Users").status()).isEqualTo(200);
    List<String> foreign = new ArrayList<>();
    for (String line : ops.get("/metrics").text().split("\n")) {
      String name = line.startsWith("# TYPE ") ? line.split(" ")[2] : null;
      if (name != null && !name.matches("(fulcrum_scim|jvm|process|system)_.*")) {
        foreign.add(name);
      }
    }
    assertThat(foreign).isEmpty();
  }

  private static Set<String> series(List<String> expressions) {
    Set<String> names = new TreeSet<>();
    for (String expr : expressions) {
      Matcher m = SERIES.matcher(expr);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }
}
