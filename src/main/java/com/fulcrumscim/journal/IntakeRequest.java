package com.fulcrumscim.journal;

/**
 * Who asked for a change, and what the journal keeps of what they sent: {@code journalBody} is
 * made by the SCIM layer, which knows what a password is (null for a DELETE). It is made on the
 * request's own thread: every statement inside the write runs on the one writer thread that all
 * requests wait for, so work done there is paid by all of them.
 */
public record IntakeRequest(String requestId, String journalBody) {}
