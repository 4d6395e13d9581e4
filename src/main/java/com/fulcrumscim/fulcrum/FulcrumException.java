package com.fulcrumscim.fulcrum;

import java.time.Duration;

/**
 * Why a Fulcrum call failed, as a closed set of types: the type alone tells the reconciler what to
 * do. Messages never contain the API token.
 */
public abstract sealed class FulcrumException extends RuntimeException {
  private final String endpoint;

  FulcrumException(String endpoint, String message, Throwable cause) {
    super(endpoint + ": " + message, cause);
    this.endpoint = endpoint;
  }

  /** The call, as "METHOD /api/v2/path" with ids replaced by {id}. */
  public String endpoint() {
    return endpoint;
  }

  /** At most a handful of {@code ids}, and how many more, for a message: a change to a big group can name thousands. */
  public static String someIds(java.util.List<String> ids) {
    int shown = Math.min(ids.size(), 5);
    return String.join(", ", ids.subList(0, shown)) + (ids.size() > shown ? " and " + (ids.size() - shown) + " more" : "");
  }

  /**
   * 5xx, timeouts, dropped connections, an open circuit, or a 2xx whose answer shows the change not
   * made: try again later.
   */
  public static final class Unavailable extends FulcrumException {
    private final boolean answeredInFront;

    public Unavailable(String endpoint, String message, Throwable cause) {
      this(endpoint, message, cause, false);
    }

    Unavailable(String endpoint, String message, Throwable cause, boolean answeredInFront) {
      super(endpoint, message, cause);
      this.answeredInFront = answeredInFront;
    }

    /**
     * Whether something in front of Fulcrum (a proxy, a WAF) answered in its stead with a page of
     * its own, such as an HTML 404: a rule there, which will not change within the call.
     */
    boolean answeredInFront() {
      return answeredInFront;
    }
  }

  /**
   * 429, or a call not sent because of one: wait {@code retryAfter}, which spends no attempt. The
   * message says which limit ({@link Limit}) and whether Fulcrum answered or the call stayed here.
   */
  public static final class RateLimited extends FulcrumException {
    /** Whose limit: Fulcrum's (its 429), or the bridge's own fulcrum.calls_per_hour. */
    public enum Limit { FULCRUM, CALL_BUDGET }

    private final Duration retryAfter;
    private final Limit limit;

    /** Fulcrum answered 429. */
    public RateLimited(String endpoint, Duration retryAfter) {
      this(endpoint, retryAfter, Limit.FULCRUM, "Fulcrum's rate limit: 429, retry after " + retryAfter.toSeconds() + "s");
    }

    private RateLimited(String endpoint, Duration retryAfter, Limit limit, String message) {
      super(endpoint, message, null);
      this.retryAfter = retryAfter;
      this.limit = limit;
    }

    /** Refused here, never sent: {@code limit} holds calls back for {@code retryAfter}. */
    public static RateLimited notSent(String endpoint, Limit limit, Duration retryAfter) {
      return new RateLimited(endpoint, retryAfter, limit, "not sent: " + (limit == Limit.FULCRUM
          ? "Fulcrum's rate limit (a 429) holds calls back" : "the call budget (fulcrum.calls_per_hour) is spent")
          + "; retry after " + retryAfter.toSeconds() + "s");
    }

    public Duration retryAfter() {
      return retryAfter;
    }

    public Limit limit() {
      return limit;
    }
  }

  /** 401: the token is missing or revoked. Stop everything until it works again. */
  public static final class Unauthorized extends FulcrumException {
    public Unauthorized(String endpoint) {
      super(endpoint, "401 Unauthorized: the Fulcrum API token is invalid or revoked", null);
    }
  }

  /** 403 (or 402): the token's user may not do this. Stop; an operator must act. */
  public static final class Forbidden extends FulcrumException {
    private final int status;

    public Forbidden(String endpoint, int status, String detail) {
      super(endpoint, status + " Forbidden: the token's user lacks permission" + (detail.isBlank() ? "" : " (" + detail + ")"), null);
      this.status = status;
    }

    public int status() {
      return status;
    }

    /**
     * What lets the token's user make this call (shared/fulcrum-api.md, section 6): for a 402 the
     * organization's plan, for a 403 its role, naming the permission where the contract names one.
     */
    public String whatItNeeds() {
      if (status == 402) {
        return "Fulcrum's plan for the organization does not allow it (402: e.g. no Developer Pack): change the plan";
      }
      String permission = endpoint().contains("/memberships") ? " (can_manage_members)"
          : endpoint().contains("/groups") ? " (can_manage_groups)" : "";
      return "the role of the token's user lacks the permission" + permission
          + ": give the user who created the API token the Owner role in Fulcrum";
    }
  }

  /** 422 or another 4xx: Fulcrum refused this change; {@code detail} is Fulcrum's own words. */
  public static final class Rejected extends FulcrumException {
    private final int status;
    private final String detail;

    public Rejected(String endpoint, int status, String detail) {
      super(endpoint, status + " rejected: " + detail, null);
      this.status = status;
      this.detail = detail;
    }

    public int status() {
      return status;
    }

    public String detail() {
      return detail;
    }
  }

  /** 404, or 410 Gone, where the call needs the entity to exist. */
  public static final class NotFound extends FulcrumException {
    public NotFound(String endpoint) {
      this(endpoint, "404 not found");
    }

    NotFound(String endpoint, String message) {
      super(endpoint, message, null);
    }
  }
}
