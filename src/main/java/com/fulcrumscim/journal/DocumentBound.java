package com.fulcrumscim.journal;

import java.util.Locale;

/**
 * How large a stored document (the doc column) may grow: one MiB of JSON in UTF-8, for users and
 * groups alike. Each request is bounded (server.max_body_bytes), but what requests add accumulates:
 * PATCHes adding custom extension attributes or values of multi-valued attributes grew one row to
 * tens of MB, which every GET, every list page and every reconcile of it then read whole.
 *
 * <p>A user the bridge is given holds a few KB, a hundred values in each of its multi-valued
 * attributes (their bound) some tens. A group's document is its name and ids without its members,
 * which live in scim_group_member, one row each: a group of 100,000 members is as small as an empty
 * one, and only the number of users bounds those. The default server.max_body_bytes is twice this:
 * Okta sends a user back whole (its GET, then a PUT), with what it holds that the bound refused, and
 * its deactivation is such a PUT, which lands whatever it carries ({@link BoundedChange} then has
 * only the deactivation stored, as it has only a group's member changes for one taking a member
 * out). A constant, not a setting: server.max_body_bytes is raised for groups listed whole in a
 * PUT, which should not loosen this, and a document near it is a mapping adding at every push, not
 * a person.
 */
final class DocumentBound {
  static final int MAX_BYTES = 1 << 20;
  /**
   * How much a document an earlier release stored over the bound may still grow in one change: its
   * deactivation must land, which writes {@code false} for {@code true}, and so must a change of a
   * document that a newer release's normalizing adds to (a schema URN); a mapping that adds at
   * every push adds more, and is stopped.
   */
  static final int STORED_OVER_GROWTH = 256;

  private DocumentBound() {}

  /**
   * Refuses (TOO_LARGE) {@code row} as {@code key}'s new document when it is over the bound, unless
   * the document was over it already and grows by at most {@link #STORED_OVER_GROWTH}.
   * {@code old}: the resource as committed, null for a new one.
   */
  static void check(ResourceKey key, ResourceStore.Row row, StoredResource old) {
    if (!within(row, old)) {
      throw refusal(key, row, old);
    }
  }

  /** The refusal of {@code row}, which is not {@link #within} the bound, as {@code key}'s new document. */
  static IntakeRejected refusal(ResourceKey key, ResourceStore.Row row, StoredResource old) {
    String type = key.type().name().toLowerCase(Locale.ROOT);
    return new IntakeRejected(IntakeRejected.Reason.TOO_LARGE, String.format(Locale.ROOT,
        "%s would be %,d bytes of JSON, over the bound of %,d bytes (1 MiB) on a stored %s%s; nothing was stored. "
            + "A %s holds a few KB: look for what the identity provider adds at every change",
        old == null ? "the new " + type : type + " " + key.scimId(), row.bytes(), MAX_BYTES, type,
        key.type() == EntityType.GROUP ? " (its members not counted)" : "", type));
  }

  /** Whether {@code row} may replace {@code old} (null for a new resource): what {@link #check} lets through. */
  static boolean within(ResourceStore.Row row, StoredResource old) {
    return row.bytes() <= MAX_BYTES
        || old != null && row.bytes() <= (long) utf8Length(old.doc().toString()) + STORED_OVER_GROWTH;
  }

  /** The length of {@code text} in UTF-8, counted without encoding it. */
  static int utf8Length(String text) {
    int bytes = 0;
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      // a surrogate pair, 4 bytes, is two chars
      bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
    }
    return bytes;
  }
}
