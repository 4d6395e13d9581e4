package com.fulcrumscim.scim.filter;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A parsed SCIM filter (RFC 7644 §3.4.2.2). {@code emails[type eq "work"].value eq "x"} parses to
 * {@code ValuePath(emails, And(type eq "work", value eq "x"))}: one element must satisfy both.
 */
public sealed interface Filter {

  record And(Filter left, Filter right) implements Filter {}

  record Or(Filter left, Filter right) implements Filter {}

  record Not(Filter filter) implements Filter {}

  /** {@code path op value}; value is a JSON string, number, boolean or null literal. */
  record Compare(AttrPath path, CompareOp op, JsonNode value) implements Filter {}

  record Present(AttrPath path) implements Filter {}

  /** {@code path[filter]}: some element of a (multi-valued) complex attribute matches filter. */
  record ValuePath(AttrPath path, Filter filter) implements Filter {}
}
