package com.fulcrumscim.fulcrum;

import java.util.List;

/**
 * The organization's members as one read of the list found them, and whether that read was whole:
 * one answer (one page). Read over several pages, the list can miss a member: one leaving a page
 * already read shifts an unread one onto it, while one joining keeps total_count (which Fulcrum may
 * leave out anyway). So a member a list of several pages does not show may still be in Fulcrum.
 */
public record MemberList(List<FulcrumMember> members, boolean whole) {
  public MemberList {
    members = List.copyOf(members);
  }
}
