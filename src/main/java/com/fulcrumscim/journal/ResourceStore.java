package com.fulcrumscim.journal;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fulcrumscim.db.Dialect;
import com.fulcrumscim.journal.StoredResource.Reference;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.text.Normalizer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * SQL for one desired-state table (scim_user or scim_group). Reads take any connection; writes are
 * called by {@link Intake} inside its transaction. Subclasses say which columns a document fills
 * and how memberships are read and written.
 */
public abstract sealed class ResourceStore permits UserStore, GroupStore {
  private static final String COLUMNS = "seq, id, doc, version, created_at, updated_at";

  protected final ObjectMapper json;
  private final EntityType type;
  private final String table;
  private final String nameColumn;
  private final String nameKeyColumn;
  private final String nameAttribute;
  /** What a list may be sorted by, by the attribute's name in lower case: see {@link #order}. */
  private final Map<String, Sort> sortable;
  private final String insertSql;
  private final String updateSql;

  /**
   * {@code columns}: those besides seq, id, doc, version and the times that a document fills, in
   * the order of {@link Row#values}; {@code stamps}: what the subclass writes with them.
   */
  ResourceStore(ObjectMapper json, EntityType type, String table, String nameAttribute, String nameColumn,
      List<String> columns, Stamps stamps, List<Sort> extraSortable) {
    this.json = json;
    this.type = type;
    this.table = table;
    this.nameAttribute = nameAttribute;
    this.nameColumn = nameColumn;
    this.nameKeyColumn = nameColumn + "_key";
    List<Sort> sorts = new ArrayList<>();
    sorts.add(new Sort("id", "id", false));
    sorts.add(new Sort("externalId", "external_id", false));
    sorts.add(new Sort(nameAttribute, nameKeyColumn, true));
    sorts.addAll(extraSortable);
    sorts.add(new Sort("meta.created", "created_at", false));
    sorts.add(new Sort("meta.lastModified", "updated_at", false));
    Map<String, Sort> byName = new LinkedHashMap<>();
    sorts.forEach(sort -> byName.put(sort.attribute().toLowerCase(Locale.ROOT), sort));
    this.sortable = Collections.unmodifiableMap(byName);
    List<String> inserted = new ArrayList<>(columns);
    inserted.addAll(stamps.insertColumns());
    this.insertSql = "INSERT INTO " + table + " (id, doc, version, created_at, updated_at, "
        + String.join(", ", inserted) + ") VALUES (?, ?, 1, ?, ?" + ", ?".repeat(inserted.size()) + ") RETURNING seq";
    this.updateSql = "UPDATE " + table + " SET doc = ?, version = version + 1, updated_at = ?, "
        + columns.stream().map(col -> col + " = ?").collect(Collectors.joining(", "))
        + (stamps.updateAssignments().isEmpty() ? "" : ", " + stamps.updateAssignments()) + " WHERE id = ? AND version = ?";
  }

  /**
   * What a subclass writes into the row besides the document's columns (a user's access times),
   * in the very INSERT or UPDATE that writes the document rather than in a statement of its own:
   * on SQLite every write runs on the one writer thread that all requests wait for.
   * {@code insertColumns} take the values {@link #bindInsertStamps} binds; {@code updateAssignments}
   * are SET terms, with the parameters {@link #bindUpdateStamps} binds, that may read the row's
   * columns as they were before the UPDATE (SQLite and PostgreSQL evaluate every SET term before
   * assigning any).
   */
  record Stamps(List<String> insertColumns, String updateAssignments) {
    static final Stamps NONE = new Stamps(List.of(), "");
  }

  /** Binds the values of {@link Stamps#insertColumns} from {@code first} for {@code row} inserted at {@code now}; returns the next index. */
  int bindInsertStamps(PreparedStatement ps, int first, Row row, long now) throws SQLException {
    return first;
  }

  /**
   * Binds the parameters of {@link Stamps#updateAssignments} from {@code first} for {@code row} written
   * over {@code old} at {@code now}; returns the next index.
   */
  int bindUpdateStamps(PreparedStatement ps, int first, StoredResource old, Row row, long now) throws SQLException {
    return first;
  }

  public EntityType type() {
    return type;
  }

  /**
   * An attribute a list may be sorted by (its SCIM path, as the schema spells it), the column or
   * {@code doc.<attribute>} holding it, and whether that column holds it folded already (a name
   * key: lower-cased in Java, and unique-indexed as such).
   */
  record Sort(String attribute, String column, boolean keyed) {}

  /**
   * The order for attribute {@code sortBy} (its SCIM path, names case-insensitive), or empty if it
   * cannot be sorted on. {@code caseInsensitive}: the attribute is a string that is not caseExact
   * (RFC 7644 §3.4.2.3), sorted with its case folded; a name key is folded already.
   */
  public Optional<ListOrder> order(String sortBy, boolean caseInsensitive, boolean descending) {
    Sort sort = sortable.get(sortBy.toLowerCase(Locale.ROOT));
    return Optional.ofNullable(sort).map(s -> new ListOrder(s.column(), caseInsensitive && !s.keyed(), descending));
  }

  /** The attributes {@link #order} takes, as the schema spells them: what an error and the README name. */
  public List<String> sortable() {
    return sortable.values().stream().map(Sort::attribute).toList();
  }

  // ---- reads

  public Optional<StoredResource> find(Connection c, String id, boolean withReferences) throws SQLException {
    return where(c, LookupColumn.ID, id, ListOrder.CREATION, withReferences).stream().findFirst();
  }

  /**
   * The row with its memberships, locked until the write transaction of {@code c} ends (see
   * {@link Dialect#lockSelected}): what an update computed inside its write, or a delete, changes.
   */
  Optional<StoredResource> locked(Connection c, String id) throws SQLException {
    return query(c, "WHERE id = ?" + Dialect.of(c).lockSelected(), true, id).stream().findFirst();
  }

  public long count(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + table);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * Rows whose indexed {@code column} equals {@code value}; NAME compares case-insensitively and
   * in either Unicode spelling (see {@link #keys}).
   */
  public List<StoredResource> where(Connection c, LookupColumn column, String value, ListOrder order,
      boolean withReferences) throws SQLException {
    List<String> bound = switch (column) {
      case ID, EXTERNAL_ID -> List.of(value);
      case NAME -> keys(value);
    };
    String sqlColumn = switch (column) {
      case ID -> "id";
      case EXTERNAL_ID -> "external_id";
      case NAME -> nameKeyColumn;
    };
    return query(c, "WHERE " + sqlColumn + " IN " + Dialect.placeholders(bound.size()) + " ORDER BY "
        + order.sql(Dialect.of(c)), withReferences, bound.toArray());
  }

  /** {@code limit} rows from {@code offset} (0-based) in {@code order}. */
  public List<StoredResource> page(Connection c, ListOrder order, long offset, int limit, boolean withReferences)
      throws SQLException {
    return query(c, "ORDER BY " + order.sql(Dialect.of(c)) + " LIMIT ? OFFSET ?", withReferences, limit, offset);
  }

  /** {@code limit} rows in creation order whose seq is above {@code seq}: keyset paging, as cheap deep as shallow. */
  public List<StoredResource> after(Connection c, long seq, int limit, boolean withReferences) throws SQLException {
    return query(c, "WHERE seq > ? ORDER BY seq LIMIT ?", withReferences, seq, limit);
  }

  /** The seq of the row {@code offset} rows into creation order; walks the narrow seq index, not the documents. */
  public Optional<Long> seqAt(Connection c, long offset) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT seq FROM " + Dialect.of(c).tableUsingIndex(table, table + "_seq") + " ORDER BY seq LIMIT 1 OFFSET ?")) {
      ps.setLong(1, offset);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
      }
    }
  }

  /** The highest seq in the table, 0 when it is empty: one step down the seq index. */
  public long maxSeq(Connection c) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT max(seq) FROM " + table);
        ResultSet rs = ps.executeQuery()) {
      return rs.next() ? rs.getLong(1) : 0;
    }
  }

  /**
   * How many rows have a seq above {@code seq}, counting no further than {@code limit}: a walk of
   * at most {@code limit} entries of the seq index.
   */
  public long countAbove(Connection c, long seq, long limit) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT count(*) FROM (SELECT seq FROM " + table + " WHERE seq > ? ORDER BY seq LIMIT ?) above")) {
      ps.setLong(1, seq);
      ps.setLong(2, limit);
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getLong(1) : 0;
      }
    }
  }

  /** Visits every row in {@code order} (filters no index serves). */
  public void scan(Connection c, ListOrder order, boolean withReferences, Consumer<StoredResource> visitor)
      throws SQLException {
    int batch = 500;
    long offset = 0;
    long lastSeq = 0;
    while (true) {
      // creation order continues after the last seq seen, so a long scan never re-skips rows
      List<StoredResource> rows = order.equals(ListOrder.CREATION) ? after(c, lastSeq, batch, withReferences)
          : page(c, order, offset, batch, withReferences);
      rows.forEach(visitor);
      if (rows.size() < batch) {
        return;
      }
      offset += batch;
      lastSeq = rows.get(rows.size() - 1).seq();
    }
  }

  private List<StoredResource> query(Connection c, String tail, boolean withReferences, Object... params)
      throws SQLException {
    List<StoredResource> rows = new ArrayList<>();
    try (PreparedStatement ps = c.prepareStatement("SELECT " + COLUMNS + " FROM " + table + " " + tail)) {
      for (int i = 0; i < params.length; i++) {
        ps.setObject(i + 1, params[i]);
      }
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          rows.add(new StoredResource(type, rs.getLong("seq"), rs.getString("id"), parse(rs.getString("doc")),
              List.of(), rs.getLong("version"), Instant.ofEpochMilli(rs.getLong("created_at")),
              Instant.ofEpochMilli(rs.getLong("updated_at"))));
        }
      }
    }
    if (!withReferences || rows.isEmpty()) {
      return rows;
    }
    Map<String, List<Reference>> refs = references(c, rows.stream().map(StoredResource::id).toList());
    return rows.stream().map(r -> r.withReferences(refs.getOrDefault(r.id(), List.of()))).toList();
  }

  private ObjectNode parse(String doc) {
    try {
      return (ObjectNode) json.readTree(doc);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(type + " document in the database is not JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * SELECT (this side's id, other side's id, other side's display) for the ids in the {@code %s}
   * list, ordered by the other side's id.
   */
  abstract String referencesQuery();

  private List<Reference> references(Connection c, String id) throws SQLException {
    return references(c, List.of(id)).getOrDefault(id, List.of());
  }

  /** Memberships of {@code ids}, keyed by id. */
  private Map<String, List<Reference>> references(Connection c, List<String> ids) throws SQLException {
    Map<String, List<Reference>> out = new HashMap<>();
    try (PreparedStatement ps = c.prepareStatement(String.format(referencesQuery(), Dialect.placeholders(ids.size())))) {
      bind(ps, 1, new ArrayList<>(ids));
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Reference(rs.getString(2), rs.getString(3)));
        }
      }
    }
    return out;
  }

  static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  /**
   * The keys a name may be stored under: that of its composed (NFC) spelling, which the SCIM layer
   * stores, and that of its decomposed (NFD) one, which a release before it stored as sent.
   */
  static List<String> keys(String name) {
    String composed = key(Normalizer.normalize(name, Normalizer.Form.NFC));
    String decomposed = key(Normalizer.normalize(name, Normalizer.Form.NFD));
    return composed.equals(decomposed) ? List.of(composed) : List.of(composed, decomposed);
  }

  // ---- writes (inside Intake's transaction)

  /**
   * What {@code doc} writes, worked out on the caller's thread: everything inside a write runs on
   * the one writer thread that every request waits for, so a document is turned into text and
   * column values before it gets there.
   */
  abstract Row row(ObjectNode doc);

  /** Checks and writes what lives outside the row (group members); {@code doc} is the whole new document. */
  abstract void writeRelated(Connection c, String id, ObjectNode doc) throws SQLException;

  /**
   * A normalized document ready to write: {@code stored} (the doc column's document), its
   * {@code json} text and that text's size in UTF-8 {@code bytes}, the unique {@code name}, the
   * {@code values} of the columns the subclass named (in that order), and {@code activeEmail}, the
   * email no other active user may have (null when it claims none).
   */
  record Row(ObjectNode doc, ObjectNode stored, String json, int bytes, String name, List<Object> values,
      String activeEmail) {}

  final Row row(ObjectNode doc, ObjectNode stored, String name, List<Object> values, String activeEmail) {
    String text = stored.toString();
    return new Row(doc, stored, text, DocumentBound.utf8Length(text), name, values, activeEmail);
  }

  /** True when {@code doc} would change what {@code old} holds (document or memberships). */
  abstract boolean differs(StoredResource old, ObjectNode doc);

  /**
   * Inserts a normalized document under {@code id} and returns the row as committed. Intake
   * calls it inside its transaction; called alone it skips the journal and the work queue
   * (seeding benchmarks does that).
   */
  public StoredResource insert(Connection c, String id, ObjectNode doc, long now) throws SQLException {
    return insert(c, id, row(doc), now);
  }

  /** {@link #insert(Connection, String, ObjectNode, long)} of a document made ready with {@link #row}. */
  StoredResource insert(Connection c, String id, Row row, long now) throws SQLException {
    Dialect.of(c).appendInOrder(c, table);
    requireUniqueName(c, row, id);
    takeTurnsForFields(c, row, null);
    requireUniqueFields(c, row, id, null);
    long seq;
    try (PreparedStatement ps = c.prepareStatement(insertSql)) {
      ps.setString(1, id);
      ps.setString(2, row.json());
      ps.setLong(3, now);
      ps.setLong(4, now);
      bindInsertStamps(ps, bind(ps, 5, row.values()), row, now);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        seq = rs.getLong(1);
      }
    } catch (SQLException e) {
      throw takenOr(e, row);
    }
    writeRelated(c, id, row.doc());
    List<Reference> refs = hasReferencesWhenNew() ? references(c, id) : List.of();
    Instant at = Instant.ofEpochMilli(now);
    return new StoredResource(type, seq, id, row.stored(), refs, 1, at, at);
  }

  /** Whether a just-created resource can already have memberships (a group's members can; a user's groups cannot). */
  abstract boolean hasReferencesWhenNew();

  /**
   * Writes {@code row} over the stored one if that is still {@code old} (its version); false (nothing
   * written) when another writer moved it on. The check is in the UPDATE itself: on PostgreSQL two
   * nodes may read the same version, and the row lock makes the second UPDATE see the first's new version.
   */
  boolean update(Connection c, StoredResource old, Row row, long now) throws SQLException {
    String id = old.id();
    takeTurnsForFields(c, row, old);
    try (PreparedStatement ps = c.prepareStatement(updateSql)) {
      ps.setString(1, row.json());
      ps.setLong(2, now);
      int next = bindUpdateStamps(ps, bind(ps, 3, row.values()), old, row, now);
      ps.setString(next, id);
      ps.setLong(next + 1, old.version());
      if (ps.executeUpdate() == 0) {
        return false;
      }
    } catch (SQLException e) {
      throw takenOr(e, row);
    }
    // After the version check: a document made on an older version is computed again, not refused
    // for a name that version had. A refusal here rolls the update back with the rest of the write.
    // The name needs no query: the UPDATE above failed on the name key's unique index if it was taken.
    requireUniqueFields(c, row, id, old);
    writeRelated(c, id, row.doc());
    return true;
  }

  /**
   * The resource as {@link #update} just committed it over {@code old}: the row is what was
   * written (no read back and parse on the writer), the memberships are read, since other writes
   * change them without moving this resource's version.
   */
  StoredResource updated(Connection c, StoredResource old, Row row, long now) throws SQLException {
    return new StoredResource(type, old.seq(), old.id(), row.stored(), references(c, old.id()), old.version() + 1,
        old.created(), Instant.ofEpochMilli(now));
  }

  /** Deletes the row if it is still at {@code version}; false when another writer moved it on. */
  boolean delete(Connection c, String id, long version) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE id = ? AND version = ?")) {
      ps.setString(1, id);
      ps.setLong(2, version);
      return ps.executeUpdate() == 1;
    }
  }

  /**
   * A unique index refused the write: a writer on another node took the name (or email) between
   * this one's check and its write. On SQLite the check runs under the one writer and this never happens.
   * Or PostgreSQL's index could not hold a value (an entry is at most 2,704 bytes): the SCIM layer
   * bounds these attributes far below that, so this only stands behind it, as a refusal, not a 500.
   */
  private SQLException takenOr(SQLException e, Row row) {
    if (Dialect.isTooLargeToIndex(e)) {
      throw new IntakeRejected(IntakeRejected.Reason.TOO_LARGE, "the " + type.name().toLowerCase(Locale.ROOT)
          + " holds a value too long for the database to index (userName, displayName, externalId or an email; "
          + "a few hundred characters are accepted)");
    }
    if (!Dialect.isUniqueViolation(e)) {
      return e;
    }
    // the active-email index of db/postgresql/V001__init.sql; the name key's is the other one
    throw new IntakeRejected(IntakeRejected.Reason.NAME_TAKEN, Dialect.violatedConstraint(e).equals("scim_user_active_email")
        ? "email is already the email of another active user (Fulcrum compares emails case-insensitively)"
        : nameAttribute + " '" + row.name() + "' is already taken (compared case-insensitively)");
  }

  /** A change that others see through memberships: new version, new lastModified. */
  void touch(Connection c, List<String> ids, long now) throws SQLException {
    if (ids.isEmpty()) {
      return;
    }
    try (PreparedStatement ps = c.prepareStatement("UPDATE " + table
        + " SET version = version + 1, updated_at = ? WHERE id IN " + Dialect.placeholders(ids.size()))) {
      ps.setLong(1, now);
      bind(ps, 2, new ArrayList<>(ids));
      ps.executeUpdate();
    }
  }

  /**
   * Uniqueness besides the name that Fulcrum would otherwise refuse later, of {@code row} written as
   * {@code id} over {@code old} (null: a new resource); none by default.
   */
  void requireUniqueFields(Connection c, Row row, String id, StoredResource old) throws SQLException {}

  /**
   * Waits for other writes checking what {@link #requireUniqueFields} checks of {@code row} over
   * {@code old} (null: a new resource), before the write puts anything in an index; none by default.
   */
  void takeTurnsForFields(Connection c, Row row, StoredResource old) throws SQLException {}

  private void requireUniqueName(Connection c, Row row, String id) throws SQLException {
    String name = row.name();
    List<String> keys = keys(name);
    try (PreparedStatement ps = c.prepareStatement(
        "SELECT id FROM " + table + " WHERE " + nameKeyColumn + " IN " + Dialect.placeholders(keys.size())
            + " AND id <> ?")) {
      int next = bind(ps, 1, new ArrayList<>(keys));
      ps.setString(next, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (rs.next()) {
          throw new IntakeRejected(IntakeRejected.Reason.NAME_TAKEN, nameAttribute + " '" + name + "' is already taken by "
              + type.name().toLowerCase(Locale.ROOT) + " " + rs.getString(1) + " (compared case-insensitively)");
        }
      }
    }
  }

  static int bind(PreparedStatement ps, int first, List<Object> values) throws SQLException {
    int i = first;
    for (Object v : values) {
      ps.setObject(i++, v);
    }
    return i;
  }

  String nameColumn() {
    return nameColumn;
  }
}
