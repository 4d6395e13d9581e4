package com.fulcrumscim.scim;

import static com.fulcrumscim.testing.ScimTestServer.Bodies.patch;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Whether a user's PUT or PATCH, read alone, deactivates: in every spelling Okta and Entra send, the last word counting. */
class RequestedDeactivationTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String DEACTIVATE = "{\"op\":\"replace\",\"path\":\"active\",\"value\":false}";

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"op\":\"replace\",\"value\":{\"active\":false}}",
      "{\"op\":\"Replace\",\"path\":\"active\",\"value\":\"False\"}",
      "{\"op\":\"add\",\"path\":\"ACTIVE\",\"value\":false}",
      "{\"op\":\"replace\",\"path\":\"urn:ietf:params:scim:schemas:core:2.0:User:active\",\"value\":false}",
      "{\"op\":\"replace\",\"value\":{\"urn:ietf:params:scim:schemas:core:2.0:User:active\":\"false\"}}",
      "{\"op\":\"replace\",\"value\":{\"urn:ietf:params:scim:schemas:core:2.0:User\":{\"active\":false}}}",
      "{\"op\":\"replace\",\"path\":\"active\",\"value\":true},{\"op\":\"replace\",\"path\":\"active\",\"value\":false}",
      "{\"op\":\"replace\",\"value\":{\"active\":false}},{\"op\":\"replace\",\"value\":{\"displayName\":\"x\"}}"})
  void aPatchThatSetsActiveFalseLastDeactivates(String operations) {
    assertThat(RequestedDeactivation.byPatch(json(patch(operations)))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"op\":\"replace\",\"path\":\"displayName\",\"value\":\"x\"}",
      "{\"op\":\"replace\",\"value\":{\"active\":true}}",
      "{\"op\":\"replace\",\"path\":\"active\",\"value\":\"no\"}",
      "{\"op\":\"replace\",\"path\":\"active\",\"value\":false},{\"op\":\"replace\",\"value\":{\"active\":\"True\"}}",
      "{\"op\":\"replace\",\"path\":\"active\",\"value\":false},{\"op\":\"remove\",\"path\":\"active\"}",
      "{\"op\":\"remove\",\"path\":\"active\",\"value\":false}",
      "{\"op\":\"replace\",\"value\":{\"active\":false,\"urn:ietf:params:scim:schemas:core:2.0:User:active\":true}}"})
  void aPatchThatLeavesActiveAloneOrSetsAnythingElseLastDoesNot(String operations) {
    assertThat(RequestedDeactivation.byPatch(json(patch(operations)))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],\"SCHEMAS\":[\"urn:x:y\"],\"Operations\":[%s]}",
      "{\"schemas\":[\"urn:ietf:params:scim:schemas:core:2.0:User\"],\"Operations\":[%s]}",
      "{\"Operations\":[%s]}"})
  void aPatchsOperationsAreReadWhateverItsSchemasSay(String envelope) {
    assertThat(RequestedDeactivation.byPatch(json(envelope.formatted(DEACTIVATE)))).isTrue();
  }

  @Test
  void aPatchWhoseOperationsAreAGuessIsNotRead() {
    assertThat(RequestedDeactivation.byPatch(json("{\"schemas\":[\"urn:ietf:params:scim:api:messages:2.0:PatchOp\"],"
        + "\"Operations\":[" + DEACTIVATE + "],\"operations\":[]}"))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"op\":null,\"path\":\"active\",\"value\":false}",
      "{\"path\":\"active\",\"value\":false}",
      "{\"op\":\"delete\",\"path\":\"active\",\"value\":false}",
      "{\"op\":\"replace\",\"path\":\"active\",\"value\":false},{\"op\":7,\"path\":\"displayName\",\"value\":\"x\"}"})
  void aPatchHoldingAnOperationNoPatchMayHoldIsNotRead(String operations) {
    assertThat(RequestedDeactivation.byPatch(json(patch(operations)))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {
      "{\"op\":\"replace\",\"path\":\"active\",\"value\":false,\"VALUE\":true}",
      "{\"op\":\"replace\",\"value\":{\"active\":false,\"ACTIVE\":true}}"})
  void aPatchNamingAMemberInTwoCasesIsNotRead(String operations) {
    assertThat(RequestedDeactivation.byPatch(json(patch(operations)))).isFalse();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{\"active\":false}", "{\"Active\":\"FALSE\"}",
      "{\"urn:ietf:params:scim:schemas:core:2.0:User\":{\"active\":false}}"})
  void aPutWithActiveFalseDeactivates(String body) {
    assertThat(RequestedDeactivation.byPut(json(body))).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"{}", "{\"active\":true}", "{\"active\":false,\"Active\":false}", "{\"active\":0}", "{\"active\":null}", "[]"})
  void aPutWithoutActiveFalseDoesNot(String body) {
    assertThat(RequestedDeactivation.byPut(json(body))).isFalse();
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (java.io.IOException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
