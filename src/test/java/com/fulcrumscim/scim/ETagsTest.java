package com.fulcrumscim.scim;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.StoredResource;
import com.fulcrumscim.journal.StoredResource.Reference;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ETagsTest {
  static StoredResource user(long version, List<Reference> refs) {
    return new StoredResource(EntityType.USER, 1, "u", JsonNodeFactory.instance.objectNode(), refs, version,
        Instant.EPOCH, Instant.EPOCH);
  }

  @Test
  void aResourceWithoutMembershipsIsTaggedByItsVersionAlone() {
    assertThat(ETags.of(user(3, List.of()), true)).isEqualTo("W/\"3\"");
  }

  @Test
  void theTagDoesNotDependOnTheOrderMembershipsAreReadIn() {
    Reference a = new Reference("g1", "Sales");
    Reference b = new Reference("g2", "Support");

    assertThat(ETags.of(user(3, List.of(a, b)), true)).isEqualTo(ETags.of(user(3, List.of(b, a)), true));
  }

  @Test
  void aMembershipsDisplayNameIsPartOfTheTag() {
    assertThat(ETags.of(user(3, List.of(new Reference("g1", "Sales"))), true))
        .isNotEqualTo(ETags.of(user(3, List.of(new Reference("g1", "Sales EMEA"))), true));
  }

  @Test
  void aRepresentationWithoutItsMembershipsIsTaggedWithoutThem() {
    assertThat(ETags.of(user(3, List.of(new Reference("g1", "Sales"))), false)).isEqualTo("W/\"3\"");
  }

  @Test
  void ifMatchComparesTheVersionOfATagWithAMembershipDigest() {
    assertThat(ETags.ifMatch("W/\"3.1a2b\"").test(3)).isTrue();
    assertThat(ETags.ifMatch("W/\"3.1a2b\"").test(4)).isFalse();
    assertThat(ETags.ifMatch("\"4\", W/\"3\"").test(3)).isTrue();
    assertThat(ETags.ifMatch("W/\"33\"").test(3)).isFalse();
    assertThat(ETags.ifMatch("garbage").test(3)).isFalse();
  }
}
