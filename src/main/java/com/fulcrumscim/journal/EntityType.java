package com.fulcrumscim.journal;

public enum EntityType {
  USER,
  GROUP
}
