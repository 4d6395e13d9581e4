package com.fulcrumscim.testing;

import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestInstanceFactoryContext;
import org.junit.jupiter.api.extension.TestInstancePreConstructCallback;

/**
 * Drops the {@link PostgresServer} databases a test made once it is over, and those its class made
 * (in {@code @BeforeAll}, a static extension, or a thread of its own) once the class is; without it a
 * suite's copies of the template pile up in memory (about 8 GB). "Over" is when JUnit closes the
 * test's context, after its {@code @AfterEach}, {@code @AutoClose} fields and temp dirs: nothing of
 * the test still uses its database. A test owns what its own thread made from its start on (tests of
 * a class may run side by side, each on a thread of its own); a class owns what was made from its
 * start on and is left. Classes run one at a time (junit-platform.properties), so no other class
 * makes a database in between.
 */
public final class DropsTestDatabases implements TestInstancePreConstructCallback, BeforeAllCallback, BeforeEachCallback {
  private static final ExtensionContext.Namespace HERE = ExtensionContext.Namespace.create(DropsTestDatabases.class);

  /** What a test or class drops when its context closes. */
  private record Owned(int mark, Thread by) implements AutoCloseable {
    @Override
    public void close() {
      PostgresServer.dropMadeAfter(mark, by);
    }
  }

  @Override
  public ExtensionContextScope getTestInstantiationExtensionContextScope(ExtensionContext rootContext) {
    return ExtensionContextScope.TEST_METHOD; // a test's fields are its own: its mark must come before them
  }

  @Override
  public void preConstructTestInstance(TestInstanceFactoryContext factoryContext, ExtensionContext context) {
    own(context);
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    own(context);
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    own(context);
  }

  /** Marks where {@code context} starts, once: the earliest of its callbacks. */
  private static void own(ExtensionContext context) {
    Thread by = context.getTestMethod().isPresent() ? Thread.currentThread() : null;
    // keyed by the context: a store looks in its parents' too, and a test's would find its class's
    context.getStore(HERE).getOrComputeIfAbsent(context.getUniqueId(), k -> new Owned(PostgresServer.made(), by));
  }
}
