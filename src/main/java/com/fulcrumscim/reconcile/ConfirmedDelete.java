package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * A delete is done only when a read made after it finds the entity gone, whatever the delete got:
 * a 2xx or 404 from something that removed nothing (a proxy, a request Fulcrum ignored) would be
 * taken as done while the person keeps access, and nothing would look again. The same read decides
 * a delete whose answer was lost. The reconciler's removals and resync's orphan removals both go
 * through it: read back by id, or (several removals of one reconcile cycle) in one read of the
 * member list after their deletes ({@link MemberRemovalCheck}).
 */
public final class ConfirmedDelete {
  private ConfirmedDelete() {}

  /** What a delete got: the status it was answered (0: no answer), and the failure that left it without one. */
  public record Sent(int status, FulcrumException.Unavailable lost) {}

  /** Sends {@code delete}; an answer lost is no failure yet: the read that follows decides. */
  public static Sent send(IntSupplier delete) {
    try {
      return new Sent(delete.getAsInt(), null);
    } catch (FulcrumException.Unavailable e) {
      return new Sent(0, e);
    }
  }

  /**
   * Sends {@code delete}, then {@code reread}s. Found, the delete failed as retryable with what was
   * answered and found ({@code what} names the entity found, {@code then} what happens next).
   * Returns the status the delete was answered (0: no answer).
   */
  public static <T> int run(String endpoint, IntSupplier delete, Supplier<Optional<T>> reread, Function<T, String> what,
      String then) {
    Sent sent = send(delete);
    Optional<T> still = reread.get();
    if (still.isPresent()) {
      throw stillThere(endpoint, sent, what.apply(still.get()), "still has it", "read back by id", then);
    }
    return sent.status();
  }

  /**
   * The retryable failure of a delete that a read made after it ({@code readBack}: how) found not
   * carried out: {@code entity} names the delete ("removing member ..."), {@code has} what Fulcrum
   * has ("still has it").
   */
  static FulcrumException.Unavailable stillThere(String endpoint, Sent sent, String entity, String has, String readBack,
      String then) {
    return new FulcrumException.Unavailable(endpoint, answered(sent, entity) + (sent.lost() == null ? " but " : " and Fulcrum ")
        + has + " (" + readBack + "); " + then, sent.lost());
  }

  /**
   * The retryable failure of a delete that no read after it checked ({@code why}): it may have
   * taken or not, and only a later read can say.
   */
  static FulcrumException.Unavailable notReadBack(String endpoint, Sent sent, String entity, String why, String then) {
    return new FulcrumException.Unavailable(endpoint, answered(sent, entity) + " and it was not read back (" + why + "); "
        + then, sent.lost());
  }

  private static String answered(Sent sent, String entity) {
    return sent.lost() == null ? "Fulcrum answered " + sent.status() + " to " + entity
        : entity + " got no answer of Fulcrum's (" + sent.lost().getMessage() + ")";
  }
}
