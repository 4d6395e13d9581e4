package com.fulcrumscim.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/** A resource's document as the store holds it: for tests that rewrite it as an older release wrote it. */
public final class StoredDocs {
  private StoredDocs() {}

  public static ObjectNode user(Connection c, String id) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement("SELECT doc FROM scim_user WHERE id = ?")) {
      ps.setString(1, id);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          throw new IllegalStateException("no user " + id);
        }
        return (ObjectNode) new ObjectMapper().readTree(rs.getString(1));
      }
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException("user " + id + " has a document that is not JSON", e);
    }
  }
}
