package com.fulcrumscim.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fulcrumscim.fulcrum.FulcrumCallListener;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumSettings;
import com.fulcrumscim.fulcrum.HttpFulcrumClient;
import com.fulcrumscim.fulcrum.MemberFields;
import com.fulcrumscim.fulcrum.Sleeper;
import com.fulcrumscim.fulcrum.emulator.CallCounter;
import com.fulcrumscim.fulcrum.emulator.FulcrumEmulator;
import com.fulcrumscim.testing.TrailingHour;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.BrokenBarrierException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Fulcrum client against the in-process emulator: calls per second it sustains (0 ms and 50 ms
 * added latency, 1 and 4 callers), and proof that paced runs use the budget to within 1% without
 * a single 429. Report: bench/results/fulcrum-client.txt.
 */
@Tag("bench")
class FulcrumClientBench {
  private static final int CALLERS = 4; // the reconciler's default parallelism
  private static final Duration THROUGHPUT_RUN = Duration.ofSeconds(5);
  private final List<String> report = new ArrayList<>() {
    @Override
    public boolean add(String line) {
      System.out.println(line);
      return super.add(line);
    }
  };

  /** Time that runs {@code speed} times faster than the wall clock, for client and emulator alike. */
  private static final class FastClock extends Clock {
    private final Instant start = Instant.parse("2026-01-01T00:00:00Z");
    private final long t0 = System.nanoTime();
    private final double speed;

    FastClock(double speed) {
      this.speed = speed;
    }

    Sleeper sleeper() {
      return d -> TimeUnit.NANOSECONDS.sleep((long) (d.toNanos() / speed));
    }

    @Override
    public Instant instant() {
      return start.plusNanos((long) ((System.nanoTime() - t0) * speed));
    }

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }
  }

  /** One run's outcome: call times (on the run's clock) and 429s the emulator answered. */
  private record Run(List<Instant> sent, long tooMany, long failures, int clientCallsInLastHour) {}

  @Test
  void report() throws Exception {
    // The JDK HttpServer under the emulator leaves Nagle on: with delayed ACKs every answer then
    // waits ~40 ms (about 21 calls/s for one caller). Must be set before the first server starts.
    System.setProperty("sun.net.httpserver.nodelay", "true");
    throughput(0, CALLERS); // warm-up, not reported
    report.clear();
    report.add("Fulcrum client benchmark (" + Runtime.getRuntime().availableProcessors()
        + " cores, shared with other work; figures are from one run)");
    report.add("");
    report.add("Throughput: " + CALLERS + " or 1 callers, each looping GET member / PUT member, "
        + THROUGHPUT_RUN.toSeconds() + " s per row, no emulator rate limit");
    for (long latencyMs : new long[] {0, 50}) {
      for (int callers : new int[] {1, CALLERS}) {
        throughput(latencyMs, callers);
      }
    }
    report.add("");
    report.add("Pacing (the emulator counts every call in a trailing-hour window and answers 429 over its limit)");
    paced("real time, 36,000/h for 45 s", 36_000, 36_000, 1.0, Duration.ofSeconds(45));
    paced("5,000/h (the default) for 1.1 h on a clock run 60x (66 s)", 5_000, 5_000, 60, Duration.ofMinutes(66));
    paced("control: the client set 10% over the emulator's 5,000/h, 1 h at 60x", 5_500, 5_000, 60, Duration.ofMinutes(60));
    Path out = Path.of("bench/results/fulcrum-client.txt");
    Files.createDirectories(out.getParent());
    Files.write(out, report);
  }

  private void throughput(long latencyMs, int callers) throws Exception {
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().callsPerHour(0).build().start()) {
      fulcrum.faults().latency(Duration.ofMillis(latencyMs));
      Run run = drive(fulcrum, 1_000_000_000, Clock.systemUTC(), Sleeper.REAL, callers, THROUGHPUT_RUN);
      double perSecond = run.sent().size() / (double) THROUGHPUT_RUN.toNanos() * 1e9;
      report.add(String.format(Locale.ROOT, "  %3d ms added latency, %d caller%s: %8.0f calls/s (%d calls, %d failed)",
          latencyMs, callers, callers == 1 ? " " : "s", perSecond, run.sent().size(), run.failures()));
    }
  }

  private void paced(String title, int clientBudget, int emulatorLimit, double speed, Duration length) throws Exception {
    FastClock clock = new FastClock(speed);
    try (FulcrumEmulator fulcrum = FulcrumEmulator.builder().callsPerHour(emulatorLimit).clock(clock).build().start()) {
      Run run = drive(fulcrum, clientBudget, clock, clock.sleeper(), CALLERS, length);
      List<Instant> sent = run.sent();
      double spanHours = Duration.between(sent.get(0), sent.get(sent.size() - 1)).toNanos() / 3.6e12;
      double ratePerHour = (sent.size() - 1) / spanHours;
      report.add("  " + title + ":");
      report.add(String.format(Locale.ROOT, "    %d calls, %.0f calls/h = %.2f%% of the client's budget; busiest trailing hour %d (emulator limit %d); 429s %d",
          sent.size(), ratePerHour, 100 * ratePerHour / clientBudget, TrailingHour.busiest(sent), emulatorLimit, run.tooMany()));
      report.add("    client gauges at the end: calls in the last hour " + run.clientCallsInLastHour());
      if (clientBudget <= emulatorLimit) {
        assertThat(run.tooMany()).isZero();
        assertThat(ratePerHour).isLessThanOrEqualTo(clientBudget);
      }
      if (speed == 1.0) {
        // A fast clock magnifies scheduling jitter by its speed; the 1% floor is asserted in real time.
        assertThat(ratePerHour / clientBudget).isGreaterThanOrEqualTo(0.99);
      }
    }
  }

  /**
   * {@code callers} threads, each with its own member, alternating a read and an update of it. The
   * clock starts once every caller has created its member; only calls after that are counted.
   */
  private Run drive(FulcrumEmulator fulcrum, int budget, Clock clock, Sleeper sleeper, int callers, Duration length)
      throws Exception {
    ConcurrentLinkedQueue<Instant> sent = new ConcurrentLinkedQueue<>();
    AtomicBoolean timing = new AtomicBoolean();
    AtomicReference<Instant> end = new AtomicReference<>();
    // Completion times: the run's clock may be fast, and answer times are near-constant here.
    FulcrumCallListener listener = (endpoint, status, took) -> {
      if (timing.get()) {
        sent.add(clock.instant());
      }
    };
    FulcrumSettings settings = FulcrumSettings.of(fulcrum.baseUrl(), fulcrum.token(), budget, Duration.ofSeconds(5), Duration.ofSeconds(10));
    try (HttpFulcrumClient client = new HttpFulcrumClient(settings, new SimpleMeterRegistry(), clock, sleeper, listener)) {
      AtomicLong failures = new AtomicLong();
      CyclicBarrier go = new CyclicBarrier(callers, () -> {
        end.set(clock.instant().plus(length));
        timing.set(true);
      });
      List<Thread> threads = new ArrayList<>();
      for (int t = 0; t < callers; t++) {
        String email = "bench" + t + "@example.com";
        Thread thread = new Thread(() -> {
          try {
            String id = client.createMember(new MemberFields(email, "B", "Ench", null)).id();
            go.await();
            for (int i = 0; clock.instant().isBefore(end.get()); i++) {
              try {
                if (i % 2 == 0) {
                  client.member(id);
                } else {
                  client.updateMember(id, new MemberFields(null, "B" + i, null, null));
                }
              } catch (FulcrumException.RateLimited e) {
                failures.incrementAndGet();
                sleeper.sleep(e.retryAfter()); // as the reconciler snoozes
              } catch (FulcrumException e) {
                failures.incrementAndGet();
              }
            }
          } catch (InterruptedException | BrokenBarrierException e) {
            Thread.currentThread().interrupt();
          }
        });
        thread.start();
        threads.add(thread);
      }
      for (Thread thread : threads) {
        thread.join();
      }
      timing.set(false);
      long tooMany = fulcrum.calls().all().stream().filter(c -> c.status() == 429).mapToLong(CallCounter.CallCount::count).sum();
      List<Instant> times = new ArrayList<>(sent);
      times.sort(null);
      return new Run(times, tooMany, failures.get(), client.callsInLastHour());
    }
  }
}
