package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.fulcrum.MemberFields;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A member change (role, email, names) is done only once a read made after its PUT shows every
 * field it sent. Fulcrum's answer shows it at no extra call when it carries them
 * ({@link FulcrumClient#updateMember}); without them (no body, a proxy's {@code {}}, a membership
 * without the role) a 2xx may have changed nothing: a role change by PUT is assumed, not
 * documented. Taken as done, a person Okta demoted would keep the higher role until the nightly
 * resync, the audit saying ok. Such a change is read back: with the cycle's others in one read of
 * the member list ({@link RemovalChecks}; the one the cycle's removals read, when they read it), or
 * by id.
 */
final class MemberChangeCheck implements ReadBack<MemberChangeCheck.Sent, MemberChangeCheck.Found> {
  static final MemberChangeCheck KIND = new MemberChangeCheck();

  private MemberChangeCheck() {}

  /** A PUT of {@code changes} to member {@code memberId} ({@code email}: as the mirror had it, for messages) sent {@code at}. */
  record Sent(String memberId, String email, MemberFields changes, Instant at) {}

  /** What a read after the PUT found: the member (empty: gone), or why it could not read; whether it was read in the list. */
  record Found(Sent sent, Optional<FulcrumMember> member, RuntimeException failure, boolean listed) {
    /**
     * Returns when the member has every field sent; else throws the retryable failure ({@code then}:
     * what happens next), or the read's own.
     */
    void confirm(String then) {
      if (failure instanceof FulcrumException) {
        throw failure;
      }
      if (failure != null) {
        throw notReadBack(sent, "the read failed: " + failure, then);
      }
      String how = listed ? "read back in the member list" : "read back by id";
      if (member.isEmpty()) {
        throw new FulcrumException.Unavailable(FulcrumClient.MEMBER_UPDATE, "Fulcrum accepted the PUT of "
            + entity(sent) + " but no longer has the member (" + how + "); " + then, null);
      }
      List<String> kept = kept(sent.changes(), member.get());
      if (!kept.isEmpty()) {
        throw new FulcrumException.Unavailable(FulcrumClient.MEMBER_UPDATE, "Fulcrum accepted the PUT of "
            + entity(sent) + " but did not make it: the member still has " + String.join(", ", kept) + " (" + how
            + "); " + then, null);
      }
    }
  }

  /** The fields sent that {@code m} does not have, as a message names them: one it shows without a value is not made either. */
  static List<String> kept(MemberFields sent, FulcrumMember m) {
    Function<String, String> held = field -> switch (field) {
      case "email" -> m.email();
      case "first_name" -> m.firstName();
      case "last_name" -> m.lastName();
      case "role_id" -> m.roleId();
      default -> throw new IllegalArgumentException("no member field " + field);
    };
    List<String> kept = new ArrayList<>(sent.keptIn(held));
    sent.unshownIn(held).forEach(field -> kept.add(field + " none"));
    return kept;
  }

  @Override
  public String write() {
    return "PUT";
  }

  @Override
  public String id(Sent sent) {
    return sent.memberId();
  }

  /**
   * The member list once (after all the PUTs) when it takes fewer calls than reading each member by
   * id. Its pages cannot make a change look made: a member the list does not show is read by id.
   */
  @Override
  public boolean listed(Observer observer, int count) {
    return observer.memberListCalls() < count;
  }

  @Override
  public boolean relist(Observer observer) {
    observer.rereadMemberList();
    return true;
  }

  /** A read of the member list made after the PUTs, for removals, shows them too, at no call. */
  @Override
  public boolean readsListOf(ReadBack<?, ?> other) {
    return other == MemberRemovalCheck.KIND;
  }

  @Override
  public Found inList(Observer observer, Attempt attempt, Sent sent) {
    Optional<FulcrumMember> m = observer.members.get(sent.memberId());
    return m.isPresent() ? new Found(sent, m, null, true) : byId(observer, sent);
  }

  @Override
  public Found byId(Observer observer, Sent sent) {
    try {
      return new Found(sent, observer.rereadMember(sent.memberId()), null, false);
    } catch (RuntimeException e) {
      return new Found(sent, Optional.empty(), e, false);
    }
  }

  @Override
  public Found listFailed(Sent sent, RuntimeException failure) {
    return new Found(sent, Optional.empty(), failure, true);
  }

  /** It fails as not read back: the reconcile fails, retried within its budget. */
  @Override
  public Found notChecked(Sent sent, String why) {
    return new Found(sent, Optional.empty(), notReadBack(sent, why, NOT_MADE), false);
  }

  private static FulcrumException.Unavailable notReadBack(Sent sent, String why, String then) {
    return new FulcrumException.Unavailable(FulcrumClient.MEMBER_UPDATE, "Fulcrum accepted the PUT of "
        + entity(sent) + ", changing " + String.join(", ", sent.changes().fieldNames()) + ", and it was not read back ("
        + why + "); " + then, null);
  }

  private static String entity(Sent sent) {
    return "member " + sent.memberId() + (sent.email() == null ? "" : " (" + sent.email() + ")");
  }
}
