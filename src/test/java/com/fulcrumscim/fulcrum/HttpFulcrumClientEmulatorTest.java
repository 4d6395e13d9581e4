package com.fulcrumscim.fulcrum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The client against the emulator, item by item of the contract's "Decisions". */
class HttpFulcrumClientEmulatorTest {
  FulcrumEmulator fulcrum;
  HttpFulcrumClient client;

  private void start(FulcrumEmulator.Builder emulator, int pageSize) {
    fulcrum = emulator.random(new Random(7)).build().start();
    FulcrumSettings settings = FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5)).withPageSize(pageSize);
    // Backoff waits are skipped: these tests are about outcomes, not timing.
    client = new HttpFulcrumClient(settings, new SimpleMeterRegistry(), Clock.systemUTC(), d -> {}, FulcrumCallListener.NONE);
  }

  private void start() {
    start(FulcrumEmulator.builder(), FulcrumSettings.MAX_PAGE_SIZE);
  }

  @AfterEach
  void stop() {
    if (client != null) {
      client.close();
    }
    if (fulcrum != null) {
      fulcrum.close();
    }
  }

  private FulcrumMember create(String email) {
    return client.createMember(new MemberFields(email, "First", "Last", null));
  }

  @Test
  void theTokenOwnerIsTheEmulatorsOwner() {
    start(FulcrumEmulator.builder().ownerEmail("boss@example.com"), FulcrumSettings.MAX_PAGE_SIZE);
    assertThat(client.tokenOwner().email()).isEqualTo("boss@example.com");
  }

  @Test
  void theFourSystemRolesAreSeededWithStandardUserAsDefault() {
    start();
    assertThat(client.roles()).filteredOn(FulcrumRole::system).extracting(FulcrumRole::name)
        .contains("Owner", "Manager", "Standard User", "Record Creator");
    assertThat(client.roles()).filteredOn(FulcrumRole::isDefault).extracting(FulcrumRole::name).containsExactly("Standard User");
  }

  @Test
  void aMemberIsCreatedReadUpdatedAndRemoved() {
    start();
    String manager = client.roles().stream().filter(r -> r.name().equals("Manager")).findFirst().orElseThrow().id();
    FulcrumMember alice = create("alice@example.com");
    assertThat(client.members()).extracting(FulcrumMember::email).contains("alice@example.com");
    assertThat(client.members()).filteredOn(m -> m.id().equals(alice.id())).extracting(FulcrumMember::managed).containsExactly(false);

    client.updateMember(alice.id(), new MemberFields(null, "Alicia", null, manager));
    FulcrumMember updated = client.member(alice.id()).orElseThrow();
    assertThat(updated.firstName()).isEqualTo("Alicia");
    assertThat(updated.roleId()).isEqualTo(manager);

    client.deleteMember(alice.id(), null);
    assertThat(client.member(alice.id())).isEmpty();
    client.deleteMember(alice.id(), null); // Fulcrum's 404: answered, not thrown (the read above says she is gone)
  }

  @Test
  void aPutThatFulcrumAppliesOnlyToTheEmailIsRejectedNotTakenAsDone() {
    start(FulcrumEmulator.builder().putAppliesEmailOnly(true), FulcrumSettings.MAX_PAGE_SIZE);
    String manager = client.roles().stream().filter(r -> r.name().equals("Manager")).findFirst().orElseThrow().id();
    FulcrumMember erin = create("erin@example.com");

    FulcrumException.Rejected e = catchThrowableOfType(FulcrumException.Rejected.class,
        () -> client.updateMember(erin.id(), new MemberFields(null, "Erina", null, manager)));
    assertThat(e.detail()).contains("kept first_name 'First' (sent 'Erina')", "kept", "role_id '" + erin.roleId() + "'");
    assertThat(fulcrum.member(erin.id()).orElseThrow().roleId()).isEqualTo(erin.roleId());

    // what such a Fulcrum does apply passes
    client.updateMember(erin.id(), new MemberFields("erin.new@example.com", null, null, null));
    assertThat(fulcrum.member(erin.id()).orElseThrow().email()).isEqualTo("erin.new@example.com");
  }

  @Test
  void aDuplicateEmailInAnyCaseIsRejectedWithFulcrumsWords() {
    start();
    create("bob@example.com");
    FulcrumException.Rejected e = catchThrowableOfType(FulcrumException.Rejected.class, () -> create("BOB@example.com"));
    assertThat(e.status()).isEqualTo(422);
    assertThat(e.detail()).isEqualTo("email has already been taken");
  }

  @Test
  void everyPageIsRead() {
    start(FulcrumEmulator.builder(), 2);
    for (int i = 0; i < 5; i++) {
      create("m" + i + "@example.com");
    }
    assertThat(client.members()).hasSize(6); // five and the token owner
    assertThat(fulcrum.calls().count("GET /api/v2/memberships.json")).isEqualTo(3);
  }

  @Test
  void membersOtherThanTheKnownWalkEveryPageAndLeaveTheKnownOut() {
    start(FulcrumEmulator.builder(), 2);
    List<String> known = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      FulcrumMember m = create("m" + i + "@example.com");
      if (i % 2 == 0) {
        known.add(m.id());
      }
    }
    fulcrum.calls().reset();
    assertThat(client.membersOtherThan(Set.copyOf(known))).extracting(FulcrumMember::email)
        .containsExactlyInAnyOrder("m1@example.com", "m3@example.com", "owner@fulcrum.example");
    assertThat(fulcrum.calls().count("GET /api/v2/memberships.json")).as("as many pages as members() reads").isEqualTo(3);
  }

  @Test
  void aCreatedGroupGainsTheTokenOwnerAndChangesMembersAllOrNothing() {
    start();
    FulcrumMember carol = create("carol@example.com");
    FulcrumGroup crew = client.createGroup("Crew", "From Okta");
    assertThat(client.group(crew.id()).orElseThrow().memberIds()).containsExactly(fulcrum.ownerMembershipId());

    client.changeGroupMembers(crew.id(), List.of(carol.id()), List.of(fulcrum.ownerMembershipId()));
    assertThat(client.group(crew.id()).orElseThrow().memberIds()).containsExactly(carol.id());

    assertThatThrownBy(() -> client.changeGroupMembers(crew.id(), List.of("no-such-member"), List.of(carol.id())))
        .isInstanceOf(FulcrumException.Rejected.class);
    assertThat(client.group(crew.id()).orElseThrow().memberIds()).containsExactly(carol.id());
  }

  @Test
  void aGroupIsRenamedListedAndDeleted() {
    start();
    FulcrumGroup crew = client.createGroup("Crew", null);
    client.renameGroup(crew.id(), "Field Crew");
    assertThat(client.groups()).extracting(FulcrumGroup::name).contains("Field Crew");
    client.deleteGroup(crew.id());
    assertThat(client.group(crew.id())).isEmpty();
    client.deleteGroup(crew.id());
  }

  @Test
  void aRevokedTokenIsUnauthorized() {
    start();
    fulcrum.faults().revokeToken();
    assertThatThrownBy(client::members).isInstanceOf(FulcrumException.Unauthorized.class);
  }

  @Test
  void theEmulatorsRateLimitIsRateLimitedWithItsRetryAfter() {
    start(FulcrumEmulator.builder().callsPerHour(2), FulcrumSettings.MAX_PAGE_SIZE);
    client.roles();
    client.roles();
    FulcrumException.RateLimited e = catchThrowableOfType(FulcrumException.RateLimited.class, client::roles);
    assertThat(e.retryAfter()).isPositive();
  }

  @Test
  void serverErrorsOnReadsAreRetriedThenUnavailable() {
    start();
    fulcrum.faults().errorShare(1.0);
    assertThatThrownBy(client::groups).isInstanceOf(FulcrumException.Unavailable.class);
    assertThat(fulcrum.calls().count("GET /api/v2/groups.json")).isEqualTo(3);
  }

  @Test
  void aCreateWhoseAnswerIsLostIsNotRepeated() {
    start();
    fulcrum.faults().lostResponseShare(1.0);
    assertThatThrownBy(() -> create("dave@example.com")).isInstanceOf(FulcrumException.Unavailable.class);
    fulcrum.faults().clear();
    assertThat(client.members()).filteredOn(m -> m.email().equals("dave@example.com")).hasSize(1);
    assertThat(fulcrum.calls().count("POST /api/v2/memberships.json")).isEqualTo(1);
  }

  @Test
  void droppedConnectionsOnReadsAreSurvivedByRetry() {
    start();
    fulcrum.faults().dropShare(0.3);
    for (int i = 0; i < 10; i++) {
      try {
        client.roles();
      } catch (FulcrumException.Unavailable threeDropsInARow) {
        // a read may lose all three attempts; the rest must succeed
      }
    }
    assertThat(fulcrum.calls().count("GET /api/v2/roles.json", 200)).isGreaterThanOrEqualTo(5);
  }
}
