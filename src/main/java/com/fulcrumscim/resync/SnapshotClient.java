package com.fulcrumscim.resync;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.FulcrumRole;
import com.fulcrumscim.fulcrum.FulcrumUser;
import com.fulcrumscim.fulcrum.MemberFields;
import java.util.List;
import java.util.Optional;

/**
 * A {@link FulcrumClient} that answers reads from a {@link FulcrumSnapshot} and refuses every
 * write. Resync hands it to a {@code Reconciler} to get the reconciler's own plan for each key
 * (the same planner, the same observation) without another call to Fulcrum and without any
 * chance of changing it.
 */
final class SnapshotClient implements FulcrumClient {
  private final FulcrumSnapshot snapshot;

  SnapshotClient(FulcrumSnapshot snapshot) {
    this.snapshot = snapshot;
  }

  @Override
  public FulcrumUser tokenOwner() {
    return snapshot.owner();
  }

  @Override
  public List<FulcrumRole> roles() {
    return snapshot.roles();
  }

  @Override
  public List<FulcrumMember> members() {
    return snapshot.members();
  }

  @Override
  public void readFirstMemberPage() {
    // the snapshot was read whole: nothing to ask
  }

  @Override
  public Optional<FulcrumMember> member(String membershipId) {
    return snapshot.member(membershipId);
  }

  @Override
  public List<FulcrumGroup> groups() {
    return snapshot.groups();
  }

  @Override
  public Optional<FulcrumGroup> group(String groupId) {
    return snapshot.group(groupId);
  }

  @Override
  public FulcrumMember createMember(MemberFields fields) {
    throw readOnly();
  }

  @Override
  public boolean updateMember(String membershipId, MemberFields changes) {
    throw readOnly();
  }

  @Override
  public int deleteMember(String membershipId, String reassignToMembershipId) {
    throw readOnly();
  }

  @Override
  public FulcrumGroup createGroup(String name, String description) {
    throw readOnly();
  }

  @Override
  public void renameGroup(String groupId, String name) {
    throw readOnly();
  }

  @Override
  public int deleteGroup(String groupId) {
    throw readOnly();
  }

  @Override
  public boolean changeGroupMembers(String groupId, List<String> addMembershipIds, List<String> removeMembershipIds) {
    throw readOnly();
  }

  private static IllegalStateException readOnly() {
    return new IllegalStateException("resync plans on a snapshot of Fulcrum; it never writes through it");
  }
}
