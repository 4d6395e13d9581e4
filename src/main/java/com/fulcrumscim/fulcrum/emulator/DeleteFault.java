package com.fulcrumscim.fulcrum.emulator;

/**
 * What a DELETE of one member does instead of removing it plainly ({@link FulcrumEmulator#deleteFault}):
 * one member's removal going wrong among several, which the reconciler checks together. One
 * ({@link #UNKNOWN_BY_ID}) changes the member's read by id too.
 */
public enum DeleteFault {
  /** Answered 204 and nothing removed: something in front of Fulcrum answered it. */
  IGNORED,
  /** Removed (if still there), and the connection closed before any answer, at every try. */
  ANSWER_LOST,
  /** Removed and answered 204, and at once invited again by hand: a new member with the same email and names. */
  INVITED_AGAIN,
  /**
   * Answered Fulcrum's 404 {@code {}} and nothing removed, and a read of the member by id answered
   * the same, while the member list still shows it: an API gateway's route for the by-id path, or a
   * Fulcrum whose by-id and list reads disagree.
   */
  UNKNOWN_BY_ID
}
