package com.fulcrumscim.journal;

import com.fasterxml.jackson.databind.JsonNode;

/** Who asked for a change and what they sent, for the journal. {@code body} is null for DELETE. */
public record IntakeRequest(String requestId, JsonNode body) {}
