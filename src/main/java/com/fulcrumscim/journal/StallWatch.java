package com.fulcrumscim.journal;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Notes the times this JVM stood still (SIGSTOP, a long GC or VM pause) and refuses, at commit, the
 * SCIM changes that may have been overtaken meanwhile (review-s17ha F2). Behind a balancer a request
 * sent to a stalled node waits in its socket; the identity provider times out and moves on, and a
 * later change of the same person (a deactivation) commits through another node. Committed after
 * the resume, the old request would undo it: the leaver reactivated and invited again.
 *
 * <p>A thread ticks every {@value #TICK_MILLIS} ms; a gap between two ticks over the threshold is a
 * stall. A change is refused if, at its commit: the last tick is older than the threshold (a stall
 * under way, or just ended and not yet seen); or the request arrived at the JVM before the end of
 * the last stall plus a grace (a request that waited in the socket's backlog is read only after the
 * resume, so its arrival here is just after the stall: the grace covers reading that backlog); or
 * the watch is closed (the node stopped serving: a request still under way gets no answer). A
 * request's age alone refuses nothing: on a healthy node a change waits its turn behind others of
 * the same group for longer than any fixed bound but its clients' own timeouts (Okta 30 s and more,
 * Entra 60 s), and refusing it then lost removals (review-s17d F1).
 * Monotonic time ({@link System#nanoTime}): a wall clock set back or forward is no stall.
 */
public final class StallWatch implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StallWatch.class);
  static final long TICK_MILLIS = 100;
  /** A gap between ticks beyond this is a stall: far over a tick missed on a loaded machine, far under a client's timeout. */
  public static final Duration THRESHOLD = Duration.ofSeconds(3);
  /** How long after a stall's end a request that arrived meanwhile is still counted as having waited across it. */
  public static final Duration GRACE = Duration.ofSeconds(2);

  private final long thresholdNanos;
  private final long graceNanos;
  private final Thread ticker;
  private volatile long lastTick;
  /** Requests that arrived before this (nanoTime) are refused: the last stall's end plus the grace. */
  private volatile long refuseArrivedBefore;
  private volatile long lastStallMillis;
  private volatile long pauseNanos;
  private volatile boolean closed;

  private StallWatch(Duration threshold, Duration grace, boolean watching) {
    this.thresholdNanos = threshold.toNanos();
    this.graceNanos = grace.toNanos();
    this.lastTick = System.nanoTime();
    this.refuseArrivedBefore = lastTick;
    this.ticker = watching ? new Thread(this::run, "stall-watch") : null;
    if (ticker != null) {
      ticker.setDaemon(true);
    }
  }

  /** The watch a serving node runs, started. */
  public static StallWatch started() {
    return started(THRESHOLD, GRACE);
  }

  /** As {@link #started()}, with other bounds (tests, which cannot wait for a stall of 3 s each time). */
  public static StallWatch started(Duration threshold, Duration grace) {
    StallWatch watch = new StallWatch(threshold, grace, true);
    watch.ticker.start();
    return watch;
  }

  /** No watch: nothing is refused. For an {@link Intake} in a process that serves no SCIM requests (tests of the stores). */
  public static StallWatch none() {
    return new StallWatch(Duration.ZERO, Duration.ZERO, false);
  }

  private void run() {
    while (!closed) {
      try {
        long pause = pauseNanos;
        pauseNanos = 0;
        TimeUnit.NANOSECONDS.sleep(TimeUnit.MILLISECONDS.toNanos(TICK_MILLIS) + pause);
      } catch (InterruptedException e) {
        return;
      }
      tick();
    }
  }

  private void tick() {
    long now = System.nanoTime();
    long gap = now - lastTick;
    if (gap > thresholdNanos) {
      lastStallMillis = TimeUnit.NANOSECONDS.toMillis(gap);
      refuseArrivedBefore = now + graceNanos;
      log.warn("this node stood still for {} ms (a SIGSTOP, a GC or VM pause): SCIM changes that arrived before the"
          + " next {} ms are refused (503, nothing stored), as the identity provider may have given up on them and sent"
          + " a later change through another node", lastStallMillis, TimeUnit.NANOSECONDS.toMillis(graceNanos));
    }
    lastTick = now;
  }

  /**
   * Refuses ({@link IntakeStalled}) a change about to commit, of a request that arrived at {@code
   * arrivedNanos} ({@link System#nanoTime}), if a stall may have let a later change overtake it.
   * Called inside the change's transaction, after its rows are locked, as its last statement: a stall
   * after this check delays the commit while the rows stay locked, so a conflicting change on
   * another node waits for it and commits after it, in order (a stall past PostgreSQL's {@code
   * idle_in_transaction_session_timeout} ends the session: nothing is stored).
   */
  public void checkCommit(long arrivedNanos) {
    if (ticker == null) {
      return;
    }
    if (closed) {
      // the SCIM server's stop ran out of time with this request under way: its client gets no answer
      throw new IntakeStalled("this node stopped serving SCIM requests while the request was under way");
    }
    long now = System.nanoTime();
    long sinceTick = now - lastTick;
    if (sinceTick > thresholdNanos) {
      throw new IntakeStalled("this node stood still for " + TimeUnit.NANOSECONDS.toMillis(sinceTick)
          + " ms (a SIGSTOP, a GC or VM pause) while the request waited");
    }
    if (arrivedNanos - refuseArrivedBefore < 0) {
      throw new IntakeStalled("the request arrived before this node's stall of " + lastStallMillis
          + " ms ended (or within " + TimeUnit.NANOSECONDS.toMillis(graceNanos) + " ms after it)");
    }
  }

  /** Test seam: the watch's own thread stands still for {@code pause} before its next tick, as in a stall of the JVM. */
  public void pauseTicker(Duration pause) {
    pauseNanos = pause.toNanos();
  }

  @Override
  public void close() {
    closed = true;
    if (ticker != null) {
      ticker.interrupt();
    }
  }
}
