package com.fulcrumscim.testing;

import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import okhttp3.Headers;

/**
 * Fulcrum for a MockWebServer whose member list comes two members a page, and whose first walk
 * through it misses member m-taken (taken@corp.example, invited by hand): m-leaver is removed right
 * after page 1 of that walk is read, shifting m-taken onto page 1, while m-joiner joins and keeps
 * the count. Every later walk shows the organization as it is then. With {@code givesTotalCount}
 * false the pages carry no total_count, which Fulcrum may leave out. Or m-taken is made (by the
 * bridge's create) after the first walk, and the second walk misses it the same way.
 */
public final class PagedFulcrum extends Dispatcher {
  public static final String TAKEN = "taken@corp.example";
  private static final String OWNER = member("m-owner", "owner@corp.example");
  private static final String LEAVER = member("m-leaver", "leaver@corp.example");
  private static final String TAKEN_MEMBER = member("m-taken", TAKEN);
  private static final String OTHER = member("m-other", "other@corp.example");
  private static final String JOINER = member("m-joiner", "joiner@corp.example");

  private final Map<Integer, String> firstWalk;
  private final Map<Integer, String> since;
  /** How many walks, from the first, show the organization without m-taken. */
  private final int walksWithout;
  private final AtomicInteger walks = new AtomicInteger();

  private PagedFulcrum(Map<Integer, String> firstWalk, Map<Integer, String> since, int walksWithout) {
    this.firstWalk = firstWalk;
    this.since = since;
    this.walksWithout = walksWithout;
  }

  /** The organization over two pages, the first walk missing m-taken. */
  public static PagedFulcrum skippingTheNamesake(boolean givesTotalCount) {
    return overTwoPages(givesTotalCount, 1);
  }

  /** The organization over two pages, m-taken made after the first walk and missed by the second. */
  public static PagedFulcrum madeAfterTheFirstWalkAndSkippedByTheSecond() {
    return overTwoPages(true, 2);
  }

  private static PagedFulcrum overTwoPages(boolean givesTotalCount, int walksWithout) {
    Integer count = givesTotalCount ? 4 : null;
    return new PagedFulcrum(
        Map.of(1, page(List.of(OWNER, LEAVER), 1, 2, count), 2, page(List.of(OTHER, JOINER), 2, 2, count)),
        Map.of(1, page(List.of(OWNER, TAKEN_MEMBER), 1, 2, count), 2, page(List.of(OTHER, JOINER), 2, 2, count)),
        walksWithout);
  }

  /** The owner and one other member, in one page: nobody has {@link #TAKEN}. */
  public static PagedFulcrum onePageWithoutTheNamesake() {
    Map<Integer, String> only = Map.of(1, page(List.of(OWNER, OTHER), 1, 1, 2));
    return new PagedFulcrum(only, only, 1);
  }

  /** Walks through the member list so far (reads of its page 1). */
  public int listWalks() {
    return walks.get();
  }

  @Override
  public MockResponse dispatch(RecordedRequest request) {
    String path = request.getUrl().encodedPath();
    if (path.equals("/api/v2/users.json")) {
      return json("{\"user\":{\"id\":\"u-m-owner\",\"email\":\"owner@corp.example\",\"first_name\":\"O\",\"last_name\":\"W\"}}");
    }
    if (path.equals("/api/v2/roles.json")) {
      return json("{\"roles\":[{\"id\":\"r-std\",\"name\":\"Standard User\",\"is_system\":true,\"is_default\":true},"
          + "{\"id\":\"r-owner\",\"name\":\"Owner\",\"is_system\":true}],\"current_page\":1,\"total_pages\":1}");
    }
    if (path.equals("/api/v2/groups.json")) {
      return json("{\"groups\":[],\"current_page\":1,\"total_pages\":1}");
    }
    if (path.equals("/api/v2/memberships.json")) {
      int page = Integer.parseInt(request.getUrl().queryParameter("page"));
      int walk = page == 1 ? walks.incrementAndGet() : walks.get();
      return json((walk <= walksWithout ? firstWalk : since).get(page));
    }
    return new MockResponse(404, Headers.of("Content-Type", "application/json"), "{}");
  }

  /** A membership as Fulcrum lists it, with the standard role. */
  public static String member(String id, String email) {
    return "{\"id\":\"" + id + "\",\"user_id\":\"u-" + id + "\",\"email\":\"" + email
        + "\",\"first_name\":\"F\",\"last_name\":\"L\",\"role_id\":\"r-std\"}";
  }

  /** One page of the member list ({@code totalCount} null: left out). */
  public static String page(List<String> items, int current, int totalPages, Integer totalCount) {
    return "{\"memberships\":[" + String.join(",", items) + "],\"current_page\":" + current + ",\"total_pages\":"
        + totalPages + (totalCount == null ? "" : ",\"total_count\":" + totalCount) + ",\"per_page\":2}";
  }

  public static MockResponse json(String body) {
    return new MockResponse(200, Headers.of("Content-Type", "application/json"), body);
  }
}
