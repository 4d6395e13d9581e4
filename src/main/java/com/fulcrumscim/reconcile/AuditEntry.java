package com.fulcrumscim.reconcile;

import com.fulcrumscim.journal.ResourceKey;
import java.time.Instant;

/** One attempted Fulcrum write: {@code result} is "ok" or the failure; {@code detail} what was sent. */
public record AuditEntry(long id, Instant at, ResourceKey key, String action, String fulcrumId, String result, String detail) {}
