package com.fulcrumscim.scim.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fulcrumscim.scim.ScimException;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

/** The one assertion every spec of bad input makes: a 400 with this scimType and detail. */
public final class ScimAssertions {
  private ScimAssertions() {}

  public static void assertBadRequest(ThrowingCallable call, String scimType, String detail) {
    assertThatThrownBy(call).isInstanceOfSatisfying(ScimException.class, e -> {
      assertThat(e.status()).isEqualTo(400);
      assertThat(e.scimType()).isEqualTo(scimType);
      assertThat(e.detail()).contains(detail);
    });
  }
}
