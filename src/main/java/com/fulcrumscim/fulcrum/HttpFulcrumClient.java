package com.fulcrumscim.fulcrum;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fulcrumscim.config.BridgeConfig;
import com.fulcrumscim.fulcrum.CallExecutor.Answer;
import com.fulcrumscim.fulcrum.wire.GroupJson;
import com.fulcrumscim.fulcrum.wire.MembershipJson;
import com.fulcrumscim.fulcrum.wire.Requests;
import com.fulcrumscim.fulcrum.wire.RoleJson;
import com.fulcrumscim.fulcrum.wire.UserJson;
import com.fulcrumscim.fulcrum.wire.Wire;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link FulcrumClient} over Fulcrum's REST API (shared/fulcrum-api.md) with OkHttp: paced to the
 * hourly budget, short retries for idempotent calls, a circuit breaker, and every failure typed.
 * Thread-safe; {@link #close()} releases OkHttp's threads and connections.
 */
public final class HttpFulcrumClient implements FulcrumClient, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HttpFulcrumClient.class);

  private final HttpUrl baseUrl;
  private final int pageSize;
  private final Wire wire = new Wire();
  private final OkHttpClient http;
  private final CallPacer pacer;
  private final Circuit circuit;
  private final CallExecutor calls;

  public HttpFulcrumClient(
      FulcrumSettings settings, MeterRegistry registry, Clock clock, Sleeper sleeper, FulcrumCallListener listener) {
    this(settings, registry, clock, sleeper, listener, BeforeSend.NONE);
  }

  /** {@code beforeSend} may refuse each call just before it is sent (the daemon's fence and shared budget). */
  public HttpFulcrumClient(FulcrumSettings settings, MeterRegistry registry, Clock clock, Sleeper sleeper,
      FulcrumCallListener listener, BeforeSend beforeSend) {
    this.baseUrl = HttpUrl.get(settings.baseUrl());
    this.pageSize = settings.pageSize();
    this.http = CallExecutor.okHttp(settings);
    this.pacer = new CallPacer(settings.callsPerHour(), clock, sleeper);
    this.circuit = new Circuit(settings.circuitOpenFor(), clock);
    CallMetrics metrics = new CallMetrics(registry, listener, pacer, circuit::isOpen);
    this.calls = new CallExecutor(
        http, baseUrl, settings, pacer, beforeSend, circuit, new Failures(wire, settings.apiToken()), metrics, clock, sleeper);
  }

  /**
   * The production client for {@code fulcrum:} in config.yml. {@code baseUrl} is passed apart
   * because {@code embedded} resolves to the emulator's URL only at run time.
   */
  public static HttpFulcrumClient create(BridgeConfig.Fulcrum cfg, String baseUrl, MeterRegistry registry) {
    return create(cfg, baseUrl, registry, BeforeSend.NONE);
  }

  /** As {@link #create(BridgeConfig.Fulcrum, String, MeterRegistry)}, each call first passing {@code beforeSend}. */
  public static HttpFulcrumClient create(BridgeConfig.Fulcrum cfg, String baseUrl, MeterRegistry registry,
      BeforeSend beforeSend) {
    FulcrumSettings settings =
        FulcrumSettings.of(baseUrl, cfg.apiToken(), cfg.callsPerHour(), cfg.connectTimeout(), cfg.readTimeout());
    return new HttpFulcrumClient(settings, registry, Clock.systemUTC(), Sleeper.REAL, FulcrumCallListener.NONE, beforeSend);
  }

  @Override
  public FulcrumUser tokenOwner() {
    return single(ApiCall.get("users.json"), "user", UserJson.class)
        .map(WireMapping::user)
        .orElseThrow(() -> noEntity("GET /api/v2/users.json"));
  }

  @Override
  public List<FulcrumRole> roles() {
    ApiCall call = ApiCall.get("roles.json");
    List<FulcrumRole> all = list(call, "roles", RoleJson.class, WireMapping::role, Set.of()).items();
    List<FulcrumRole> usable = all.stream().filter(r -> !blank(r.id()) && !blank(r.name())).toList();
    if (usable.size() < all.size()) {
      // A role without an id cannot be granted and one without a name cannot be asked for; kept,
      // every role lookup by name would trip over it.
      log.warn("{}: {} role(s) without an id or a name ignored", call.endpoint(), all.size() - usable.size());
    }
    return usable;
  }

  @Override
  public List<FulcrumMember> members() {
    return memberList().members();
  }

  @Override
  public MemberList memberList() {
    Pages<FulcrumMember> read = list(memberListCall(), "memberships", MembershipJson.class, WireMapping::member, Set.of());
    return new MemberList(read.items(), read.pages() == 1);
  }

  /** The members {@code known} has are not converted at all: at 100k, a second list of them held 40 MB of heap for nothing. */
  @Override
  public List<FulcrumMember> membersOtherThan(Set<String> known) {
    return list(memberListCall(), "memberships", MembershipJson.class, WireMapping::member, known).items();
  }

  @Override
  public void readFirstMemberPage() {
    ApiCall call = memberListCall().withQuery("page", "1").withQuery("per_page", "1");
    parse(call.endpoint(), calls.execute(call));
  }

  private static ApiCall memberListCall() {
    return ApiCall.get("memberships.json").withQuery("managed_info", "1");
  }

  @Override
  public Optional<FulcrumMember> member(String membershipId) {
    ApiCall call = ApiCall.get("memberships/{id}.json", membershipId).withQuery("managed_info", "1");
    return found(call, "membership", MembershipJson.class).map(WireMapping::member);
  }

  @Override
  public FulcrumMember createMember(MemberFields fields) {
    ApiCall call = ApiCall.create("memberships.json", wire.write(WireMapping.membership(fields)));
    return single(call, "membership", MembershipJson.class)
        .map(WireMapping::member)
        // Created, but the answer had no body: one list call finds it (emails are unique, compared as
        // Fulcrum compares them: Java's equalsIgnoreCase also folds ı, ſ and İ to i and s, another person's)
        .orElseGet(() -> created(call.endpoint(), () -> members().stream()
            .filter(m -> MemberFields.sameEmail(fields.email(), m.email()))
            .findFirst()
            .orElseThrow(() -> noEntity(call.endpoint()))));
  }

  @Override
  public boolean updateMember(String membershipId, MemberFields changes) {
    if (changes.isEmpty()) {
      return true;
    }
    ApiCall call = ApiCall.put("memberships/{id}.json", wire.write(WireMapping.membership(changes)), membershipId);
    Answer answer = writing(call);
    return answered(answer, "membership").map(m -> refuseIfNotApplied(call.endpoint(), answer.status(), changes, m))
        .orElse(false);
  }

  @Override
  public int deleteMember(String membershipId, String reassignToMembershipId) {
    String body = wire.write(new Requests.RemoveMembershipBody(new Requests.Reassign(reassignToMembershipId)));
    return deleting(ApiCall.delete("memberships/{id}.json", body, membershipId));
  }

  /**
   * A group listed without member_ids although associations=true was asked comes with its members
   * unknown ({@link FulcrumGroup#membersKnown()} false), not as empty and not failing the list: one
   * such group, even one made by hand that the bridge never touches, would otherwise stop every
   * group's reconcile. Reading each such group on its own would cost a call per group at every list
   * read; the reconciler refuses to plan the members of a managed one instead, naming it.
   */
  @Override
  public List<FulcrumGroup> groups() {
    return list(groupList(), "groups", GroupJson.class, WireMapping::group, Set.of()).items();
  }

  @Override
  public Optional<FulcrumGroup> group(String groupId) {
    ApiCall call = ApiCall.get("groups/{id}.json", groupId).withQuery("associations", "true");
    return found(call, "group", GroupJson.class).map(WireMapping::group);
  }

  private static ApiCall groupList() {
    return ApiCall.get("groups.json").withQuery("associations", "true");
  }

  @Override
  public FulcrumGroup createGroup(String name, String description) {
    ApiCall call = ApiCall.create("groups.json", wire.write(new Requests.GroupBody(new Requests.Group(name, description))));
    return single(call, "group", GroupJson.class)
        .map(WireMapping::group)
        .orElseGet(() -> created(call.endpoint(), () -> createdGroupByName(call.endpoint(), name, description)));
  }

  @Override
  public void renameGroup(String groupId, String name) {
    writing(ApiCall.put("groups/{id}.json", wire.write(new Requests.GroupBody(new Requests.Group(name, null))), groupId));
  }

  @Override
  public int deleteGroup(String groupId) {
    return deleting(ApiCall.delete("groups/{id}.json", null, groupId));
  }

  @Override
  public boolean changeGroupMembers(String groupId, List<String> addMembershipIds, List<String> removeMembershipIds) {
    if (addMembershipIds.isEmpty() && removeMembershipIds.isEmpty()) {
      return true;
    }
    Requests.Change change = Requests.Change.groupMembers(groupId, addMembershipIds, removeMembershipIds);
    ApiCall call = ApiCall.idempotentPost("groups/change_permissions.json", wire.write(new Requests.ChangeBody(change)));
    Answer answer = writing(call);
    return answered(answer, "group").filter(g -> groupId.equals(g.path("id").asText()))
        .map(g -> failIfMembersUnchanged(call.endpoint(), answer.status(), addMembershipIds, removeMembershipIds, g))
        .orElse(false);
  }

  /** True while the circuit breaker refuses calls: the reconciler may skip this cycle. */
  @Override
  public boolean circuitOpen() {
    return circuit.isOpen();
  }

  /**
   * The trailing hour's calls as the shared call log has them (this node's and other leaders'),
   * replacing this client's own count: what the budget gauges show after a takeover.
   */
  public void trailingHourIs(List<Instant> sentAt) {
    pacer.trailingHourIs(sentAt);
  }

  /** Calls left in the trailing hour's budget. */
  public int budgetLeft() {
    return pacer.budgetLeft();
  }

  /** Calls made in the trailing hour. */
  public int callsInLastHour() {
    return pacer.callsInLastHour();
  }

  @Override
  public void close() {
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  @Override
  public String toString() {
    return "HttpFulcrumClient[" + baseUrl + "]";
  }

  /**
   * Every page of a list. When total_count moved between its pages the organization changed while
   * it was read, and an entity leaving a page already read shifted an unread one onto it, never
   * seen: the list is read once more, and that read stands. Nothing changed, no extra call. A
   * count that did not move (or that Fulcrum leaves out) proves nothing either: the caller is told
   * how many pages the read that stands took ({@link MemberList#whole}).
   */
  private <W, T> Pages<T> list(ApiCall first, String key, Class<W> type, Function<W, T> toDomain, Set<String> known) {
    Pages<T> read = pages(first, key, type, toDomain, known);
    return read.countMoved() ? pages(first, key, type, toDomain, known) : read;
  }

  /** One walk through a list's pages: how many it took, and whether its total_count moved on the way. */
  private record Pages<T>(List<T> items, boolean countMoved, int pages) {}

  /**
   * Pages until current_page ≥ total_pages, an empty page, a page shorter than the per_page the
   * answer gives, or a page with no id not read before. An id already read is not added again: a
   * server that ignores {@code page} answers page 1 twice, and an entity added mid-read pushes the
   * last one of a page already read onto the next. An item whose id {@code known} has counts as
   * read but is left out.
   */
  private <W, T> Pages<T> pages(ApiCall first, String key, Class<W> type, Function<W, T> toDomain, Set<String> known) {
    List<T> all = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    long firstCount = -1;
    boolean countMoved = false;
    for (int page = 1; ; page++) {
      ApiCall call = first.withQuery("page", Integer.toString(page)).withQuery("per_page", Integer.toString(pageSize));
      Answer answer = calls.execute(call);
      JsonNode root = parse(call.endpoint(), answer);
      int status = answer.status();
      int number = page;
      List<JsonNode> items = Wire.items(root, key).orElseThrow(() -> new FulcrumException.Unavailable(call.endpoint(),
          status + " answer to page " + number + " holds no list of " + key, null));
      int newIds = 0;
      for (int i = 0; i < items.size(); i++) {
        JsonNode item = items.get(i);
        if (firstSeen(seen, item)) {
          String id = item.path("id").asText("");
          if (!known.contains(id)) {
            all.add(toDomain.apply(convert(call.endpoint(), "page " + page + ", item " + (i + 1), item, type)));
          }
          newIds += id.isBlank() ? 0 : 1;
        }
      }
      long count = root.path("total_count").asLong(-1); // -1: not given, which Fulcrum allows
      if (page == 1) {
        firstCount = count;
      } else if (firstCount >= 0 && count >= 0 && count != firstCount) {
        countMoved = true;
      }
      if (lastPage(root, page, items.size()) || newIds == 0) {
        return new Pages<>(all, countMoved, page);
      }
    }
  }

  /** True unless the item's id was seen before; an item without an id cannot be told apart, so it is kept. */
  private static boolean firstSeen(Set<String> seen, JsonNode item) {
    String id = item.path("id").asText("");
    return id.isBlank() || seen.add(id);
  }

  private boolean lastPage(JsonNode root, int page, int itemCount) {
    if (itemCount == 0) {
      return true;
    }
    int current = root.path("current_page").asInt(page);
    if (current < page) {
      return true; // the server ignores `page`: asking again would loop forever
    }
    int total = number(root, "total_pages");
    if (total >= 0) {
      return current >= total;
    }
    // Short only against the page size Fulcrum says it used: one that caps per_page below what was
    // asked answers full pages shorter than that, and taking the first for the last read the list
    // in part as whole (a removal confirmed by absence, a member past the cap never seen). Told
    // neither, only an empty page ends the list: one call more (fulcrum-api.md §2).
    int perPage = number(root, "per_page");
    return perPage > 0 && itemCount < perPage;
  }

  /** A paging key's number; -1 when missing. asInt reads "2" as 2 too: a string read as missing cut a capped list short. */
  private static int number(JsonNode root, String key) {
    JsonNode value = root.path(key);
    return value.isNumber() || value.isTextual() ? value.asInt(-1) : -1;
  }

  /** The entity of a single answer, empty when the answer had no body (or no entity in it). */
  private <W> Optional<W> single(ApiCall call, String key, Class<W> type) {
    JsonNode root = parse(call.endpoint(), calls.execute(call));
    return Wire.entity(root, key).map(node -> convert(call.endpoint(), "the answer", node, type));
  }

  /**
   * One entity of an answer in its wire type. A field of the wrong type fails this read with the
   * item and field named (typed, so the reconciler backs off rather than failing "unexpectedly");
   * the value is not quoted: it is Fulcrum's data, and may be anything.
   */
  private <W> W convert(String endpoint, String where, JsonNode node, Class<W> type) {
    try {
      return wire.convert(node, type);
    } catch (IllegalArgumentException e) {
      String id = node.path("id").asText("");
      throw new FulcrumException.Unavailable(endpoint, where + (id.isBlank() ? "" : " (id " + shortened(id) + ")")
          + " is malformed: field " + field(e) + " has a type the bridge cannot read", null);
    }
  }

  /** The JSON path of the field a conversion failed on, e.g. {@code member_ids[0]}. */
  private static String field(IllegalArgumentException e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof JsonMappingException mapping && !mapping.getPath().isEmpty()) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : mapping.getPath()) {
          if (ref.getFieldName() != null) {
            path.append(path.length() == 0 ? "" : ".").append(ref.getFieldName());
          } else if (ref.getIndex() >= 0) {
            path.append('[').append(ref.getIndex()).append(']');
          }
        }
        return path.toString();
      }
    }
    return "(unknown)";
  }

  private static String shortened(String s) {
    return s.length() <= 64 ? s : s.substring(0, 64) + "...";
  }

  /** The entity ("membership", "group") a write's answer carries; empty without a body ({@link #writing} let only JSON through). */
  private Optional<JsonNode> answered(Answer answer, String key) {
    try {
      return Wire.entity(wire.read(answer.body()), key);
    } catch (JsonProcessingException e) {
      return Optional.empty();
    }
  }

  /**
   * Fulcrum may answer a PUT 2xx yet keep fields it does not permit (role change and names by PUT
   * are assumed, not documented; a member of several organizations cannot be edited): taken as
   * done, the mirror would show the change, the audit say ok, and each re-read send the same PUT
   * again. Compares each field sent with the membership answered, at no extra call. A field the
   * answer leaves out says nothing: false, and the caller reads the member back.
   */
  private static boolean refuseIfNotApplied(String endpoint, int status, MemberFields sent, JsonNode answered) {
    Function<String, String> held = field -> {
      JsonNode value = answered.get(field);
      return value == null || value.isNull() || !value.isValueNode() ? null : value.asText();
    };
    List<String> kept = sent.keptIn(held);
    if (!kept.isEmpty()) {
      throw new FulcrumException.Rejected(endpoint, status,
          "Fulcrum accepted the PUT but kept " + String.join(", ", kept));
    }
    return sent.unshownIn(held).isEmpty();
  }

  /**
   * Fulcrum may answer a member change 2xx yet not make it (it reads another root key: section 5.3
   * of the contract names two). Taken as done, the audit would say ok while a person Okta took out
   * keeps the group's access, and nothing would look again before the nightly resync. When the
   * answer carries the group's member_ids (the emulator's and the OpenAPI example's do; the docs
   * promise no body), every add must be in them and no removal, at no extra call; an answer without
   * them says nothing (false: the caller reads the group back). The failure is retried within the
   * retry budget, the group planned anew on lists read again, as after any call whose effect is unknown.
   */
  private static boolean failIfMembersUnchanged(String endpoint, int status, List<String> added, List<String> removed,
      JsonNode group) {
    JsonNode ids = group.get("member_ids");
    if (ids == null || !ids.isArray()) {
      return false;
    }
    Set<String> listed = new HashSet<>();
    ids.forEach(id -> listed.add(id.asText()));
    List<String> kept = removed.stream().filter(listed::contains).toList();
    List<String> missing = added.stream().filter(id -> !listed.contains(id)).toList();
    List<String> wrong = new ArrayList<>();
    if (!kept.isEmpty()) {
      wrong.add("still lists " + FulcrumException.someIds(kept) + " (removed)");
    }
    if (!missing.isEmpty()) {
      wrong.add("does not list " + FulcrumException.someIds(missing) + " (added)");
    }
    if (!wrong.isEmpty()) {
      throw new FulcrumException.Unavailable(endpoint, "Fulcrum accepted the member change (" + status + ") but "
          + String.join(" and ", wrong), null);
    }
    return true;
  }

  /** Null and blank are one: Fulcrum may answer "" for a description never given. */
  private static boolean sameText(String a, String b) {
    return Objects.equals(a == null ? "" : a, b == null ? "" : b);
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /** A GET of one entity: empty on 404 or 410; a 2xx without the entity is a broken answer. */
  private <W> Optional<W> found(ApiCall call, String key, Class<W> type) {
    try {
      return Optional.of(single(call, key, type).orElseThrow(() -> noEntity(call.endpoint())));
    } catch (FulcrumException.NotFound gone) {
      return Optional.empty();
    }
  }

  /**
   * A delete: Fulcrum's 2xx, or its 404 or 410 (already gone; answered as 404), and the status.
   * A 2xx that is not Fulcrum's is Unavailable ({@link #writing}), so the caller reads the entity
   * again instead of taking it for removed.
   */
  private int deleting(ApiCall call) {
    try {
      return writing(call).status();
    } catch (FulcrumException.NotFound alreadyGone) {
      return 404;
    }
  }

  /**
   * A write's 2xx answer. One carrying a page that is not JSON (a proxy's or captive portal's) is no
   * answer of Fulcrum's: Unavailable, retried, instead of a role change or a member change taken as
   * made while the person keeps what it was to take away. An empty body is Fulcrum's (204).
   */
  private Answer writing(ApiCall call) {
    Answer answer = calls.execute(call);
    if (!Failures.fulcrumsBody(wire, answer.body())) {
      throw new FulcrumException.Unavailable(call.endpoint(), answer.status() + " answer is not JSON", null);
    }
    return answer;
  }

  /**
   * Finds what a create answered 2xx without its entity made. Fulcrum made it, so a refused lookup
   * leaves the create in doubt, never refused: a refused create's intent is forgotten, and with it
   * the only record of this member or group. A 429 or 401 keeps its own meaning (wait; pause).
   */
  private static <T> T created(String endpoint, Supplier<T> lookup) {
    try {
      return lookup.get();
    } catch (FulcrumException.Rejected | FulcrumException.Forbidden | FulcrumException.NotFound e) {
      throw new FulcrumException.Unavailable(endpoint, "created, but finding it failed: " + e.getMessage(), null);
    }
  }

  /**
   * The group a create answered without made, recognised by its name and the description it was
   * given: a group of that name made by hand is someone else's, and taken for this create it would
   * be linked, its members replaced by Okta's and, on a SCIM delete, deleted. Only id, name and
   * description matter here; what the group holds may be unknown, as after any create answer
   * without member_ids.
   */
  private FulcrumGroup createdGroupByName(String endpoint, String name, String description) {
    List<FulcrumGroup> named = groups().stream()
        .filter(g -> name.equals(g.name()) && sameText(description, g.description()))
        .toList();
    if (named.size() != 1) {
      // Names are not unique in Fulcrum; guessing could adopt someone else's group.
      throw new FulcrumException.Unavailable(endpoint, "group created without an answer body, and "
          + named.size() + " groups carry its name and description; the next cycle reads before it writes", null);
    }
    return named.get(0);
  }

  private JsonNode parse(String endpoint, Answer answer) {
    try {
      return wire.read(answer.body());
    } catch (JsonProcessingException e) {
      // A 2xx that is not JSON is a proxy or maintenance page, not Fulcrum's answer. The parser's
      // message quotes the body, so it is not kept as the cause.
      throw new FulcrumException.Unavailable(endpoint, answer.status() + " answer is not JSON", null);
    }
  }

  private static FulcrumException.Unavailable noEntity(String endpoint) {
    return new FulcrumException.Unavailable(endpoint, "the answer carried no entity", null);
  }
}
