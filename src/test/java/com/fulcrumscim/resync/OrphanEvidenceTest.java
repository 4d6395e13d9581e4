package com.fulcrumscim.resync;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.testing.ReconcileHarness;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every member and group the bridge ever linked is its own to resync, not only those whose create
 * Fulcrum answered: a removal that left one behind after its link was dropped (a Fulcrum whose read
 * by id said it was gone) is found as an orphan and removed, however old the audit rows are.
 */
class OrphanEvidenceTest {
  static final String ADA = "ada@corp.example";

  @TempDir Path dir;
  ReconcileHarness h;

  @AfterEach
  void close() {
    h.close();
  }

  ReconcileHarness start(ReconcileSettings settings) {
    h = new ReconcileHarness(dir, ReconcileHarness.Options.defaults().withSettings(settings));
    return h;
  }

  static ReconcileSettings defaults() {
    return ReconcileHarness.Options.defaults().settings();
  }

  static ReconcileSettings adopting() {
    return new ReconcileSettings(true, null, true, Map.of(), "", false, Duration.ofSeconds(5), Duration.ofMinutes(5),
        Duration.ofSeconds(70));
  }

  ResyncReport resync() {
    h.restart(h.http);
    return new Resync(h.http, h.db, h.options().settings(), h.clock, h.clock::tick).apply(h.wiring(), Progress.NONE, 0);
  }

  @Test
  void anAdoptedMemberARemovalLeftBehindIsAnOrphanResyncRemoves() {
    start(adopting());
    FulcrumMember byHand = h.http.createMember(new MemberFields(ADA, "Ada", "Lovelace", null));
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).as("adopted").isPresent();
    removedUnverifiably(() -> h.okta.set(ada, "active", 0));
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada)).isEmpty();
    assertThat(h.fulcrum.member(byHand.id())).as("left behind").isPresent();

    resync();
    assertThat(h.fulcrum.member(byHand.id())).as("a deprovisioned person").isEmpty();
  }

  @Test
  void aMemberLinkedAfterItsCreatesAnswerWasLostIsAnOrphanResyncRemoves() {
    start(defaults());
    h.restart(createAnswersLostOnce(h.http, "createMember"));
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    String member = h.fulcrum.memberByEmail(ADA).orElseThrow().id();
    assertThat(new LinkStore(h.db).get(EntityType.USER, ada).orElseThrow().fulcrumId()).isEqualTo(member);
    removedUnverifiably(() -> h.okta.set(ada, "active", 0));
    assertThat(h.fulcrum.member(member)).isPresent();

    resync();
    assertThat(h.fulcrum.member(member)).isEmpty();
  }

  @Test
  void aGroupLinkedAfterItsCreatesAnswerWasLostIsAnOrphanResyncDeletes() {
    start(defaults());
    h.restart(createAnswersLostOnce(h.http, "createGroup"));
    String crew = h.okta.group("Crew", List.of());
    h.settle();
    String group = new LinkStore(h.db).get(EntityType.GROUP, crew).orElseThrow().fulcrumId();
    removedUnverifiably(() -> h.okta.deleteGroup(crew));
    assertThat(h.fulcrum.group(group)).isPresent();

    resync();
    assertThat(h.fulcrum.group(group)).isEmpty();
  }

  @Test
  void linkEvidenceOutlastsAuditRetention() {
    start(adopting());
    FulcrumMember byHand = h.http.createMember(new MemberFields(ADA, "Ada", "Lovelace", null));
    String ada = h.okta.user(ADA, "Ada", "Lovelace", null);
    h.settle();
    removedUnverifiably(() -> h.okta.set(ada, "active", 0));
    h.clock.tick(Duration.ofDays(400));
    new AuditLog(h.db, h.clock).prune(h.clock.instant(), 1000);

    resync();
    assertThat(h.fulcrum.member(byHand.id())).isEmpty();
  }

  /** {@code change} runs against a Fulcrum that ignores deletes and whose read by id says "gone". */
  void removedUnverifiably(Runnable change) {
    h.restart(unverifiableRemovals(h.http));
    change.run();
    h.settle();
  }

  static FulcrumClient unverifiableRemovals(FulcrumClient real) {
    return proxy(real, (name, args) -> switch (name) {
      case "deleteMember", "deleteGroup" -> Optional.of(204);
      case "member", "group" -> Optional.of(Optional.empty());
      default -> Optional.empty();
    }, Set.of());
  }

  /** The real client, except that the first call of {@code create} is made and its answer lost. */
  static FulcrumClient createAnswersLostOnce(FulcrumClient real, String create) {
    return proxy(real, (name, args) -> Optional.empty(), Set.of(create));
  }

  interface Instead {
    Optional<Object> answer(String method, Object[] args);
  }

  private static FulcrumClient proxy(FulcrumClient real, Instead instead, Set<String> loseFirstAnswerOf) {
    boolean[] lost = {false};
    return (FulcrumClient) Proxy.newProxyInstance(FulcrumClient.class.getClassLoader(), new Class<?>[] {FulcrumClient.class},
        (p, m, args) -> {
          Optional<Object> answer = instead.answer(m.getName(), args);
          if (answer.isPresent()) {
            return answer.get();
          }
          Object result;
          try {
            result = m.invoke(real, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
          if (loseFirstAnswerOf.contains(m.getName()) && !lost[0]) {
            lost[0] = true;
            throw new FulcrumException.Unavailable("POST /api/v2/" + m.getName(), "read timed out", null);
          }
          return result;
        });
  }
}
