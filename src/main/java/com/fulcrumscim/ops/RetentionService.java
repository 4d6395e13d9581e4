package com.fulcrumscim.ops;

import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.JournalStore;
import com.fulcrumscim.reconcile.AuditLog;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Prunes journal and audit rows older than {@code retention.*} once a day, in batches of
 * {@value #BATCH} rows per transaction so SCIM intake never waits long behind a prune. What each
 * table keeps regardless of age is decided by its store ({@link JournalStore#prune},
 * {@link AuditLog#prune}).
 */
public final class RetentionService implements AutoCloseable {
  static final int BATCH = 1000;
  private static final Logger log = LoggerFactory.getLogger(RetentionService.class);

  /** Rows one pass deleted. */
  public record Pruned(long journal, long audit) {}

  private final Database db;
  private final JournalStore journal;
  private final AuditLog audit;
  private final BridgeConfig.Retention retention;
  private final Clock clock;
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "retention");
    t.setDaemon(true);
    return t;
  });

  public RetentionService(Database db, JournalStore journal, AuditLog audit, BridgeConfig.Retention retention, Clock clock) {
    this.db = db;
    this.journal = journal;
    this.audit = audit;
    this.retention = retention;
    this.clock = clock;
  }

  /** First pass {@code firstAfter} from now (not during start-up's own work), then every 24 hours. */
  public RetentionService start(Duration firstAfter) {
    if (retention.prunes()) {
      timer.scheduleAtFixedRate(this::scheduledPass, firstAfter.toMillis(), Duration.ofDays(1).toMillis(), TimeUnit.MILLISECONDS);
    }
    return this;
  }

  private void scheduledPass() {
    try {
      Pruned pruned = pruneOnce();
      log.info("retention: pruned {} journal rows older than {} and {} audit rows older than {}",
          pruned.journal(), retention.journal(), pruned.audit(), retention.audit());
    } catch (RuntimeException e) {
      // tomorrow's pass tries again; a failing prune must not stop the schedule
      log.warn("retention: pruning failed, retried in 24h: {}", e.toString());
    }
  }

  /** One full pass over both tables. */
  public Pruned pruneOnce() {
    long journalRows = retention.journal().isZero() ? 0
        : drain(() -> db.write(c -> journal.prune(c, clock.instant().minus(retention.journal()), BATCH)));
    long auditRows = retention.audit().isZero() ? 0
        : drain(() -> audit.prune(clock.instant().minus(retention.audit()), BATCH));
    return new Pruned(journalRows, auditRows);
  }

  private static long drain(IntSupplier batch) {
    long total = 0;
    for (int n = batch.getAsInt(); ; n = batch.getAsInt()) {
      total += n;
      if (n < BATCH) {
        return total;
      }
    }
  }

  @Override
  public void close() {
    timer.shutdownNow();
  }
}
