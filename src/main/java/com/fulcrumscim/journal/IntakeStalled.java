package com.fulcrumscim.journal;

/**
 * A SCIM change refused at commit because this node stood still while it waited ({@link
 * StallWatch}): nothing is stored, and the client may send it again (503), to this node or another.
 */
public final class IntakeStalled extends RuntimeException {
  public IntakeStalled(String message) {
    super(message);
  }
}
