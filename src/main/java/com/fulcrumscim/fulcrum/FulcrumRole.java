package com.fulcrumscim.fulcrum;

public record FulcrumRole(String id, String name, boolean system, boolean isDefault) {}
