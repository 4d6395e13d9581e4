package com.fulcrumscim.fulcrum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.testing.SettableClock;
import com.fulcrumscim.testing.TrailingHour;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Pacing on a simulated clock: sleeping moves the clock, so hours of traffic take milliseconds. */
class CallPacerTest {
  final SettableClock clock = new SettableClock();
  final List<Instant> sent = new ArrayList<>();

  private CallPacer pacer(int callsPerHour) {
    return new CallPacer(callsPerHour, clock, clock::tick);
  }

  /** A backlog: one caller asking again as soon as each call (taking {@code work}) is done. */
  private void drive(CallPacer pacer, Duration period, Duration work) throws InterruptedException {
    Instant end = clock.instant().plus(period);
    while (clock.instant().isBefore(end)) {
      pacer.acquire("GET /x");
      sent.add(clock.instant());
      clock.tick(work);
    }
  }

  @Test
  void aBacklogNeverExceedsTheBudgetInAnyTrailingHour() throws InterruptedException {
    drive(pacer(5000), Duration.ofHours(3), Duration.ofMillis(40));
    assertThat(TrailingHour.busiest(sent)).isLessThanOrEqualTo(5000).isGreaterThanOrEqualTo(4950);
  }

  @Test
  void aLargeBudgetIsUsedWithinOnePercent() throws InterruptedException {
    drive(pacer(36_000), Duration.ofHours(2), Duration.ofMillis(3));
    assertThat(TrailingHour.busiest(sent)).isBetween(35_640, 36_000);
  }

  @Test
  void callsAreSpacedEvenlyAfterAtMostTwoBackToBack() throws InterruptedException {
    CallPacer pacer = pacer(3600);
    drive(pacer, Duration.ofSeconds(30), Duration.ZERO);
    assertThat(sent.get(1)).isEqualTo(sent.get(0));
    for (int i = 2; i < sent.size(); i++) {
      assertThat(Duration.between(sent.get(i - 1), sent.get(i))).isEqualTo(pacer.interval());
    }
  }

  @Test
  void aSmallBudgetGetsNoBurstAndIsKept() throws InterruptedException {
    drive(pacer(100), Duration.ofHours(5), Duration.ZERO);
    assertThat(sent.get(1)).isAfter(sent.get(0));
    assertThat(TrailingHour.busiest(sent)).isLessThanOrEqualTo(100);
  }

  @Test
  void aCallerThatIsSometimesLateKeepsTheSchedule() throws InterruptedException {
    CallPacer pacer = pacer(3600);
    Duration interval = pacer.interval();
    Instant end = clock.instant().plus(Duration.ofHours(2));
    for (int i = 0; clock.instant().isBefore(end); i++) {
      pacer.acquire("GET /x");
      sent.add(clock.instant());
      // one call in ten stalls (a GC pause, a busy CPU) past the next slot
      clock.tick(i % 10 == 9 ? interval.multipliedBy(9).dividedBy(5) : interval.dividedBy(10));
    }
    assertThat(TrailingHour.busiest(sent)).isBetween(3564, 3600);
  }

  @Test
  void irregularDemandStaysWithinTheBudget() throws InterruptedException {
    CallPacer pacer = pacer(5000);
    Random random = new Random(42);
    Instant end = clock.instant().plus(Duration.ofHours(4));
    while (clock.instant().isBefore(end)) {
      int burst = random.nextInt(200);
      for (int i = 0; i < burst; i++) {
        pacer.acquire("GET /x");
        sent.add(clock.instant());
      }
      clock.tick(Duration.ofSeconds(random.nextInt(600)));
    }
    assertThat(TrailingHour.busiest(sent)).isLessThanOrEqualTo(5000);
  }

  @Test
  void budgetLeftCountsTheTrailingHour() throws InterruptedException {
    CallPacer pacer = pacer(5000);
    for (int i = 0; i < 10; i++) {
      pacer.acquire("GET /x");
    }
    assertThat(pacer.callsInLastHour()).isEqualTo(10);
    assertThat(pacer.budgetLeft()).isEqualTo(4990);
    clock.tick(Duration.ofMinutes(61));
    assertThat(pacer.callsInLastHour()).isZero();
    assertThat(pacer.budgetLeft()).isEqualTo(5000);
  }

  @Test
  void aCoolDownRefusesCallsUntilItEnds() throws InterruptedException {
    CallPacer pacer = pacer(5000);
    pacer.coolDown(Duration.ofSeconds(30), FulcrumException.RateLimited.Limit.FULCRUM);
    assertThatThrownBy(() -> pacer.acquire("GET /x"))
        .isInstanceOfSatisfying(FulcrumException.RateLimited.class,
            e -> assertThat(e.retryAfter()).isEqualTo(Duration.ofSeconds(30)));
    clock.tick(Duration.ofSeconds(30));
    pacer.acquire("GET /x");
    assertThat(pacer.callsInLastHour()).isEqualTo(1);
  }

  @Test
  void aCallWaitingForItsSlotWhenA429ArrivesIsRefusedAndNotCounted() throws InterruptedException {
    CallPacer[] pacer = new CallPacer[1];
    // the wait for a slot is when another worker's 429 lands
    pacer[0] = new CallPacer(3600, clock, d -> {
      clock.tick(d);
      pacer[0].coolDown(Duration.ofSeconds(60), FulcrumException.RateLimited.Limit.FULCRUM);
    });
    pacer[0].acquire("GET /x");
    pacer[0].acquire("GET /x"); // the one call of burst allowance: no wait
    assertThatThrownBy(() -> pacer[0].acquire("GET /x"))
        .isInstanceOf(FulcrumException.RateLimited.class);
    assertThat(pacer[0].callsInLastHour()).isEqualTo(2);
  }

  @Test
  void waitersRefusedByACoolDownGiveBackTheirPlaceInTheSchedule() throws Exception {
    int waiters = 10;
    CountDownLatch asleep = new CountDownLatch(waiters);
    CountDownLatch wake = new CountDownLatch(1);
    List<Duration> waitsAfter = new ArrayList<>();
    boolean[] parked = {true};
    CallPacer pacer = new CallPacer(3600, clock, d -> {
      if (parked[0]) {
        asleep.countDown();
        wake.await();
      } else {
        waitsAfter.add(d);
        clock.tick(d);
      }
    });
    pacer.acquire("GET /x");
    pacer.acquire("GET /x"); // the burst allowance: from here on each caller waits for its slot
    ExecutorService workers = Executors.newFixedThreadPool(waiters);
    try {
      List<Future<?>> calls = new ArrayList<>();
      for (int i = 0; i < waiters; i++) {
        calls.add(workers.submit(() -> {
          pacer.acquire("GET /x");
          return null;
        }));
      }
      assertThat(asleep.await(10, TimeUnit.SECONDS)).isTrue();
      pacer.coolDown(Duration.ofSeconds(5), FulcrumException.RateLimited.Limit.FULCRUM); // another worker's 429 while they wait
      clock.tick(Duration.ofSeconds(2));
      wake.countDown();
      for (Future<?> call : calls) {
        assertThatThrownBy(call::get).hasCauseInstanceOf(FulcrumException.RateLimited.class);
      }
    } finally {
      workers.shutdownNow();
    }
    parked[0] = false;
    clock.tick(Duration.ofSeconds(4)); // the cool-down is over
    pacer.acquire("GET /x");
    pacer.acquire("GET /x");
    // as if the refused calls had never queued: about 10 s of slots no call was sent in are not waited for
    assertThat(waitsAfter).allMatch(d -> d.compareTo(pacer.interval()) <= 0, "at most one interval");
    assertThat(pacer.callsInLastHour()).isEqualTo(4);
  }

  @Test
  void aCoolDownTooLongForAnInstantSaturatesInsteadOfOverflowing() {
    CallPacer pacer = pacer(3600);
    pacer.coolDown(Duration.ofSeconds(Long.MAX_VALUE), FulcrumException.RateLimited.Limit.FULCRUM);
    assertThatThrownBy(() -> pacer.acquire("GET /x")).isInstanceOf(FulcrumException.RateLimited.class);
  }
}
