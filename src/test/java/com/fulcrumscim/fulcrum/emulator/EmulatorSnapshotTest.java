package com.fulcrumscim.fulcrum.emulator;

import static com.fulcrumscim.fulcrum.emulator.Http.member;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.SettableClock;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Canonical snapshots: what reliability tests compare to prove unmanaged entities were not touched. */
class EmulatorSnapshotTest {
  static final List<String> UNMANAGED = List.of("5f1a0c3e9b2d4e6f8a7b9c01", "5f1a0c3e9b2d4e6f8a7b9e01");

  final SettableClock clock = new SettableClock();
  @RegisterExtension final RunningEmulator emulator = new RunningEmulator(FulcrumEmulator.builder().seed(Seed.demo()).clock(clock));
  final FulcrumEmulator fulcrum = emulator.fulcrum;
  final Http http = emulator.http;

  @Test
  void equalStateGivesEqualBytes() {
    String first = fulcrum.snapshotJson();
    http.get("/api/v2/memberships.json");
    clock.tick(Duration.ofHours(1));
    assertThat(fulcrum.snapshotJson()).isEqualTo(first);
  }

  @Test
  void theSameSeedGivesTheSameSnapshotInAnyEmulator() {
    FulcrumEmulator other = FulcrumEmulator.builder().seed(Seed.demo()).clock(clock).build();
    assertThat(other.snapshotJson(UNMANAGED)).isEqualTo(fulcrum.snapshotJson(UNMANAGED));
  }

  @Test
  void membersAndGroupsAreSortedById() {
    String snapshot = fulcrum.snapshotJson();
    assertThat(snapshot.indexOf("0b6f4f0e-6a3c")).isLessThan(snapshot.indexOf("5f1a0c3e9b2d4e6f8a7b9c01"));
  }

  @Test
  void aSubsetIgnoresChangesElsewhere() {
    String before = fulcrum.snapshotJson(UNMANAGED);
    http.post("/api/v2/memberships.json", member("new@example.com", "N", "M"));
    http.post("/api/v2/groups.json", "{\"group\":{\"name\":\"Field Crew\"}}");
    assertThat(fulcrum.snapshotJson(UNMANAGED)).isEqualTo(before);
  }

  @Test
  void aSubsetShowsAChangeToOneOfItsIds() {
    String before = fulcrum.snapshotJson(UNMANAGED);
    clock.tick(Duration.ofMinutes(1));
    http.put("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c01.json", "{\"membership\":{\"first_name\":\"Pri\"}}");
    assertThat(fulcrum.snapshotJson(UNMANAGED)).isNotEqualTo(before).contains("\"first_name\" : \"Pri\"");
  }

  @Test
  void aRemovedIdIsListedAsMissing() {
    http.delete("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c01.json", "{\"membership\":{\"reassign_to_membership_id\":null}}");
    assertThat(fulcrum.snapshotJson(UNMANAGED)).contains("\"missing\" : [ \"5f1a0c3e9b2d4e6f8a7b9c01\" ]");
  }

  @Test
  void anUpdateThatChangesNothingKeepsTheSnapshot() {
    String before = fulcrum.snapshotJson();
    clock.tick(Duration.ofMinutes(1));
    http.put("/api/v2/memberships/5f1a0c3e9b2d4e6f8a7b9c01.json", "{\"membership\":{\"first_name\":\"Priya\"}}");
    http.put("/api/v2/groups/5f1a0c3e9b2d4e6f8a7b9e01.json", "{\"group\":{\"name\":\"Field Crew\"}}");
    assertThat(fulcrum.snapshotJson()).isEqualTo(before);
  }

  @Test
  void theAdminStateEndpointServesTheSnapshot() {
    String path = "/_emulator/state?ids=" + String.join(",", UNMANAGED);
    Http.Resp r = http.send(HttpRequest.newBuilder(URI.create(fulcrum.baseUrl() + path)));
    assertThat(r.body()).isEqualTo(fulcrum.snapshotJson(UNMANAGED));
  }
}
