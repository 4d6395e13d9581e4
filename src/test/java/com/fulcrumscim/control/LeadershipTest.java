package com.fulcrumscim.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.fulcrum.FulcrumException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The fence, on a monotonic clock the test steps: half a lease without renewal stops writes. */
class LeadershipTest {
  static final Duration TTL = Duration.ofSeconds(15);
  static final String WRITE = "POST /api/v2/memberships.json";

  final AtomicLong nanos = new AtomicLong(1_000_000_000L);
  final Leadership leadership = new Leadership(TTL, nanos::get);

  void elapse(Duration d) {
    nanos.addAndGet(d.toNanos());
  }

  @Test
  void aStandbySendsNothing() {
    assertThat(leadership.leading()).isFalse();
    assertThatThrownBy(() -> leadership.check(WRITE)).isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("does not hold the writer lease");
  }

  @Test
  void aLeaderThatRenewedWithinHalfTheLeaseMayWrite() {
    leadership.renewed(nanos.get());
    leadership.began();
    elapse(TTL.dividedBy(2).minusMillis(1));
    assertThat(leadership.mayWrite()).isTrue();
    assertThatCode(() -> leadership.check(WRITE)).doesNotThrowAnyException();
  }

  @Test
  void halfALeaseWithoutARenewalFencesWritesUntilTheNextRenewal() {
    leadership.renewed(nanos.get());
    leadership.began();
    elapse(TTL.dividedBy(2));
    assertThat(leadership.leading()).as("still holds the lease as far as it knows").isTrue();
    assertThatThrownBy(() -> leadership.check(WRITE)).isInstanceOf(FulcrumException.Unavailable.class)
        .hasMessageContaining("not renewed for 7500 ms");

    leadership.renewed(nanos.get());
    assertThat(leadership.mayWrite()).isTrue();
  }

  @Test
  void aRenewalCountsFromWhenItWasSentNotWhenItsAnswerCame() {
    long sent = nanos.get();
    elapse(Duration.ofSeconds(5)); // a slow database
    leadership.renewed(sent);
    leadership.began();
    elapse(Duration.ofMillis(2_500));
    assertThat(leadership.mayWrite()).isFalse();
  }

  @Test
  void losingTheLeaseEndsLeadingAtOnce() {
    leadership.renewed(nanos.get());
    leadership.began();
    leadership.ended();
    assertThat(leadership.leading()).isFalse();
    assertThat(leadership.mayWrite()).isFalse();
  }
}
