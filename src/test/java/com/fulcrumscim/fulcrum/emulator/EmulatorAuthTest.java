package com.fulcrumscim.fulcrum.emulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The token (decision 1 and 10), {@code Accept}, and the token's revocation. */
class EmulatorAuthTest {
  @RegisterExtension final RunningEmulator emulator = new RunningEmulator(FulcrumEmulator.builder().token("t0k3n"));
  final FulcrumEmulator fulcrum = emulator.fulcrum;
  final Http http = emulator.http;

  private HttpRequest.Builder bare(String path) {
    return HttpRequest.newBuilder(URI.create(fulcrum.baseUrl() + path));
  }

  @Test
  void aMissingTokenIs401() {
    Http.Resp r = http.send(bare("/api/v2/memberships.json").header("Accept", "application/json"));
    assertThat(r.status()).isEqualTo(401);
    assertThat(r.body()).isEqualTo("{\"error\":\"Unauthorized\"}");
  }

  @Test
  void aWrongTokenIs401() {
    Http.Resp r = http.send(bare("/api/v2/memberships.json").header("Accept", "application/json").header("X-ApiToken", "t0k3m"));
    assertThat(r.status()).isEqualTo(401);
  }

  @Test
  void withoutAcceptJsonIs406() {
    Http.Resp r = http.send(bare("/api/v2/memberships.json").header("X-ApiToken", "t0k3n"));
    assertThat(r.status()).isEqualTo(406);
  }

  @Test
  void aRevokedTokenIs401UntilRestored() {
    fulcrum.faults().revokeToken();
    assertThat(http.get("/api/v2/users.json").status()).isEqualTo(401);
    fulcrum.faults().restoreToken();
    assertThat(http.get("/api/v2/users.json").status()).isEqualTo(200);
  }

  @Test
  void aNewTokenReplacesTheOldOne() {
    fulcrum.faults().revokeToken();
    fulcrum.replaceToken("fresh");
    Http.Resp old = http.send(bare("/api/v2/users.json").header("Accept", "application/json").header("X-ApiToken", "t0k3n"));
    assertThat(old.status()).isEqualTo(401);
    assertThat(http.get("/api/v2/users.json").status()).as("Http sends fulcrum.token()").isEqualTo(200);
  }

  @Test
  void theAdminTokenEndpointAcceptsANewToken() {
    http.send(bare("/_emulator/token").POST(HttpRequest.BodyPublishers.ofString("{\"token\":\"via-admin\"}")));
    assertThat(fulcrum.token()).isEqualTo("via-admin");
  }

  @Test
  void unknownPathsAre404() {
    assertThat(http.get("/api/v2/forms.json").status()).isEqualTo(404);
    assertThat(http.get("/api/v2/memberships").status()).isEqualTo(404);
  }

  @Test
  void theGeneratedTokenIsLongAndRandom() {
    try (FulcrumEmulator a = FulcrumEmulator.builder().build(); FulcrumEmulator b = FulcrumEmulator.builder().build()) {
      assertThat(a.token()).hasSize(40).isNotEqualTo(b.token());
    }
  }
}
