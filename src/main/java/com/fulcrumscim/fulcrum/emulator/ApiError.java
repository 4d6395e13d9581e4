package com.fulcrumscim.fulcrum.emulator;

import com.fulcrumscim.fulcrum.emulator.Answer.Reply;

/**
 * A request the emulated Fulcrum refuses (404, 422). Thrown from deep in {@link OrgState} before
 * anything changes, and turned into its reply at the edge; never escapes the emulator.
 */
final class ApiError extends RuntimeException {
  private final transient Reply reply;

  /** {@code detail} says in words what {@code reply} says in JSON (used for seed errors). */
  ApiError(Reply reply, String detail) {
    super(detail, null, false, false);
    this.reply = reply;
  }

  Reply reply() {
    return reply;
  }

  static ApiError notFound() {
    return new ApiError(Replies.notFound(), "not found");
  }

  static ApiError invalid(String resource, String field, String message) {
    return new ApiError(Replies.invalid(resource, field, message), field + " " + message);
  }

  static ApiError unreadable(String message) {
    return new ApiError(Replies.unreadable(message), message);
  }
}
