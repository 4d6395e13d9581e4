package com.fulcrumscim.reconcile;

import java.time.Instant;

/** A SCIM entity tied to the Fulcrum entity the bridge created or adopted: the bridge manages it. */
public record Link(String scimId, String fulcrumId, Action.Link.Origin origin, Instant linkedAt) {}
