package com.fulcrumscim.scim.patch;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** The patched resource (a new node) and whether any attribute really changed. */
public record PatchResult(ObjectNode resource, boolean changed) {}
