package com.fulcrumscim.scim;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Request bodies under {@code server.max_body_bytes} and {@code server.max_concurrent_bodies}: a body
 * declared over the limit is dropped in a body slot before its 413 (so the client reads the answer),
 * but while the slots are busy it is still 413, never the 503 "retry shortly" of a body that could
 * succeed later (review-s4 F5): a user's PUT so refused keeps its ERROR line, which names 413 only.
 */
class RequestBodiesTest {
  @Test
  void aBodyDeclaredOverTheLimitIs413EvenWhileTheSlotsAreBusy() throws Exception {
    RequestBodies bodies = new RequestBodies(new ObjectMapper(), 100, Duration.ofSeconds(5), 1);
    PipedOutputStream slowClient = new PipedOutputStream();
    PipedInputStream slow = new PipedInputStream(slowClient);
    Thread holder = new Thread(() -> {
      try {
        bodies.read("application/scim+json", "50", slow);
      } catch (RuntimeException ignored) {
        // ends when the pipe closes
      }
    });
    holder.start();
    Thread.sleep(200); // the one slot is taken by a slow, legitimate body

    byte[] big = ("{\"x\":\"" + "y".repeat(300) + "\"}").getBytes(StandardCharsets.UTF_8);
    ScimException refused = catchThrowableOfType(
        () -> bodies.read("application/scim+json", String.valueOf(big.length), new ByteArrayInputStream(big)),
        ScimException.class);
    slowClient.close();
    holder.join(5000);

    assertThat(refused.status()).isEqualTo(413);
  }
}
