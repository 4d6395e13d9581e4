package com.fulcrumscim.testing;

import java.lang.reflect.Method;

/** For {@code FulcrumClient} doubles made with {@link java.lang.reflect.Proxy}, which pick calls by method name. */
public final class ClientDoubles {
  private ClientDoubles() {}

  /**
   * Whether the double runs {@code m} as the interface's default rather than on the real client:
   * {@code memberList()}, whose default reads the double's own {@code members()}, so the member
   * list a double answers (or watches) by that name is the one the bridge plans on.
   */
  public static boolean readsThroughMembers(Method m) {
    return m.getName().equals("memberList");
  }
}
