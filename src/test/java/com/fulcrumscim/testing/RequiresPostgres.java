package com.fulcrumscim.testing;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Marks a test class (or method) that needs {@link PostgresServer}. Without PostgreSQL on the machine
 * it is skipped on a developer's machine and fails in CI (see {@link PostgresCondition}), so the
 * PostgreSQL suites can never pass there by not running. Tagged {@code postgres} for
 * {@code mvn test -Dgroups=postgres}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag("postgres")
@ExtendWith({PostgresCondition.class, DropsTestDatabases.class})
public @interface RequiresPostgres {}
