package com.fulcrumscim.fulcrum;

/** The account behind the API token ({@code users.json}); its membership is never removed. */
public record FulcrumUser(String id, String email, String firstName, String lastName) {}
