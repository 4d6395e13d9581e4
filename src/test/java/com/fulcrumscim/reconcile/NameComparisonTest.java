package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.journal.DesiredUser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.Headers;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The planner (send this name?) and the client's check of a PUT's answer (did Fulcrum keep the old
 * one?) compare names alike. Where they did not, a name an older release stored unstripped was sent
 * at every re-read: Fulcrum strips it, the check took the stripped answer as applied, and the
 * planner still saw a difference.
 */
class NameComparisonTest {
  @StartStop final MockWebServer server = new MockWebServer();

  private static FulcrumMember held(String email, String first, String last) {
    return new FulcrumMember("m-1", "u-1", email, first, last, "r-1", "Standard User", true, "active");
  }

  private static DesiredUser wanted(String email, String first, String last) {
    return new DesiredUser("s-1", email, email, first, last, null, true, null);
  }

  /** Whether the client takes Fulcrum's answer {@code answered} to a PUT of {@code sent} as applied. */
  private boolean answerTakenAsApplied(MemberFields sent, FulcrumMember answered) {
    server.enqueue(new MockResponse(200, Headers.of("Content-Type", "application/json"),
        "{\"membership\":{\"id\":\"m-1\",\"email\":\"" + answered.email() + "\",\"first_name\":\"" + answered.firstName()
            + "\",\"last_name\":\"" + answered.lastName() + "\",\"role_id\":\"r-1\"}}"));
    try (HttpFulcrumClient client = new HttpFulcrumClient(FulcrumSettings.of(server.url("/").toString(), "tok", 3_600_000,
        Duration.ofSeconds(5), Duration.ofSeconds(5)), new SimpleMeterRegistry(), Clock.systemUTC(), Sleeper.REAL,
        FulcrumCallListener.NONE)) {
      return catchThrowable(() -> client.updateMember("m-1", sent)) == null;
    }
  }

  @ParameterizedTest(name = "Okta ''{0}'' ''{1}'' ''{2}'', Fulcrum ''{3}'' ''{4}'' ''{5}''")
  @CsvSource(quoteCharacter = '"', value = {
      "ada@corp.example, Ada, Lovelace, ada@corp.example, Ada, Lovelace",
      "\"ada@corp.example \", \"Ada \", \" Lovelace\", ada@corp.example, Ada, Lovelace",
      "ADA@corp.example, Ada, Lovelace, ada@corp.example, Ada, Lovelace",
      "ada@corp.example, ada, Lovelace, ada@corp.example, Ada, Lovelace",
      "ada@corp.example, Ada, Byron, ada@corp.example, Ada, Lovelace",
      "ada@corp.example, \"Ada  King\", Lovelace, ada@corp.example, Ada King, Lovelace",
  })
  void aNameThePlannerWouldSendAgainIsNeverTakenAsApplied(
      String email, String first, String last, String heldEmail, String heldFirst, String heldLast) {
    DesiredUser d = wanted(email, first, last);
    FulcrumMember now = held(heldEmail, heldFirst, heldLast);
    MemberFields planned = Planner.changes(now, d, null);
    // what a PUT of every field Okta wants would find if Fulcrum kept what it holds
    boolean applied = answerTakenAsApplied(new MemberFields(email, first, last, null), now);
    assertThat(planned.isEmpty()).as("planner sees no change %s; the check takes Fulcrum's answer as applied", planned)
        .isEqualTo(applied);
  }
}
