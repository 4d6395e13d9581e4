package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.Intake;
import com.fulcrumscim.journal.IntakeRejected;
import com.fulcrumscim.journal.IntakeRequest;
import com.fulcrumscim.journal.JournalOp;
import com.fulcrumscim.journal.RolePlaces;
import com.fulcrumscim.journal.StoredResource;
import com.fulcrumscim.journal.TerminalText;
import com.fulcrumscim.scim.patch.PatchApplier;
import com.fulcrumscim.scim.schema.JsonFields;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.LongPredicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handlers of one resource endpoint (/Users or /Groups). */
final class ResourceEndpoints {
  private static final Logger log = LoggerFactory.getLogger(ResourceEndpoints.class);
  private final ResourceKind kind;
  private final ScimResponses responses;
  private final Database db;
  private final Intake intake;
  private final ResourceLister lister;
  private final PatchApplier patcher;
  private final GroupUpdates groupUpdates;
  private final int maxPageSize;

  ResourceEndpoints(ResourceKind kind, ScimResponses responses, Database db, Intake intake, ResourceLister lister,
      PatchApplier patcher, int maxPageSize) {
    this.patcher = patcher;
    this.kind = kind;
    this.responses = responses;
    this.db = db;
    this.intake = intake;
    this.lister = lister;
    this.groupUpdates = new GroupUpdates(intake, db, kind.store(), kind.normalizer());
    this.maxPageSize = maxPageSize;
  }

  String path() {
    return "/" + kind.endpoint();
  }

  void create(Context ctx) throws IOException {
    JsonNode body = responses.body(ctx);
    StoredResource created = intake.create(kind.type(), kind.normalizer().apply(body, null),
        request(ctx, JournalText.resource(body, kind.schema())));
    warnOfRoles(created);
    ctx.header("Location", kind.location(responses.baseUrl(ctx), created.id()));
    send(ctx, 201, created);
  }

  void get(Context ctx) throws IOException {
    String id = ctx.pathParam("id");
    Projection projection = projection(ctx);
    boolean refs = projection.wants(kind.referenceAttribute());
    StoredResource found = db.read(c -> kind.store().find(c, id, refs)).orElseThrow(() -> notFound(id));
    String tag = ETags.of(found, refs);
    if (ETags.noneMatchFails(ctx.header("If-None-Match"), tag)) {
      ctx.header("ETag", tag);
      ctx.status(304);
      return;
    }
    send(ctx, 200, found, refs);
  }

  /**
   * A PUT, PATCH or DELETE with If-None-Match is not made when the resource exists with a tag it
   * names, or at all for {@code *} (RFC 7232 3.2: 412): the client asked to change it only if it had
   * no such representation. Read before the change: a change in between moves the tag on, never back.
   * A resource that does not exist is the change's own 404, preconditions aside.
   */
  private void ifNoneMatch(Context ctx, String id) {
    String header = ctx.header("If-None-Match");
    if (header != null) {
      Optional<String> tag = db.read(c -> kind.store().find(c, id, true)).map(r -> ETags.of(r, true));
      if (tag.filter(t -> ETags.noneMatchFails(header, t)).isPresent()) {
        throw ScimException.preconditionFailed("If-None-Match " + TerminalText.oneLine(TerminalText.cut(header, 200))
            + " names " + kind.type().name().toLowerCase(Locale.ROOT) + " " + id + " as it is (its ETag is " + tag.get()
            + "): not changed");
      }
    }
  }

  void list(Context ctx) throws IOException {
    ListRequest q = ListRequest.of(name -> listParam(ctx, name), maxPageSize);
    ResourceLister.Page page = lister.list(kind, q, responses.baseUrl(ctx));
    responses.send(ctx, 200, responses.listResponse(page.totalResults(), q.startIndex(), page.resources()));
  }

  /**
   * A list parameter, its first value. Javalin drops a value that is not valid percent-encoding (a
   * raw {@code %}) and keeps the name with no value: read as absent, a filter so dropped answered
   * every resource, which a client looking a name up before creating it (Okta) takes as a match.
   */
  private static String listParam(Context ctx, String name) {
    List<String> values = ctx.queryParams(name);
    if (values.isEmpty() && ctx.queryParamMap().containsKey(name)) {
      String detail = name + " is not valid percent-encoding (send % as %25)";
      throw name.equals("filter") ? ScimException.invalidFilter(detail) : ScimException.invalidValue(detail);
    }
    return values.isEmpty() ? null : values.get(0);
  }

  void replace(Context ctx) throws IOException {
    JsonNode body = changeBody(ctx);
    StoredResource replaced = update(ctx, JournalOp.REPLACE, old -> body, request(ctx, JournalText.resource(body, kind.schema())),
        deactivation(ctx, body, RequestedDeactivation.byPut(body)));
    warnOfRoles(replaced);
    send(ctx, 200, replaced);
  }

  /**
   * A PUT's or PATCH's body. Okta deactivates a user by either (the OIN PATCH, or its GET and then a
   * PUT of the whole profile with active false), and does not send a failed push again. A user's
   * change refused before its body is read ({@link RequestBodies} answers anything but 400 only
   * then: no slot free, too slow, not JSON, too large) may be a deactivation that never lands, the
   * person keeping access, and nothing read can tell: a WARN naming the user, with the refusal's
   * detail (never the body's). Refused 413 it is an ERROR: sent again it is refused again.
   */
  private JsonNode changeBody(Context ctx) throws IOException {
    try {
      return responses.body(ctx);
    } catch (ScimException e) {
      if (kind.type() == EntityType.USER && e.status() == 413) {
        log.error("SCIM {} of user {} (request id {}) refused 413: {}. A deactivation may have been refused: deactivate"
            + " the user by PATCH or by hand (README, What the SCIM endpoint accepts)", ctx.method(),
            TerminalText.oneLine(ctx.pathParam("id")), ScimResponses.requestId(ctx), e.getMessage());
      } else if (kind.type() == EntityType.USER && e.status() != 400) {
        warnRefusedBeforeRead(ctx.method().name(), ctx.pathParam("id"), ScimResponses.requestId(ctx), e.status(),
            e.getMessage());
      }
      throw e;
    }
  }

  /** The WARN for a user's change refused before its body was read (here, or by Jetty: {@link JettyErrors}). */
  static void warnRefusedBeforeRead(String method, String id, String requestId, int status, String detail) {
    log.warn("SCIM {} of user {} (request id {}) refused {} before its body was read: {}. If it deactivated or deleted"
        + " the user, the person keeps their access in Fulcrum: the identity provider shows the failed push (Okta: a"
        + " failed task); push the user again", method, TerminalText.oneLine(TerminalText.cut(id, 200)), requestId,
        status, TerminalText.oneLine(detail));
  }

  void patch(Context ctx) throws IOException {
    JsonNode body = changeBody(ctx);
    // The patched resource still carries the id it was rendered with; normalizing again drops it.
    StoredResource patched = update(ctx, JournalOp.PATCH,
        old -> patcher.apply(kind.render(old, null, true), body, kind.schema()).resource(),
        request(ctx, JournalText.patch(body, kind.schema())), deactivation(ctx, body, RequestedDeactivation.byPatch(body)));
    warnOfRoles(patched);
    if (kind.patchAnswersWithBody() || ctx.queryParam("attributes") != null) {
      send(ctx, 200, patched);
    } else {
      ctx.header("ETag", ETags.of(patched, true));
      ctx.status(204);
    }
  }

  /**
   * Whether a PUT's or PATCH's {@code body}, which {@code deactivates} when it is a user's, takes a
   * user's access away; marked on the request if so ({@link Deprovisioning}), with the userName it
   * gives (a PUT's).
   */
  private boolean deactivation(Context ctx, JsonNode body, boolean deactivates) {
    if (kind.type() != EntityType.USER || !deactivates) {
      return false;
    }
    JsonNode userName = JsonFields.get(body, "userName");
    new Deprovisioning(Deprovisioning.Op.DEACTIVATE, userName != null && userName.isTextual() ? userName.textValue() : null)
        .markOn(ctx);
    return true;
  }

  /**
   * The resource a PUT or PATCH ({@code op}) leaves, {@code asked} being the whole new resource as
   * the client asks for it, computed from the stored one and normalized against it here. A group's
   * refused new name does not refuse the rest ({@link GroupUpdates}). A user's request that, read
   * alone, deactivates it ({@code deactivates}) and whose rest is refused (400, or 409 for a name
   * taken) stores the deactivation alone ({@link Intake#deactivationAlone}) and is answered as
   * accepted: the person the identity provider deprovisions loses access whatever else the request
   * carries; of a user inactive already, it stays refused. One refused otherwise (If-Match stale)
   * is an ERROR line with the refusal: the person keeps access, and the identity provider does not
   * send it again. One of an id the bridge does not have has the WARN of an unknown id alone, one
   * saying it deactivates ({@link ScimServer}): the bridge lost its state, which that line says how
   * to recover.
   */
  private StoredResource update(Context ctx, JournalOp op, Function<StoredResource, JsonNode> asked,
      IntakeRequest request, boolean deactivates) {
    String id = ctx.pathParam("id");
    LongPredicate ifMatch = ETags.ifMatch(ctx.header("If-Match"));
    if (kind.type() == EntityType.GROUP) {
      ifNoneMatch(ctx, id);
      return groupUpdates.update(id, ifMatch, op, asked, request);
    }
    try {
      ifNoneMatch(ctx, id);
      return intake.update(kind.type(), id, ifMatch, op, old -> kind.normalizer().apply(asked.apply(old), old.doc()), request);
    } catch (ScimException | IntakeRejected e) {
      if (!deactivates) {
        throw e;
      }
      ScimException refusal = scimError(e);
      if (refusal.status() == 400 || refusal.status() == 409) {
        return intake.deactivationAlone(id, ifMatch, op, request, refusal.detail()).orElseThrow(() -> e);
      }
      if (e instanceof IntakeRejected rejected && rejected.reason() == IntakeRejected.Reason.NOT_FOUND) {
        throw e;
      }
      errorKeepsAccess(ctx, id, "deactivates", refusal);
      throw e;
    }
  }

  private static ScimException scimError(RuntimeException refused) {
    return refused instanceof IntakeRejected rejected ? ScimException.of(rejected) : (ScimException) refused;
  }

  /** {@code what}: what the refused request does to the user (deactivates, deletes). */
  private static void errorKeepsAccess(Context ctx, String id, String what, ScimException refusal) {
    log.error("SCIM {} of user {} (request id {}) refused {}: {}. It {} the user, who keeps their access in Fulcrum:"
        + " deactivate the user by hand (README, What the SCIM endpoint accepts)", ctx.method(),
        TerminalText.oneLine(TerminalText.cut(id, 200)), ScimResponses.requestId(ctx), refusal.status(),
        TerminalText.oneLine(refusal.detail()), what);
  }

  /**
   * A user whose places name different roles gets the first ({@link RolePlaces}), which need not be
   * the one the client means: one request set two at once, or a release before 8 December 2026
   * stored a role the client had moved elsewhere (the new place set now clears the old one).
   */
  private void warnOfRoles(StoredResource r) {
    if (kind.type() == EntityType.USER && RolePlaces.distinct(r.doc()).size() > 1) {
      Map<String, String> places = RolePlaces.of(r.doc());
      log.warn("user {} names different roles in different places ({}): it gets '{}', the first of them; map the"
          + " role to one attribute in the identity provider and send it again (README, Connecting Okta, step 6)",
          TerminalText.oneLine(r.id()), TerminalText.oneLine(places.toString()),
          TerminalText.oneLine(places.values().iterator().next()));
    }
  }

  /**
   * Entra deprovisions by DELETE: a user's refused for a stale If-Match (412) is the ERROR of a
   * deactivation so refused. One refused 404 has its own WARN ({@link ScimServer}), a user's saying
   * it deletes.
   */
  void delete(Context ctx) {
    String id = ctx.pathParam("id");
    if (kind.type() == EntityType.USER) {
      new Deprovisioning(Deprovisioning.Op.DELETE, null).markOn(ctx);
    }
    try {
      ifNoneMatch(ctx, id);
      intake.delete(kind.type(), id, ETags.ifMatch(ctx.header("If-Match")), request(ctx, null));
    } catch (ScimException | IntakeRejected e) {
      ScimException refusal = scimError(e);
      if (kind.type() == EntityType.USER && refusal.status() == 412) {
        errorKeepsAccess(ctx, id, "deletes", refusal);
      }
      throw e;
    }
    ctx.status(204);
  }

  private void send(Context ctx, int status, StoredResource r) throws IOException {
    send(ctx, status, r, true);
  }

  private void send(Context ctx, int status, StoredResource r, boolean withReferences) throws IOException {
    ctx.header("ETag", ETags.of(r, withReferences));
    responses.send(ctx, status, projection(ctx).apply(kind.render(r, responses.baseUrl(ctx), withReferences)));
  }

  private static Projection projection(Context ctx) {
    return Projection.of(ctx.queryParam("attributes"), ctx.queryParam("excludedAttributes"));
  }

  private static IntakeRequest request(Context ctx, String journalText) {
    return new IntakeRequest(ScimResponses.requestId(ctx), journalText, ScimResponses.arrivedNanos(ctx));
  }

  private ScimException notFound(String id) {
    return ScimException.notFound("no " + kind.resourceType().toLowerCase(Locale.ROOT) + " with id " + id);
  }
}
