package com.fulcrumscim.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fulcrumscim.fulcrum.FulcrumMember;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.AbstractCollection;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The member mirror as the parallel workers share it. */
class MirrorTest {
  private static final FulcrumMember ADA = member("m-ada", "ada@corp.example");
  private static final FulcrumMember CY = member("m-cy", "cy@corp.example");

  private final AtomicLong readOrder = new AtomicLong();
  private final Deque<Mirror.Read<FulcrumMember>> reads = new ArrayDeque<>();
  private final Mirror<FulcrumMember> members = new Mirror<>(reads::pop, FulcrumMember::id, FulcrumMember::email,
      Clock.fixed(Instant.parse("2026-12-07T08:00:00Z"), ZoneOffset.UTC), Duration.ofMinutes(5), readOrder::incrementAndGet);

  /**
   * Another worker reloads the list while a group's ids are looked up: the one-page read showed Cy,
   * the reload comes in pages and misses her. What the lookup hands back is one read's: never the
   * first read's wholeness and start with the second's miss, which would take Cy, a member, for a
   * deleted member's leftover id with no read again, and keep her in a group Okta took her out of
   * (review-s11d G1).
   */
  @Test
  void idsLookedUpWhileAnotherWorkerReloadsComeWithTheWholenessAndStartOfTheReadThatMissedThem() {
    reads.add(new Mirror.Read<>(List.of(ADA, CY), true));
    reads.add(new Mirror.Read<>(List.of(ADA), false));
    members.ensure();
    long firstStarted = readOrder.get() - 1;

    Mirror.Absent absent = members.absentAmong(new ReloadWhileLookedUp(List.of(ADA.id(), CY.id())));

    if (absent.ids().isEmpty()) {
      assertThat(absent).as("the first read's").isEqualTo(new Mirror.Absent(List.of(), true, firstStarted));
    } else {
      assertThat(absent).as("the reload's").isEqualTo(new Mirror.Absent(List.of(CY.id()), false, firstStarted + 2));
    }
  }

  /**
   * A member looked up in a read over several pages that missed her, then another worker reloads
   * the list in one page: the lookup's absence stays the paged read's, not whole. Asked only whether
   * the list at hand is whole, the reload would lend it its wholeness, and a deprovisioning would end
   * on the miss without the second read ({@link ReadSide}; review-s11d G1's shape).
   */
  @Test
  void aLookupInAPagedReadIsNotWholeThroughoutOnceAnotherWorkerReloadsTheListInOnePage() throws InterruptedException {
    reads.add(new Mirror.Read<>(List.of(ADA), false));
    reads.add(new Mirror.Read<>(List.of(ADA, CY), true));
    members.ensure();
    Mirror.Copy read = members.copy();
    assertThat(members.get(CY.id())).isEmpty();

    Thread reload = new Thread(() -> {
      members.invalidate();
      members.ensure();
    });
    reload.start();
    reload.join();

    assertThat(members.copy().whole()).as("the list at hand").isTrue();
    assertThat(members.wholeThroughout(read)).isFalse();
  }

  @Test
  void lookupsInAWholeReadNoReloadFollowedAreWholeThroughout() {
    reads.add(new Mirror.Read<>(List.of(ADA), true));
    members.ensure();
    Mirror.Copy read = members.copy();
    assertThat(members.get(CY.id())).isEmpty();

    assertThat(members.wholeThroughout(read)).isTrue();
  }

  /**
   * Ids whose lookup, once begun, has another worker reload the list, and goes on once that reload
   * is done or waits for the mirror.
   */
  private final class ReloadWhileLookedUp extends AbstractCollection<String> {
    private final List<String> ids;

    ReloadWhileLookedUp(List<String> ids) {
      this.ids = ids;
    }

    @Override
    public Iterator<String> iterator() {
      Thread reload = new Thread(() -> {
        members.invalidate();
        members.ensure();
      });
      reload.start();
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(1))
          .until(() -> !reload.isAlive() || reload.getState() == Thread.State.BLOCKED);
      return ids.iterator();
    }

    @Override
    public int size() {
      return ids.size();
    }
  }

  private static FulcrumMember member(String id, String email) {
    return new FulcrumMember(id, null, email, null, null, null, null, null, null);
  }
}
