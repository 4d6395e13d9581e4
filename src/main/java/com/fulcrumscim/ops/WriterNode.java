package com.fulcrumscim.ops;

import java.time.Instant;

/**
 * The process holding the writer lease, as an operator finds it from any node: {@code name} the
 * node's host and SCIM port as its node record gives them (else the lease's own name, as an operator
 * command's), holding the lease since {@code since} (its take-over).
 */
public record WriterNode(String name, Instant since) {}
