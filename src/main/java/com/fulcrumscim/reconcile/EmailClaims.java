package com.fulcrumscim.reconcile;

import com.fulcrumscim.fulcrum.FulcrumMember;
import com.fulcrumscim.journal.DesiredUser;
import com.fulcrumscim.journal.ResourceKey;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Which SCIM user, other than the one asking, a Fulcrum member with a given email is being given
 * to: an active user with that email that is the asking leaver's person pushed again under a new id
 * ({@link SamePerson}: Okta deleted or deactivated that person and pushed them again), or another
 * user's create in doubt that made it (that push links it, or that user's own deactivation removes
 * it). Such a member is not a leaving user's to remove, nor a person who keeps the access Okta took
 * away. Emails compare as the member mirror matches them (trimmed, lower-cased in Java: SQLite's
 * NOCASE folds ASCII only).
 */
public final class EmailClaims {
  private final Map<String, DesiredUser> activeByEmail = new HashMap<>();
  private final List<Intent> creates;

  /**
   * {@code users}: the users the asking leaver may have been pushed again as ({@link SamePerson#pushedAgain}),
   * inactive ones left out; {@code userCreates}: open intents of users.
   */
  public EmailClaims(Collection<DesiredUser> users, Collection<Intent> userCreates) {
    users.stream().filter(u -> u.active() && !Mirror.key(u.email()).isEmpty())
        .forEach(u -> activeByEmail.putIfAbsent(Mirror.key(u.email()), u));
    this.creates = List.copyOf(userCreates);
  }

  /** The active user other than {@code besides} whose email is {@code email}. */
  private Optional<Claim> activeUser(String email, String besides) {
    DesiredUser u = activeByEmail.get(Mirror.key(email));
    return u == null || u.id().equals(besides) ? Optional.empty()
        : Optional.of(new Claim.ActiveUser(ResourceKey.user(u.id()), u.userName()));
  }

  /** Who other than {@code besides} the member is being given to: an active user with its email, else a create that made it. */
  public Optional<Claim> on(FulcrumMember m, String besides) {
    return activeUser(m.email(), besides).or(() -> creates.stream()
        .filter(i -> !i.scimId().equals(besides) && i.made(m.id(), m.email())).findFirst()
        .map(i -> new Claim.Creating(ResourceKey.user(i.scimId()))));
  }

  /** A user's claim on a member; {@link #toString()} names the user and the claim, e.g. "active user/u2 (bob) with this email". */
  public sealed interface Claim {
    ResourceKey user();

    /** Okta assigns the person under this user. */
    record ActiveUser(ResourceKey user, String userName) implements Claim {
      @Override
      public String toString() {
        return "active " + user + " (" + userName + ") with this email";
      }
    }

    /** This user's create made the member, and its link is not written yet. */
    record Creating(ResourceKey user) implements Claim {
      @Override
      public String toString() {
        return user + ", whose create made it (not linked yet)";
      }
    }
  }
}
