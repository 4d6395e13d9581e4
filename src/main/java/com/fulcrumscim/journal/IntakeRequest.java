package com.fulcrumscim.journal;

/**
 * Who asked for a change, and what the journal keeps of what they sent: {@code journalBody} is
 * made by the SCIM layer, which knows what a password is (null for a DELETE). It is made on the
 * request's own thread: every statement inside the write runs on the one writer thread that all
 * requests wait for, so work done there is paid by all of them. {@code arrivedNanos}: when the request
 * arrived at this JVM ({@link System#nanoTime}), for the {@link StallWatch} at commit.
 */
public record IntakeRequest(String requestId, String journalBody, long arrivedNanos) {
  /** A request arriving now: one not read from a socket (a restore's carried-forward entry, a test). */
  public IntakeRequest(String requestId, String journalBody) {
    this(requestId, journalBody, System.nanoTime());
  }
}
