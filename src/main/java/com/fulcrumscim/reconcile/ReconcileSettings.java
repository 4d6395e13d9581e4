package com.fulcrumscim.reconcile;

import com.fulcrumscim.config.BridgeConfig;
import java.time.Duration;
import java.util.Map;

/**
 * The reconciler's policy, taken from config at the edge. {@code memberWait}: how soon a group
 * waiting for its members to be created looks again. {@code mirrorMaxAge}: how long a read of
 * Fulcrum's member, group and role lists is trusted. {@code createLandsWithin}: how long after its
 * intent an unanswered create may still show up in Fulcrum (the call's own timeouts, and as long
 * again for a request Fulcrum still had queued when the bridge stopped waiting).
 */
public record ReconcileSettings(
    boolean adoptExisting,
    String reassignTo,
    boolean groupsPush,
    Map<String, String> roleMap,
    String defaultRole,
    boolean allowOwner,
    Duration memberWait,
    Duration mirrorMaxAge,
    Duration createLandsWithin) {

  public static ReconcileSettings from(BridgeConfig config) {
    return new ReconcileSettings(
        config.users().adoptExisting(),
        config.users().reassignTarget(),
        config.groups().push(),
        config.roles().map(),
        config.roles().defaultRole(),
        config.roles().allowOwner(),
        Duration.ofSeconds(5),
        Duration.ofMinutes(5),
        config.fulcrum().connectTimeout().plus(config.fulcrum().readTimeout().multipliedBy(2)));
  }
}
