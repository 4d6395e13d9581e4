package com.fulcrumscim.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.testing.SettableClock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AuthThrottleTest {
  final SettableClock clock = new SettableClock();
  final AuthThrottle throttle = new AuthThrottle(3, clock);

  @Test
  void theAddressesOfOneIpv6Slash64ShareAWindow() {
    throttle.failed("2001:db8:1:2::10");
    throttle.failed("[2001:db8:1:2:aaaa::20]");
    throttle.failed("2001:0db8:0001:0002:ffff:ffff:ffff:ffff");

    assertThat(throttle.blockedForSeconds("2001:db8:1:2::99")).isPositive();
    assertThat(throttle.blockedForSeconds("2001:db8:1:3::10")).as("the next /64").isZero();
  }

  @Test
  void ipv4AddressesAreCountedOneByOne() {
    for (int i = 0; i < 3; i++) {
      throttle.failed("192.0.2.1");
    }
    assertThat(throttle.blockedForSeconds("192.0.2.1")).isPositive();
    assertThat(throttle.blockedForSeconds("192.0.2.2")).isZero();
  }

  @Test
  void theFailureThatReachesTheLimitIsTheOneThatSaysSo() {
    assertThat(throttle.failed("192.0.2.1")).isFalse();
    assertThat(throttle.failed("192.0.2.1")).isFalse();
    assertThat(throttle.failed("192.0.2.1")).isTrue();
    assertThat(throttle.failed("192.0.2.1")).isFalse();
  }

  /** A client with a million addresses (IPv4 behind a botnet, or many /64s) fills no more than the bound. */
  @Test
  void beyondTheBoundNewAddressesShareOneWindowAndTheTableStopsGrowing() {
    for (int i = 0; i < 2 * AuthThrottle.MAX_ADDRESSES; i++) {
      throttle.failed("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
    }

    assertThat(throttle.size()).isLessThanOrEqualTo(AuthThrottle.MAX_ADDRESSES + 1);
    assertThat(throttle.blockedForSeconds("198.51.100.7")).as("a new address meets the shared, spent window").isPositive();
    assertThat(throttle.blockedForSeconds("10.0.0.1")).as("one with a window of its own keeps it").isZero();
  }

  @Test
  void expiredWindowsMakeRoomAgain() {
    for (int i = 0; i < AuthThrottle.MAX_ADDRESSES; i++) {
      throttle.failed("10." + (i >> 16 & 255) + "." + (i >> 8 & 255) + "." + (i & 255));
    }
    clock.tick(Duration.ofSeconds(61));

    throttle.failed("198.51.100.7");
    throttle.failed("198.51.100.7");
    throttle.failed("198.51.100.7");

    assertThat(throttle.size()).isEqualTo(1);
    assertThat(throttle.blockedForSeconds("198.51.100.7")).isPositive();
    assertThat(throttle.blockedForSeconds("198.51.100.8")).isZero();
  }
}
