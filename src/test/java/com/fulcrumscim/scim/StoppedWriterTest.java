package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.user;
import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.ScimHttp.Response;
import com.fulcrumscim.testing.ScimTestServer;
import java.nio.file.Path;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoppedWriterTest {
  @TempDir Path dir;

  @Test
  void aWriteAfterTheDatabaseWriterStoppedIs503WithAScimErrorBody() {
    Set<Thread> before = sqliteWriters();
    try (ScimTestServer server = ScimTestServer.start(dir)) {
      Set<Thread> started = sqliteWriters();
      started.removeAll(before);
      assertThat(started).hasSize(1);
      started.forEach(Thread::interrupt);

      Response r = server.http().post("/Users", user("after-the-writer@example.com"));

      assertThat(r.status()).as(r.text()).isEqualTo(503);
      assertThat(r.json().path("schemas").get(0).asText()).isEqualTo("urn:ietf:params:scim:api:messages:2.0:Error");
      assertThat(r.json().path("status").asText()).isEqualTo("503");
    }
  }

  private static Set<Thread> sqliteWriters() {
    return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals("sqlite-writer"))
        .collect(Collectors.toSet());
  }
}
