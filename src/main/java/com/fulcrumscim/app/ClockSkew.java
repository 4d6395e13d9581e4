package com.fulcrumscim.app;

import com.fulcrumscim.config.DurationText;
import com.fulcrumscim.db.DatabaseClock;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Locale;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How far this node's clock runs from the database server's (review-s17ha F4): a VM resumed without
 * NTP runs hours ahead, and each change it accepted waited that long, deprovisionings too, with
 * nothing said. Measured at each write of the node's record ({@link NodeTokens}), which reads the
 * database's clock anyway: no round trip of its own. Beyond {@link #SAID_BEYOND} a WARN says so, again
 * each minute while it lasts, and the record carries it for {@code status} on every node.
 * {@link #corrected()} is this node's clock moved back onto the database's by the last measurement
 * when it runs ahead, and this node's clock otherwise: the intake stamps due times on it. Never later
 * than the node's own clock (review-s17e F1, F2): the leader decides what is due on its own clock, so a
 * node behind the database moved forward would hold its changes back by that much there, and an offset
 * measured before an NTP step would hold them back until the next measurement; a change due early
 * only runs sooner.
 */
final class ClockSkew {
  private static final Logger log = LoggerFactory.getLogger(ClockSkew.class);
  /** Beyond this a node's clock is said to be off: NTP keeps hosts within milliseconds, a round trip adds little. */
  static final Duration SAID_BEYOND = Duration.ofSeconds(2);
  private static final Duration SAID_AGAIN_EVERY = Duration.ofMinutes(1);

  /** A read of the database's clock slower than this (a stall, a GC pause) measures nothing: see {@link #measured}. */
  static final Duration SLOWEST_READ = Duration.ofSeconds(1);

  /**
   * One look: the database's time, how far this node's clock ran ahead of it (behind: negative), and
   * how long the read took, which bounds the error at half of it.
   */
  record Reading(long databaseMillis, long aheadMillis, long roundTripMillis) {
    boolean off() {
      return Math.abs(aheadMillis) - roundTripMillis / 2 > SAID_BEYOND.toMillis();
    }

    boolean trusted() {
      return roundTripMillis <= SLOWEST_READ.toMillis();
    }
  }

  private final Clock local;
  private final LongSupplier nanoTime;
  /** The last measurement's; zero until the first, and where the database is SQLite (its clock is this one). */
  private volatile long aheadMillis;
  private boolean saying;
  private long saidAt;

  ClockSkew(Clock local) {
    this(local, System::nanoTime);
  }

  ClockSkew(Clock local, LongSupplier nanoTime) {
    this.local = local;
    this.nanoTime = nanoTime;
  }

  /**
   * The database's time on {@code c} and this clock's offset from it, taken at the middle of the read:
   * a slow answer cannot make a clock look off by more than half its round trip.
   */
  Reading read(Connection c, DatabaseClock database) throws SQLException {
    long before = local.millis();
    long at = database.millis(c);
    long after = local.millis();
    return new Reading(at, before + (after - before) / 2 - at, after - before);
  }

  /** Once {@code reading}'s write committed: the clock {@link #corrected()} follows it, and a skew is said. */
  synchronized void measured(Reading reading, String node) {
    if (!reading.trusted()) {
      return; // a stalled read would say a clock is off by half the stall: the last measurement stands
    }
    aheadMillis = reading.aheadMillis();
    long now = nanoTime.getAsLong();
    if (reading.off()) {
      if (!saying || now - saidAt >= SAID_AGAIN_EVERY.toNanos()) {
        saying = true;
        saidAt = now;
        log.warn("this node's clock ({}) runs {} the database server's (said again each minute while it lasts): fix its"
            + " time sync (NTP, chrony). The changes it accepts are due on the database's clock while it runs"
            + " ahead; should it lead, what it retries and how long it waits are off by that much", node,
            describe(reading.aheadMillis()));
      }
    } else if (saying) {
      saying = false;
      log.info("this node's clock ({}) agrees with the database server's again ({})", node, describe(reading.aheadMillis()));
    }
  }

  /** "3.4 s ahead of", "2h behind": how far a clock runs from the database's, to the minute past one. */
  static String describe(long aheadMillis) {
    long off = Math.abs(aheadMillis);
    String by = off < 60_000 ? String.format(Locale.ROOT, "%.1f s", off / 1000.0)
        : DurationText.of(Duration.ofMinutes(Math.round(off / 60_000.0)));
    return by + (aheadMillis >= 0 ? " ahead of" : " behind");
  }

  /** This node's clock less the last measured offset when it runs ahead: never later than its own clock. */
  Clock corrected() {
    return new Corrected(local.getZone());
  }

  private final class Corrected extends Clock {
    private final ZoneId zone;

    Corrected(ZoneId zone) {
      this.zone = zone;
    }

    @Override
    public long millis() {
      return local.millis() - Math.max(aheadMillis, 0);
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis());
    }

    @Override
    public ZoneId getZone() {
      return zone;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return new Corrected(zone);
    }
  }
}
