package com.fulcrumscim.testing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** A clock tests move by hand. */
public final class SettableClock extends Clock {
  private volatile Instant now;
  /** Moved on at each read when not zero, as a real clock moves while code runs between two reads. */
  private volatile Duration eachRead = Duration.ZERO;

  public SettableClock(Instant start) {
    this.now = start;
  }

  public SettableClock() {
    this(Instant.parse("2026-01-01T00:00:00Z"));
  }

  public void set(Instant instant) {
    now = instant;
  }

  public void tick(Duration d) {
    now = now.plus(d);
  }

  /** From now on each read moves the clock by {@code d} after answering; zero stops that. */
  public void tickOnEachRead(Duration d) {
    eachRead = d;
  }

  @Override
  public Instant instant() {
    Instant read = now;
    if (!eachRead.isZero()) {
      now = read.plus(eachRead);
    }
    return read;
  }

  @Override
  public ZoneId getZone() {
    return ZoneOffset.UTC;
  }

  @Override
  public Clock withZone(ZoneId zone) {
    return this;
  }
}
