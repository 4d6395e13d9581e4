package com.fulcrumscim.fulcrum;

/**
 * The account behind the API token ({@code users.json}); its membership is never removed.
 * {@code organization}: the token's current_organization, null when Fulcrum's answer does not say
 * (the contract tolerates a shape it does not document).
 */
public record FulcrumUser(String id, String email, String firstName, String lastName, FulcrumOrganization organization) {
  public FulcrumUser(String id, String email, String firstName, String lastName) {
    this(id, email, firstName, lastName, null);
  }
}
