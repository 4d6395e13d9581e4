package com.fulcrumscim.fulcrum;

import java.time.Duration;

/**
 * Asked right before each HTTP call leaves for Fulcrum (after pacing): may this call go now? It
 * answers by returning, or by throwing the {@link FulcrumException} the caller should see instead.
 * The daemon checks that it still leads (a fenced node sends nothing) and reserves the call in the
 * shared trailing-hour budget, which also holds calls back while a 429 recorded by any process lasts.
 */
@FunctionalInterface
public interface BeforeSend {
  BeforeSend NONE = endpoint -> {};

  /**
   * Every call passes {@code budget}; a write (anything but GET) also needs {@code fence}, asked
   * before and again after the budget's transaction, which may have waited on another node, and a
   * last time once the connection stands.
   */
  static BeforeSend writesFencedBy(BeforeSend fence, BeforeSend budget) {
    return new BeforeSend() {
      @Override
      public void check(String endpoint) {
        if (isWrite(endpoint)) {
          fence.check(endpoint);
        }
        budget.check(endpoint);
        if (isWrite(endpoint)) {
          fence.check(endpoint);
        }
      }

      @Override
      public void rateLimited(String endpoint, Duration retryAfter) {
        budget.rateLimited(endpoint, retryAfter);
      }

      @Override
      public void onWire(String endpoint) {
        if (isWrite(endpoint)) {
          fence.check(endpoint);
        }
      }

      private boolean isWrite(String endpoint) {
        return !endpoint.startsWith("GET ");
      }
    };
  }

  /**
   * This, with {@code first} asked before its own check: {@code first} may refuse a call outright;
   * 429s and the check on the wire stay this one's.
   */
  default BeforeSend after(BeforeSend first) {
    BeforeSend then = this;
    return new BeforeSend() {
      @Override
      public void check(String endpoint) {
        first.check(endpoint);
        then.check(endpoint);
      }

      @Override
      public void rateLimited(String endpoint, Duration retryAfter) {
        then.rateLimited(endpoint, retryAfter);
      }

      @Override
      public void onWire(String endpoint) {
        then.onWire(endpoint);
      }
    };
  }

  /** {@code endpoint}: "METHOD /api/v2/path" with ids as {id}. */
  void check(String endpoint);

  /**
   * Told that Fulcrum answered {@code endpoint} 429, asking for no call before {@code retryAfter}
   * has passed: the daemon keeps that where a restart, another node and {@code status} see it.
   * Never throws: the 429 is what the caller hears.
   */
  default void rateLimited(String endpoint, Duration retryAfter) {}

  /**
   * Asked again once the connection stands, right before the request's bytes are written:
   * connecting may take up to the connect timeout, longer than a fence allows. Throwing here
   * means the request was never sent. {@code endpoint}: "METHOD /api/v2/path" as sent.
   */
  default void onWire(String endpoint) {}
}
