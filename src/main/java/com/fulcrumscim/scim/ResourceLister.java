package com.fulcrumscim.scim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Database;
import com.fulcrumscim.journal.ListOrder;
import com.fulcrumscim.journal.LookupColumn;
import com.fulcrumscim.journal.ResourceStore;
import com.fulcrumscim.journal.StoredResource;
import com.fulcrumscim.scim.filter.Filter;
import com.fulcrumscim.scim.filter.FilterEvaluator;
import com.fulcrumscim.scim.filter.FilterParser;
import com.fulcrumscim.scim.filter.IndexedLookup;
import com.fulcrumscim.scim.schema.AttributeDef;
import com.fulcrumscim.scim.schema.ResolvedAttribute;
import java.sql.Connection;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;
import java.util.function.Predicate;

/**
 * Serves list requests. Without a filter: count plus one page, by keyset in creation order.
 * {@code userName eq}, {@code externalId eq}, {@code id eq} (and a group's {@code displayName eq})
 * are served from their indexes; any other filter is evaluated over a scan in the list order.
 */
final class ResourceLister {
  /**
   * Evaluations ({@code FilterEvaluator.cost}) a filter may cost beyond {@link #EVALUATIONS_PER_ROW}
   * per row it is tested on. A scan costs what the rows cost to read; the filter may add to that
   * only so much, however long the values it compares or however many terms it has.
   */
  static final long MAX_EVALUATION_COST = 1_000_000;
  /** Far more than a filter of a few terms on short values costs a row (Entra's email lookup: 2 per email). */
  static final long EVALUATIONS_PER_ROW = 64;

  record Page(long totalResults, List<ObjectNode> resources) {}

  private final Database db;
  private final PageCursors cursors;

  ResourceLister(Database db, PageCursors cursors) {
    this.db = db;
    this.cursors = cursors;
  }

  Page list(ResourceKind kind, ListRequest q, String baseUrl) {
    ListOrder order = q.sortBy() == null ? (q.descending() ? new ListOrder("seq", false, true) : ListOrder.CREATION)
        : order(kind, q.sortBy(), q.descending());
    return q.filter() == null ? unfiltered(kind, q, order, baseUrl) : filtered(kind, q, order, baseUrl);
  }

  /**
   * The order for {@code sortBy}, plain or schema-qualified ({@code urn:...:core:2.0:User:userName}):
   * by its path as the schema spells it, a string that is not caseExact sorted case-insensitively
   * (RFC 7644 §3.4.2.3). One the store cannot sort by is 400 invalidValue naming those it can.
   */
  private static ListOrder order(ResourceKind kind, String sortBy, boolean descending) {
    Optional<ResolvedAttribute> attribute = kind.schema().resolve(sortBy);
    return attribute.flatMap(a -> kind.store().order(a.path(),
            a.leaf().type() == AttributeDef.Type.STRING && !a.leaf().caseExact(), descending))
        .orElseThrow(() -> ScimException.invalidValue("cannot sort " + kind.endpoint() + " by '" + sortBy + "'; sortable: "
            + String.join(", ", kind.store().sortable())));
  }

  private Page unfiltered(ResourceKind kind, ListRequest q, ListOrder order, String baseUrl) {
    boolean refs = q.projection().wants(kind.referenceAttribute());
    // Count, cursor check and page from one read, one snapshot: totalResults agrees with the page,
    // and a cursor is checked against the rows it is used on.
    return db.read(c -> {
      long total = kind.store().count(c);
      List<StoredResource> rows = q.count() == 0 || q.startIndex() > total ? List.of()
          : order.equals(ListOrder.CREATION) ? creationPage(c, kind, q, refs, total)
          : kind.store().page(c, order, q.startIndex() - 1, q.count(), refs);
      return new Page(total, rows.stream().map(r -> q.projection().apply(kind.render(r, baseUrl, refs))).toList());
    });
  }

  /**
   * Every candidate is rendered (with meta) and tested; totals are exact. Memberships are read only
   * when the filter tests them or the response shows them: Entra looks a group up by displayName with
   * {@code excludedAttributes=members}, and a large group's members would be read only to be dropped.
   */
  private Page filtered(ResourceKind kind, ListRequest q, ListOrder order, String baseUrl) {
    Filter filter = FilterParser.parse(q.filter());
    Optional<IndexedLookup> lookup = IndexedLookup.of(filter, kind.schema());
    Optional<LookupColumn> column = lookup.flatMap(l -> column(l.column()));
    boolean evaluate = column.isEmpty() || lookup.get().residualRequired();
    boolean shown = q.projection().wants(kind.referenceAttribute());
    boolean read = shown || evaluate && FilterEvaluator.reads(filter, kind.schema(), kind.referenceAttribute());
    // Count, page and budget are made inside the read: on PostgreSQL a read that lost its connection
    // part way runs again from the start, and rows the lost attempt visited must not count twice.
    return db.read(c -> {
      Matches matches = new Matches(kind, q, baseUrl, filter, evaluate, shown);
      if (column.isPresent()) {
        kind.store().where(c, column.get(), lookup.get().value(), order, read).forEach(matches::visit);
      } else {
        kind.store().scan(c, order, read, matches::visit);
      }
      return matches.page();
    });
  }

  /** One attempt of a filtered list: the rows that matched so far, the page they fill, and what the filter cost. */
  private static final class Matches {
    private final ResourceKind kind;
    private final ListRequest q;
    private final String baseUrl;
    private final boolean evaluate;
    private final boolean shown;
    private final Budget budget = new Budget();
    private final Predicate<JsonNode> filter;
    private final List<ObjectNode> page = new ArrayList<>();
    private long total;

    /** {@code shown}: whether the page shows memberships (and its versions digest them, as a GET by id's). */
    Matches(ResourceKind kind, ListRequest q, String baseUrl, Filter filter, boolean evaluate, boolean shown) {
      this.kind = kind;
      this.q = q;
      this.baseUrl = baseUrl;
      this.evaluate = evaluate;
      this.shown = shown;
      // IndexedLookup.of validated the filter already: an index lookup with nothing left to test
      // needs no second compile.
      this.filter = evaluate ? FilterEvaluator.compile(filter, kind.schema(), budget) : r -> true;
    }

    void visit(StoredResource r) {
      ObjectNode tested = kind.render(r, baseUrl, true);
      if (!shown) {
        // meta.version is tested as the page shows it: without memberships, so without their digest.
        ((ObjectNode) tested.get("meta")).put("version", ETags.of(r, false));
      }
      budget.allowed += EVALUATIONS_PER_ROW;
      if (!evaluate || filter.test(tested)) {
        total++;
        if (total >= q.startIndex() && page.size() < q.count()) {
          page.add(q.projection().apply(shown ? tested : kind.render(r, baseUrl, false)));
        }
      }
    }

    Page page() {
      return new Page(total, page);
    }
  }

  /** What one list request's filter has cost so far, and may. */
  private static final class Budget implements LongConsumer {
    long allowed = MAX_EVALUATION_COST;
    long spent;

    @Override
    public void accept(long evaluations) {
      spent += evaluations;
      if (spent > allowed) {
        throw ScimException.tooMany("this filter costs more than one request may (" + allowed
            + " evaluations here; a long string, a long co string or a value filter over many values counts as "
            + "several); use fewer terms or shorter strings");
      }
    }
  }

  /**
   * The page starting at startIndex in creation order: after a remembered cursor that still
   * holds, else found on the seq index. {@code total} is the row count in this snapshot.
   */
  private List<StoredResource> creationPage(Connection c, ResourceKind kind, ListRequest q, boolean refs, long total)
      throws java.sql.SQLException {
    ResourceStore store = kind.store();
    long start = q.startIndex();
    Optional<Long> after = start == 1 ? Optional.of(0L) : Optional.empty();
    Optional<PageCursors.Cursor> cursor = start == 1 ? Optional.empty() : cursors.at(kind.type(), start);
    if (cursor.isPresent() && holds(c, store, cursor.get(), total, start)) {
      after = Optional.of(cursor.get().afterSeq());
    }
    if (after.isEmpty()) {
      after = store.seqAt(c, start - 2);
    }
    if (after.isEmpty()) {
      return List.of();
    }
    List<StoredResource> rows = store.after(c, after.get(), q.count(), refs);
    long next = start + rows.size();
    if (!rows.isEmpty() && next <= total) {
      cursors.remember(kind.type(), next,
          new PageCursors.Cursor(rows.get(rows.size() - 1).seq(), total, store.maxSeq(c)));
    }
    return rows;
  }

  /**
   * Whether every row the cursor was made over is still there, so its position is still right.
   * A new row always gets a seq above every existing one (AUTOINCREMENT; on PostgreSQL an identity
   * taken under {@code Dialect.appendInOrder}'s lock), so no row at or below {@code maxSeq} can
   * have appeared: they are all still there exactly when the rows above {@code maxSeq} account for
   * all the growth of the total. Counting those costs one index step per row added since the
   * cursor was made; when that is more than finding the page by offset, the offset is used.
   */
  private static boolean holds(Connection c, ResourceStore store, PageCursors.Cursor cursor, long total, long start)
      throws java.sql.SQLException {
    long added = total - cursor.total();
    return added >= 0 && added <= start && store.countAbove(c, cursor.maxSeq(), added + 1) == added;
  }

  /** The store's name for the model's indexed column; empty (scan) for one it does not know. */
  private static Optional<LookupColumn> column(String sqlColumn) {
    return switch (sqlColumn) {
      case "id" -> Optional.of(LookupColumn.ID);
      case "external_id" -> Optional.of(LookupColumn.EXTERNAL_ID);
      case "user_name_key", "display_name_key" -> Optional.of(LookupColumn.NAME);
      default -> Optional.empty();
    };
  }

}
