package com.fulcrumscim.fulcrum.emulator;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The organization an emulator starts with, besides its four system roles and its token owner
 * (an Owner member made from the builder's owner email). Every key is optional; unknown keys are
 * an error, so a typo cannot silently seed less than meant. Ids left out are generated.
 *
 * <pre>{@code
 * {
 *   "organization_name": "Demo Org",
 *   "roles": [                                   // custom roles, besides the four system roles
 *     {"id": "r-lead", "name": "Field Lead", "permissions": ["can_create_records"], "is_default": false}
 *   ],
 *   "members": [
 *     {"id": "m-1", "user_id": "u-1", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee",
 *      "role": "Manager",          // a role name (any case) or id; left out: the default role
 *      "managed": true,             // mimics a member Fulcrum's own SSO provisioned (default false)
 *      "status": "active"}          // active (default), inactive or pending
 *   ],
 *   "groups": [
 *     {"id": "g-1", "name": "Field Crew", "description": "Unmanaged crew",
 *      "members": ["ann@example.com", "m-1"]}   // member emails (any case) or membership ids
 *   ]
 * }
 * }</pre>
 */
public record Seed(String organizationName, List<SeedRole> roles, List<SeedMember> members, List<SeedGroup> groups) {

  public Seed {
    organizationName = organizationName == null ? "Emulated Organization" : organizationName;
    roles = roles == null ? List.of() : List.copyOf(roles);
    members = members == null ? List.of() : List.copyOf(members);
    groups = groups == null ? List.of() : List.copyOf(groups);
  }

  public record SeedRole(String id, String name, List<String> permissions, @JsonProperty("is_default") boolean isDefault) {
    public SeedRole {
      permissions = permissions == null ? List.of() : List.copyOf(permissions);
    }
  }

  public record SeedMember(
      String id, String userId, String email, String firstName, String lastName, String role, boolean managed, String status) {}

  public record SeedGroup(String id, String name, String description, List<String> members) {
    public SeedGroup {
      members = members == null ? List.of() : List.copyOf(members);
    }
  }

  /** An organization with nobody but the token owner. */
  public static Seed empty() {
    return new Seed(null, null, null, null);
  }

  /** The small unmanaged org the shipped config runs against (resource emulator/demo-seed.json). */
  public static Seed demo() {
    String resource = "emulator/demo-seed.json";
    try (InputStream in = Seed.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new SeedException(resource, "missing from the classpath");
      }
      return parse(in.readAllBytes(), resource);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Reads a seed file; any problem is a {@link SeedException} with a one-line message. */
  public static Seed load(Path file) {
    try {
      return parse(Files.readAllBytes(file), file.toString());
    } catch (NoSuchFileException e) {
      throw new SeedException(file.toString(), "no such file");
    } catch (IOException e) {
      throw new SeedException(file.toString(), "cannot read: " + e.getMessage());
    }
  }

  static Seed parse(byte[] json, String source) {
    try {
      Seed seed = Json.MAPPER.readValue(json, Seed.class);
      if (seed == null) {
        throw new SeedException(source, "the file is empty");
      }
      return seed;
    } catch (JsonProcessingException e) {
      throw new SeedException(source, Json.oneLine(e));
    } catch (IOException e) {
      throw new SeedException(source, "cannot read: " + e.getMessage());
    }
  }

  /** Puts this seed into {@code org}, which already holds the token owner. */
  void applyTo(OrgState org, String source) {
    for (int i = 0; i < roles.size(); i++) {
      SeedRole r = roles.get(i);
      at(source, "roles[" + i + "]", () -> {
        require(r.name(), "name");
        Set<String> unknown = new HashSet<>(r.permissions());
        unknown.removeAll(Role.FLAGS);
        if (!unknown.isEmpty()) {
          throw ApiError.invalid("role", "permissions", "has unknown flags " + unknown + "; known: " + Role.FLAGS);
        }
        org.addRole(r.id(), r.name(), r.isDefault(), Set.copyOf(r.permissions()));
      });
    }
    for (int i = 0; i < members.size(); i++) {
      SeedMember m = members.get(i);
      at(source, "members[" + i + "] (" + m.email() + ")", () -> {
        String roleId = m.role() == null ? null : org.role(m.role()).or(() -> org.roleNamed(m.role())).map(Role::id)
            .orElseThrow(() -> ApiError.invalid("member", "role", "'" + m.role() + "' is neither a role name nor a role id"));
        String status = m.status() == null ? "active" : m.status();
        if (!Set.of("active", "inactive", "pending").contains(status)) {
          throw ApiError.invalid("member", "status", "is one of active, inactive, pending, not '" + status + "'");
        }
        org.insertMember(m.id(), m.userId(), m.email(), m.firstName(), m.lastName(), roleId, m.managed(), status);
      });
    }
    for (int i = 0; i < groups.size(); i++) {
      SeedGroup g = groups.get(i);
      at(source, "groups[" + i + "] (" + g.name() + ")", () -> {
        List<String> ids = g.members().stream().map(ref -> memberId(org, ref)).toList();
        Group created = org.createGroup(g.id(), g.name(), g.description(), false);
        org.changeGroupMembers(created.id(), ids, List.of());
      });
    }
  }

  private static String memberId(OrgState org, String ref) {
    if (org.hasMember(ref)) {
      return ref;
    }
    return org.memberByEmail(ref)
        .map(Member::id)
        .orElseThrow(() -> ApiError.invalid("group", "members", "'" + ref + "' is neither a member's email nor a membership id"));
  }

  private static void require(String value, String field) {
    if (value == null || value.isBlank()) {
      throw ApiError.invalid("seed", field, "can't be blank");
    }
  }

  private static void at(String source, String where, Runnable step) {
    try {
      step.run();
    } catch (ApiError e) {
      throw new SeedException(source, where + ": " + e.getMessage());
    }
  }
}
