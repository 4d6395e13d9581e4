package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumException;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * A delete is done only when a read by id then finds the entity gone, whatever the delete got: a
 * 2xx or 404 from something that removed nothing (a proxy, a request Fulcrum ignored) would be
 * taken as done while the person keeps access, and nothing would look again. The same one read
 * decides a delete whose answer was lost. The reconciler's removals and resync's orphan removals
 * both go through it.
 */
public final class ConfirmedDelete {
  private ConfirmedDelete() {}

  /**
   * Sends {@code delete}, then {@code reread}s. Found, the delete failed as retryable with what was
   * answered and found ({@code what} names the entity found, {@code then} what happens next).
   * Returns the status the delete was answered (0: no answer).
   */
  public static <T> int run(String endpoint, IntSupplier delete, Supplier<Optional<T>> reread, Function<T, String> what,
      String then) {
    FulcrumException.Unavailable lost = null;
    int status = 0;
    try {
      status = delete.getAsInt();
    } catch (FulcrumException.Unavailable e) {
      lost = e;
    }
    Optional<T> still = reread.get();
    if (still.isPresent()) {
      String entity = what.apply(still.get());
      throw new FulcrumException.Unavailable(endpoint, (lost == null
          ? "Fulcrum answered " + status + " to " + entity + " but still has it"
          : entity + " got no answer of Fulcrum's (" + lost.getMessage() + ") and Fulcrum still has it")
          + " (read back by id); " + then, lost);
    }
    return status;
  }
}
