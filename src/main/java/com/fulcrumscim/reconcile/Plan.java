package com.fulcrumscim.reconcile;

import java.util.List;

/**
 * What one key needs, in order. {@code waitingFor} names group members whose users are not in
 * Fulcrum yet but are still being pushed: their adds wait for a later run.
 */
public record Plan(List<Action> actions, List<String> waitingFor) {
  public Plan {
    actions = List.copyOf(actions);
    waitingFor = List.copyOf(waitingFor);
  }

  public static Plan of(Action... actions) {
    return new Plan(List.of(actions), List.of());
  }

  public static Plan fail(String reason) {
    return of(new Action.Fail(reason));
  }

  public boolean isEmpty() {
    return actions.isEmpty();
  }

  /** A create's result must be seen before the rest can be planned. */
  public boolean creates() {
    return actions.stream().anyMatch(a -> a.kind() == Action.Kind.CREATE_MEMBER || a.kind() == Action.Kind.CREATE_GROUP);
  }

  public boolean removesMember() {
    return actions.stream().anyMatch(a -> a.kind() == Action.Kind.REMOVE_MEMBER);
  }
}
