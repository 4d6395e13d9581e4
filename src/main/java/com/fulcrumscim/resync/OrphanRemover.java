package com.fulcrumscim.resync;

import com.fulcrumscim.db.Database;
import com.fulcrumscim.fulcrum.FulcrumClient;
import com.fulcrumscim.fulcrum.FulcrumException;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.reconcile.Action;
import com.fulcrumscim.reconcile.AuditLog;
import com.fulcrumscim.reconcile.ConfirmedDelete;
import com.fulcrumscim.reconcile.LinkStore;
import com.fulcrumscim.reconcile.ReconcileSettings;
import com.fulcrumscim.fulcrum.FulcrumGroup;
import com.fulcrumscim.fulcrum.FulcrumMember;
import java.time.Clock;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes an orphan resync found, after reading it once more from Fulcrum and the desired state
 * (the snapshot may be minutes old: settling the users and groups takes up to twice
 * {@link Resync#MAX_WAIT}) and checking no link claimed it and no one in Okta wants it meanwhile;
 * every attempt is an audit row under the key it was created for. A delete counts only once a read
 * by id finds the orphan gone ({@link ConfirmedDelete}), as the reconciler's removals do.
 */
final class OrphanRemover {
  private static final Logger log = LoggerFactory.getLogger(OrphanRemover.class);
  /** No work row carries an orphan: only a later resync finds it again. */
  private static final String NEXT_RESYNC = "the next resync finds it again";
  private final FulcrumClient client;
  private final LinkStore links;
  private final AuditLog audit;
  private final String reassignTo;
  private final OrphanFinder finder;

  OrphanRemover(FulcrumClient client, Database db, ReconcileSettings settings, Clock clock) {
    this.client = client;
    this.links = new LinkStore(db);
    this.audit = new AuditLog(db, clock);
    this.reassignTo = settings.reassignTo();
    this.finder = new OrphanFinder(db, clock);
  }

  /** What became of an orphan: deleted (gone when read back by id after the delete), found gone by id before, or kept. */
  enum Result {
    DELETED,
    ALREADY_GONE,
    KEPT;

    /** Whether a read by id said the orphan is gone: a list read after that still shows it contradicts it. */
    boolean goneById() {
      return this != KEPT;
    }
  }

  Result remove(Orphan o) {
    boolean member = o.type() == Orphan.Type.MEMBER;
    EntityType type = member ? EntityType.USER : EntityType.GROUP;
    Optional<String> label = member ? client.member(o.fulcrumId()).map(FulcrumMember::email)
        : client.group(o.fulcrumId()).map(FulcrumGroup::name);
    if (label.isEmpty()) {
      return Result.ALREADY_GONE;
    }
    Action.Kind kind = member ? Action.Kind.REMOVE_MEMBER : Action.Kind.DELETE_GROUP;
    String detail = "orphan (created or linked by the bridge, no link)";
    try {
      // Fulcrum refuses a removal to a target that left the organization, or to the member itself
      // (422), and the orphan would stay. Read before the check below, so that no Fulcrum call stands
      // between the check and the delete: the reconciler runs meanwhile, and may link this member to a
      // person Okta deleted and pushed again under a new id.
      String target = member && reassignTo != null && !reassignTo.equals(o.fulcrumId())
          && client.member(reassignTo).isPresent() ? reassignTo : null;
      if (links.scimIdOf(type, o.fulcrumId()).isPresent()) {
        return Result.KEPT;
      }
      Optional<String> wanted = finder.wanted(o.type(), label.get(), o.createdFor());
      if (wanted.isPresent()) {
        log.info("resync: orphan {} {} ({}) stays: {} wants it now", member ? "member" : "group", label.get(),
            o.fulcrumId(), wanted.get());
        return Result.KEPT;
      }
      if (member) {
        detail += "; " + Action.RemoveMember.records(o.fulcrumId(), target, reassignTo);
        ConfirmedDelete.run(FulcrumClient.MEMBER_DELETE, () -> client.deleteMember(o.fulcrumId(), target),
            () -> client.member(o.fulcrumId()), m -> "removing orphan member " + m.id() + " (" + m.email() + ")", NEXT_RESYNC);
      } else {
        ConfirmedDelete.run(FulcrumClient.GROUP_DELETE, () -> client.deleteGroup(o.fulcrumId()),
            () -> client.group(o.fulcrumId()), g -> "deleting orphan group " + g.id() + " (" + g.name() + ")", NEXT_RESYNC);
      }
      audit.record(o.createdFor(), kind, o.fulcrumId(), "ok", detail);
      return Result.DELETED;
    } catch (FulcrumException e) {
      audit.record(o.createdFor(), kind, o.fulcrumId(), "failed: " + e.getMessage(), detail);
      return Result.KEPT;
    }
  }
}
