package com.fulcrumscim.journal;

import java.time.Clock;

/**
 * A log's share of one kind of line, for lines a client's requests can cause at any rate: at most
 * {@code perMinute} a minute, plus one saying that the rest of that minute's are held back. A flood
 * costs a bounded number of lines and silences nothing for longer than its minute.
 */
public final class LinesPerMinute {
  /** What to do with the next line. */
  public enum Verdict { LOG, LIMIT_REACHED, QUIET }

  private final int perMinute;
  private final Clock clock;
  private long minute = Long.MIN_VALUE;
  private int taken;

  public LinesPerMinute(int perMinute, Clock clock) {
    this.perMinute = perMinute;
    this.clock = clock;
  }

  /** {@code LOG} while this minute's share lasts, {@code LIMIT_REACHED} for the first line past it, then {@code QUIET}. */
  public synchronized Verdict take() {
    long now = Math.floorDiv(clock.millis(), 60_000L);
    if (now != minute) {
      minute = now;
      taken = 0;
    }
    if (taken >= perMinute) {
      return taken++ == perMinute ? Verdict.LIMIT_REACHED : Verdict.QUIET;
    }
    taken++;
    return Verdict.LOG;
  }
}
