package com.fulcrumscim.fulcrum;

import java.time.Duration;

/**
 * Everything {@link HttpFulcrumClient} needs besides its collaborators. {@code callsPerHour} is
 * the budget Fulcrum allows the token in any trailing hour; the client paces itself just under it.
 */
public record FulcrumSettings(
    String baseUrl,
    ApiToken apiToken,
    int callsPerHour,
    Duration connectTimeout,
    Duration readTimeout,
    int pageSize,
    int maxAttempts,
    Duration firstBackoff,
    Duration circuitOpenFor) {

  /** Fulcrum's own maximum (and default) page size. */
  public static final int MAX_PAGE_SIZE = 20_000;

  public FulcrumSettings {
    if (callsPerHour < 1) {
      throw new IllegalArgumentException("fulcrum.calls_per_hour must be at least 1, was " + callsPerHour);
    }
    if (pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw new IllegalArgumentException("page size must be 1.." + MAX_PAGE_SIZE + ", was " + pageSize);
    }
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts must be at least 1, was " + maxAttempts);
    }
  }

  /** Production defaults: 20,000 per page, 3 attempts from 500 ms, circuit open for 30 s. */
  public static FulcrumSettings of(
      String baseUrl, String apiToken, int callsPerHour, Duration connectTimeout, Duration readTimeout) {
    return new FulcrumSettings(
        baseUrl, new ApiToken(apiToken), callsPerHour, connectTimeout, readTimeout,
        MAX_PAGE_SIZE, 3, Duration.ofMillis(500), Duration.ofSeconds(30));
  }

  public FulcrumSettings withPageSize(int size) {
    return new FulcrumSettings(baseUrl, apiToken, callsPerHour, connectTimeout, readTimeout,
        size, maxAttempts, firstBackoff, circuitOpenFor);
  }
}
