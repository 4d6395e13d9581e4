package com.fulcrumscim.cli;

import com.fulcrumscim.control.CommandChannel;
import com.fulcrumscim.control.OperatorActions;
import com.fulcrumscim.control.OperatorRequest;
import com.fulcrumscim.control.Watch;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.ops.CliArguments;
import com.fulcrumscim.ops.CommandFailure;
import com.fulcrumscim.ops.CommandSupport;
import com.fulcrumscim.reconcile.RemovalGuard;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code approve-removals}: lets the removals and role take-backs the mass-removal guard holds now
 * (or those named) go ahead once, through the one writer: a running daemon approves and applies them at once; with
 * none, this command approves them under the writer lease and the daemon applies them when it starts.
 */
@Command(name = "approve-removals", mixinStandardHelpOptions = true,
    description = {"Approve the member removals and role take-backs held by the mass-removal guard: each goes ahead once.",
        "Only those held when the command runs (`journal list --state held` lists them): those held after it looked, "
            + "while its request waited for the daemon, stay held, and the answer says how many."})
public final class ApproveRemovalsCommand implements Callable<Integer> {
  @Mixin CommandSupport support;

  @Parameters(paramLabel = "KEY", arity = "0..*", converter = CliArguments.Key.class,
      description = "Only these held removals or role take-backs (user/<SCIM id>); all held ones when none is named.")
  List<ResourceKey> keys = List.of();

  @Override
  public Integer call() {
    return support.withDatabase((config, db) -> {
      Clock clock = Clock.systemUTC();
      // what the operator approves is what is held now: the daemon may carry the request out much later
      RemovalGuard guard = new RemovalGuard(db, clock, config.guard());
      List<RemovalGuard.Held> held = guard.held();
      Set<String> heldAgain = RemovalGuard.heldAgain(held);
      List<RemovalGuard.Held> seen = seen(held, heldAgain);
      String leftHeld = heldAgainText(heldAgain);
      if (seen.isEmpty() && keys.isEmpty() && !heldAgain.isEmpty()) {
        support.out().println("Nothing approved: every held change is " + leftHeld);
        return 0;
      }
      if (seen.isEmpty()) {
        support.out().println("No removals or role take-backs are held.");
        return 0;
      }
      OperatorRequest.Answer answer = new CommandChannel(db, clock, config.ha().leaseTtl(), support.err())
          .perform(OperatorRequest.Kind.APPROVE_REMOVALS, OperatorRequest.approvalTarget(seen), false, true, Watch.NONE,
              (watch, fence) -> OperatorActions.withoutDaemon(config, db, clock).approveRemovals(seen));
      int exit = answer.printTo(support.out(), support.err());
      if (keys.isEmpty() && !heldAgain.isEmpty()) {
        // the answer counts them among those "not approved" at best: the operator must hear why
        support.err().println("Left held: " + heldAgain.size() + (heldAgain.size() == 1 ? " change is " : " changes are ")
            + leftHeld);
      }
      return exit;
    });
  }

  private static String heldAgainText(Set<String> heldAgain) {
    return "held again for another member than the one it was held on or approved for ("
        + String.join(", ", heldAgain.stream().map(id -> "user/" + id).toList()) + "); `fulcrum-scim journal show`"
        + " says which: only `fulcrum-scim approve-removals user/<id>` naming it lets one go (the member is that user's"
        + " person's), or `fulcrum-scim journal skip user/<id>` sets it aside, removing nothing (it is someone else's)";
  }

  /**
   * The held removals and take-backs to approve: the named ones, each of which must be held; or all
   * but those held again for another member than the one they were held on or approved for
   * ({@code heldAgain}), which only an approval naming them lets go.
   */
  private List<RemovalGuard.Held> seen(List<RemovalGuard.Held> held, Set<String> heldAgain) {
    if (keys.isEmpty()) {
      return held.stream().filter(h -> !heldAgain.contains(h.userId())).toList();
    }
    Set<String> heldIds = held.stream().map(RemovalGuard.Held::userId).collect(Collectors.toSet());
    List<ResourceKey> notHeld = keys.stream().filter(k -> k.type() != EntityType.USER || !heldIds.contains(k.scimId())).toList();
    if (!notHeld.isEmpty()) {
      throw new CommandFailure(notHeld.stream().map(ResourceKey::toString).collect(Collectors.joining(", "))
          + (notHeld.size() == 1 ? " is" : " are") + " not a held removal or role take-back: nothing approved "
          + "(`fulcrum-scim journal list --state held` lists them)");
    }
    Set<String> named = keys.stream().map(ResourceKey::scimId).collect(Collectors.toSet());
    return held.stream().filter(h -> named.contains(h.userId())).toList();
  }
}
