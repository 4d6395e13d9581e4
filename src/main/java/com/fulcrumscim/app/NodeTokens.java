package com.fulcrumscim.app;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.db.DatabaseClock;
import com.fulcrumscim.journal.SettingStore;
import com.fulcrumscim.scim.BearerTokens;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which SCIM tokens each running {@code serve} accepts besides the generated one: its own config's
 * scim.token_hashes and the FULCRUM_SCIM_TOKEN of its own environment, by hash (never a token), kept
 * in the setting table while it runs. {@code token forget-generated} reads this: behind a balancer
 * every node receives Okta's requests and each has its own config and environment, so every one must
 * accept the token Okta is left with, and the command sees neither another node's config nor any
 * service's environment (packaged: /etc/fulcrum-scim/env).
 *
 * <p>One entry a process, named by its host and SCIM port and its writer-lease name (unique to the
 * process): a start replaces the entries of earlier processes at the same address, and a process still
 * running there writes its own back at its next refresh. Each node writes its entry again every lease
 * life and at each reload; one not written for {@link #LIVES} lease lives is a node killed outright
 * (a pod name never seen again) and no longer counts.
 */
public final class NodeTokens {
  private static final Logger log = LoggerFactory.getLogger(NodeTokens.class);
  static final String PREFIX = "scim.node_tokens.";
  /** How many lease lives an entry counts after its node last wrote it. */
  static final int LIVES = 3;

  /** One process's entry: {@code hashes} the tokens it accepts but the generated one, none when empty. */
  public record Entry(String node, String holder, Instant written, List<String> hashes) {
    String describe() {
      return node + " " + (hashes.isEmpty() ? "none" : hashes.stream().map(BearerTokens::prefix).collect(Collectors.joining("/")));
    }
  }

  private final Database db;
  private final SettingStore settings;
  private final DatabaseClock clock;

  public NodeTokens(Database db, DatabaseClock clock) {
    this.db = db;
    this.settings = new SettingStore(db);
    this.clock = clock;
  }

  /**
   * At start, once the node listens: its entry, written again every {@code every} until the answer is
   * closed at a clean stop, which takes it away. {@code holder}: the node's writer-lease name.
   */
  Recorded record(String address, String holder, List<String> hashes, Duration every) {
    Map<String, Optional<String>> earlier = new HashMap<>();
    settings.keysStartingWith(PREFIX + address + "/").forEach(key -> earlier.put(key, Optional.empty()));
    settings.write(earlier);
    return new Recorded(PREFIX + address + "/" + holder, hashes, every);
  }

  /** A running node's own entry. */
  final class Recorded implements AutoCloseable {
    private final String key;
    private volatile List<String> hashes;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "node-tokens");
      t.setDaemon(true);
      return t;
    });

    private Recorded(String key, List<String> hashes, Duration every) {
      this.key = key;
      this.hashes = List.copyOf(hashes);
      write();
      thread.scheduleWithFixedDelay(this::writeOrLog, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** At a reload that took effect: the tokens accepted from then on. */
    void accepting(List<String> now) {
      hashes = List.copyOf(now);
      write();
    }

    private void write() {
      List<String> current = hashes;
      db.write(c -> {
        settings.write(c, Map.of(key, Optional.of(clock.millis(c) + ";" + String.join(",", current))));
        return null;
      });
    }

    private void writeOrLog() {
      try {
        write();
      } catch (RuntimeException e) {
        // the next one may succeed; meanwhile the entry ages, and past its end forget-generated does not count it
        log.warn("could not record which SCIM tokens this node accepts (token forget-generated reads it): {}", e.toString());
      }
    }

    @Override
    public void close() throws InterruptedException {
      thread.shutdownNow();
      thread.awaitTermination(10, TimeUnit.SECONDS);
      settings.write(Map.of(key, Optional.empty()));
    }
  }

  /** The entries written within {@link #LIVES} of {@code leaseTtl}, on the database's clock, in key order. */
  public List<Entry> live(Duration leaseTtl) {
    List<String> keys = settings.keysStartingWith(PREFIX);
    return db.read(c -> {
      Instant since = Instant.ofEpochMilli(clock.millis(c)).minus(leaseTtl.multipliedBy(LIVES));
      List<Entry> entries = new ArrayList<>();
      for (String key : keys) {
        // an entry removed meanwhile is a node that stopped
        Optional<Entry> entry = settings.get(c, key).map(value -> entry(key.substring(PREFIX.length()), value));
        entry.filter(e -> e.written().isAfter(since)).ifPresent(entries::add);
      }
      return entries;
    });
  }

  private static Entry entry(String name, String value) {
    int slash = name.indexOf('/');
    int semicolon = value.indexOf(';');
    String hashes = value.substring(semicolon + 1);
    return new Entry(name.substring(0, slash), name.substring(slash + 1), Instant.ofEpochMilli(Long.parseLong(value.substring(0, semicolon))),
        hashes.isEmpty() ? List.of() : Arrays.asList(hashes.split(",")));
  }

  /** A token every entry accepts (the first in the first entry's order); empty when none does or there is no entry. */
  public static Optional<String> common(List<Entry> entries) {
    return entries.isEmpty() ? Optional.empty() : entries.get(0).hashes().stream()
        .filter(hash -> entries.stream().allMatch(e -> e.hashes().contains(hash))).findFirst();
  }

  /** The entries as a line names them: node, then its tokens' hash prefixes or "none". */
  public static String describe(List<Entry> entries) {
    return entries.stream().map(Entry::describe).collect(Collectors.joining(", "));
  }
}
