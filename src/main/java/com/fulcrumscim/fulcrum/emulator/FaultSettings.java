package com.fulcrumscim.fulcrum.emulator;

/**
 * Faults to switch on, as the builder, the CLI and {@code POST /_emulator/faults} take them. Every
 * field is optional: null leaves that fault as it is. JSON (snake_case):
 *
 * <pre>{@code
 * {"latency_ms": 50,                 // added to every API call
 *  "error_share": 0.1,               // share of calls answered 500, 502 or 503 (nothing applied)
 *  "drop_share": 0.05,               // share of connections dropped before anything is applied
 *  "lost_response_share": 0.0,       // share of calls applied, then the connection dropped
 *  "rate_limit_burst": 3,            // the next 3 calls get 429...
 *  "rate_limit_burst_retry_after_seconds": 2,   // ...with this Retry-After (default 1)
 *  "token_revoked": true,            // every call 401 until false (or a new token is set)
 *  "outage_seconds": 60,             // every call fails for this long from now (0 ends it)...
 *  "outage_mode": "UNAVAILABLE",     // ...as 503 (UNAVAILABLE) or a dropped connection (DROP)
 *  "deletes_ignored": true,          // every DELETE answered 204, and nothing removed
 *  "deletes_answered_by_proxy": true}  // every DELETE answered 404 with an HTML page, nothing removed
 * }</pre>
 */
public record FaultSettings(
    Long latencyMs,
    Double errorShare,
    Double dropShare,
    Double lostResponseShare,
    Integer rateLimitBurst,
    Long rateLimitBurstRetryAfterSeconds,
    Boolean tokenRevoked,
    Long outageSeconds,
    OutageMode outageMode,
    Boolean deletesIgnored,
    Boolean deletesAnsweredByProxy) {

  public static FaultSettings none() {
    return new FaultSettings(null, null, null, null, null, null, null, null, null, null, null);
  }

  public FaultSettings withLatencyMs(long ms) {
    return new FaultSettings(ms, errorShare, dropShare, lostResponseShare, rateLimitBurst, rateLimitBurstRetryAfterSeconds, tokenRevoked, outageSeconds, outageMode,
        deletesIgnored, deletesAnsweredByProxy);
  }

  public FaultSettings withErrorShare(double share) {
    return new FaultSettings(latencyMs, share, dropShare, lostResponseShare, rateLimitBurst, rateLimitBurstRetryAfterSeconds, tokenRevoked, outageSeconds, outageMode,
        deletesIgnored, deletesAnsweredByProxy);
  }

  public FaultSettings withDropShare(double share) {
    return new FaultSettings(latencyMs, errorShare, share, lostResponseShare, rateLimitBurst, rateLimitBurstRetryAfterSeconds, tokenRevoked, outageSeconds, outageMode,
        deletesIgnored, deletesAnsweredByProxy);
  }
}
