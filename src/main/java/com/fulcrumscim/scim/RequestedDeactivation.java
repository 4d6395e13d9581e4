package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.scim.schema.JsonFields;
import com.fulcrumscim.scim.schema.ScimSchemas;
import java.util.Locale;

/**
 * Whether a user's PUT or PATCH, read alone, sets {@code active} to false: what the request asks
 * of the person's access, whatever else it carries and whether or not the rest is accepted. Read in
 * every spelling the normalizer and the PATCH editor accept: {@code false} or the string
 * {@code "False"} in any case (Entra), {@code active} in any case, bare or qualified by the core
 * schema's URN, a PATCH operation's path or a key of its path-less value (Okta's OIN) or of a value
 * whose path is the core schema's URN. In a PATCH the last operation that sets {@code active}
 * decides; one that removes it leaves it as stored.
 *
 * <p>A PATCH's {@code Operations} are read whatever its {@code schemas} says: one naming another
 * schema than the PatchOp is refused, but its operations mean what they say, and its deactivation
 * lands as a PUT's does beside a refusal. A request that names a member twice in different cases
 * ({@code active} and {@code ACTIVE}, {@code value} and {@code VALUE}), or a PATCH holding an
 * operation that is not add, replace or remove, is not read: what was meant would be a guess, and
 * its refusal stands.
 */
final class RequestedDeactivation {
  private static final String ACTIVE = "active";
  private static final String QUALIFIED = ScimSchemas.CORE_USER + ":" + ACTIVE;

  private RequestedDeactivation() {}

  /** A PUT's body. */
  static boolean byPut(JsonNode body) {
    try {
      return Boolean.FALSE.equals(active(body));
    } catch (ScimException nameTwice) {
      return false;
    }
  }

  /** A PATCH's body (a PatchOp request). */
  static boolean byPatch(JsonNode body) {
    try {
      return patchDeactivates(body);
    } catch (ScimException nameTwice) {
      return false;
    }
  }

  private static boolean patchDeactivates(JsonNode body) {
    JsonNode operations = JsonFields.single(body, "Operations");
    if (operations == null || !operations.isArray()) {
      return false;
    }
    boolean deactivates = false;
    for (JsonNode op : operations) {
      JsonNode name = JsonFields.single(op, "op");
      String kind = name != null && name.isTextual() ? name.textValue().toLowerCase(Locale.ROOT) : "";
      if (!kind.equals("add") && !kind.equals("replace") && !kind.equals("remove")) {
        return false; // an operation no PATCH may hold: what the request means is a guess
      }
      JsonNode path = JsonFields.single(op, "path");
      JsonNode value = JsonFields.single(op, "value");
      boolean pathLess = path == null || path.isNull() || path.isTextual() && path.textValue().isBlank();
      // The editor applies a value whose path is the core schema as it does a path-less one.
      boolean wholeCore =
          path != null && path.isTextual() && path.textValue().strip().equalsIgnoreCase(ScimSchemas.CORE_USER);
      if ((pathLess || wholeCore) && (kind.equals("add") || kind.equals("replace"))) {
        Boolean active = active(value);
        deactivates = active == null ? deactivates : !active;
      } else if (!pathLess && path.isTextual() && namesActive(path.textValue().strip())) {
        deactivates = !kind.equals("remove") && value != null && isFalse(value);
      }
    }
    return deactivates;
  }

  private static boolean namesActive(String path) {
    return path.equalsIgnoreCase(ACTIVE) || path.equalsIgnoreCase(QUALIFIED);
  }

  /**
   * What {@code object} (a body, a path-less value) sets {@code active} to: null when it names it
   * in no spelling, false when every spelling it holds says false, else true (not a deactivation:
   * a value the normalizer refuses is none).
   */
  private static Boolean active(JsonNode object) {
    Boolean active = null;
    for (JsonNode value : new JsonNode[] {JsonFields.single(object, ACTIVE), JsonFields.single(object, QUALIFIED),
        JsonFields.single(JsonFields.single(object, ScimSchemas.CORE_USER), ACTIVE)}) {
      if (value != null) {
        if (!isFalse(value)) {
          return true;
        }
        active = false;
      }
    }
    return active;
  }

  private static boolean isFalse(JsonNode value) {
    return Boolean.FALSE.equals(JsonFields.bool(value));
  }
}
