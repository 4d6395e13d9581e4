package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * Who asked for a change and what they sent, for the journal. {@code body} is null for DELETE;
 * {@code journalBody} is what the journal keeps of it (passwords removed).
 */
public record IntakeRequest(String requestId, JsonNode body, String journalBody) {
  /**
   * The journal text is made here, on the request's own thread: every statement inside the write runs
   * on the one writer thread that all requests wait for, so work done there is paid by all of them.
   */
  public IntakeRequest(String requestId, JsonNode body) {
    this(requestId, body, body == null ? null : JournalStore.journalText(body));
  }
}
