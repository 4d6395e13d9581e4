package com.fulcrumscim.testing;

import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.app.Bridge;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.StoreLocation;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The SCIM receiver alone (no reconciler) on a SQLite file of its own, started before each test and
 * stopped after it: {@code @RegisterExtension final ReceiverOnly scim = new ReceiverOnly();}, then
 * {@code scim.http()} as Okta and {@link #storedUser} for what got stored.
 */
public final class ReceiverOnly implements BeforeEachCallback, AfterEachCallback {
  private Path dir;
  private ScimTestServer server;

  @Override
  public void beforeEach(ExtensionContext context) throws IOException {
    dir = MemoryTempDirs.newDirectory("fulcrum-receiver-");
    server = ScimTestServer.start(TestStore.sqlite(dir.resolve("bridge.db")), "", Clock.systemUTC(), Bridge.Mode.RECEIVER_ONLY);
  }

  @Override
  public void afterEach(ExtensionContext context) throws IOException {
    server.close();
    try (Stream<Path> all = Files.walk(dir)) {
      all.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.delete(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    }
  }

  public ScimHttp http() {
    return server.http();
  }

  public StoreLocation location() {
    return server.store().location();
  }

  /** User {@code id}'s document as stored (what the reconciler reads), not as GET renders it. */
  public ObjectNode storedUser(String id) {
    try (Database db = Database.openExisting(location(), Database.Access.READ_ONLY)) {
      return db.read(c -> StoredDocs.user(c, id));
    }
  }
}
