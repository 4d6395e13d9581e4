package com.fulcrumscim.fulcrum;

/** The organization an API token acts in ({@code users.json}'s current_organization): what the links point into. */
public record FulcrumOrganization(String id, String name) {
  /** For log lines and status: the name, then the id that tells two of one name apart. */
  public String describe() {
    return "\"" + name + "\" (id " + id + ")";
  }
}
