package com.fulcrumscim.app;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.GroupStore;
import com.fulcrumscim.journal.Intake;
import com.fulcrumscim.journal.JournalStore;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.journal.UserStore;
import com.fulcrumscim.journal.WorkQueue;
import com.fulcrumscim.scim.BearerAuth;
import com.fulcrumscim.scim.ScimJson;
import com.fulcrumscim.scim.ScimServer;
import com.fulcrumscim.scim.schema.ResourceNormalizer;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.Optional;
import java.util.function.Function;

/**
 * The daemon: opens the database, builds the stores and the SCIM endpoint, starts and stops them.
 * Everything it uses comes in through the constructor; {@link #start} does the opening.
 */
public final class Bridge {
  private final BridgeConfig config;
  private final Function<String, String> environment;
  private final Clock clock;
  private final SecureRandom random;
  private Database db;
  private ScimServer server;
  private Optional<String> generatedToken = Optional.empty();

  /** {@code environment}: how FULCRUM_SCIM_TOKEN is looked up (System::getenv in the daemon). */
  public Bridge(BridgeConfig config, Function<String, String> environment, Clock clock, SecureRandom random) {
    this.config = config;
    this.environment = environment;
    this.clock = clock;
    this.random = random;
  }

  public Bridge start() {
    db = Database.open(config.storage().path());
    try {
      ObjectMapper json = ScimJson.newMapper();
      UserStore users = new UserStore(json);
      GroupStore groups = new GroupStore(json);
      WorkQueue queue = new WorkQueue(db, clock);
      // onAccepted: the reconciler's "run now" goes here once it is wired in.
      Intake intake = new Intake(db, queue, users, groups, new JournalStore(), clock, () -> {});
      ScimTokens tokens = ScimTokens.resolve(config.scim().tokenHashes(), environment.apply(ScimTokens.ENV_TOKEN),
          new SettingStore(db), random);
      generatedToken = tokens.generated();
      server = new ScimServer(ScimServer.Settings.of(config), new BearerAuth(tokens.hashes()), db, intake, users, groups,
          new ResourceNormalizer(), json, clock).start();
      return this;
    } catch (RuntimeException e) {
      db.close();
      throw e;
    }
  }

  /** Stops accepting requests, then closes the database once in-flight writes are committed. */
  public void stop() {
    if (server != null) {
      server.stop();
    }
    if (db != null) {
      db.close();
    }
  }

  /** The token generated at this start because none was configured; shown once, never stored. */
  public Optional<String> generatedToken() {
    return generatedToken;
  }

  public String scimBaseUrl() {
    return server.baseUrl();
  }

  public int port() {
    return server.port();
  }
}
