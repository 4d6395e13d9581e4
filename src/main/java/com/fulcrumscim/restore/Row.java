package com.fulcrumscim.restore;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One row of the replaced database as it stands, column name to value: carried as it is, so a
 * column an older schema lacks is simply not there (the restored table's default fills it).
 */
record Row(Map<String, Object> values) {
  Row {
    values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  static Row of(ResultSet rs) throws SQLException {
    ResultSetMetaData meta = rs.getMetaData();
    Map<String, Object> values = new LinkedHashMap<>();
    for (int i = 1; i <= meta.getColumnCount(); i++) {
      values.put(meta.getColumnName(i), rs.getObject(i));
    }
    return new Row(values);
  }

  String string(String column) {
    Object v = values.get(column);
    return v == null ? null : v.toString();
  }

  /** The first of {@code columns} this row has: what names it (a link's Fulcrum id, an intent's email or name). */
  String string(String column, String otherwise) {
    return values.containsKey(column) ? string(column) : string(otherwise);
  }

  long number(String column) {
    Object v = values.get(column);
    return v == null ? 0 : ((Number) v).longValue();
  }

  /** This row without {@code columns} (an id the restored table gives itself). */
  Row without(Set<String> columns) {
    Map<String, Object> kept = new LinkedHashMap<>(values);
    kept.keySet().removeAll(columns);
    return new Row(kept);
  }

  /** This row's {@code columns} it has, alone. */
  Row only(Set<String> columns) {
    Map<String, Object> kept = new LinkedHashMap<>(values);
    kept.keySet().retainAll(columns);
    return new Row(kept);
  }

  /** This row with {@code column} set to {@code value}. */
  Row with(String column, Object value) {
    Map<String, Object> changed = new LinkedHashMap<>(values);
    changed.put(column, value);
    return new Row(changed);
  }
}
