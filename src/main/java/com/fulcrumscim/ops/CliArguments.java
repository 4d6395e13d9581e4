package com.fulcrumscim.ops;

import com.fulcrumscim.journal.EntityType;
import com.fulcrumscim.journal.ResourceKey;
import com.fulcrumscim.journal.WorkState;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** Picocli converters for the operator commands' arguments, lower case as operators type them. */
public final class CliArguments {
  private CliArguments() {}

  /** {@code user/ID} or {@code group/ID}, the way {@link ResourceKey#toString} prints keys. */
  public static final class Key implements ITypeConverter<ResourceKey> {
    @Override
    public ResourceKey convert(String value) {
      int slash = value.indexOf('/');
      if (slash > 0 && slash < value.length() - 1) {
        try {
          return new ResourceKey(new Entity().convert(value.substring(0, slash)), value.substring(slash + 1));
        } catch (TypeConversionException wrongType) {
          // fall through to the message about the whole key
        }
      }
      throw new TypeConversionException("'" + value + "' is not a key: write user/<SCIM id> or group/<SCIM id>");
    }
  }

  /** A row count: 1 or more (a negative one was "all" on SQLite, an error on PostgreSQL, a crash in a filtered listing). */
  public static final class Limit implements ITypeConverter<Integer> {
    @Override
    public Integer convert(String value) {
      try {
        int n = Integer.parseInt(value.strip());
        if (n >= 1) {
          return n;
        }
      } catch (NumberFormatException notANumber) {
        // the message below says what is wanted
      }
      throw new TypeConversionException("'" + value + "' is not a number of rows: give 1 or more");
    }
  }

  /** {@code pending}, {@code dead}, ... in any case. */
  public static final class State implements ITypeConverter<WorkState> {
    @Override
    public WorkState convert(String value) {
      return constant(WorkState.class, value);
    }
  }

  /** {@code user} or {@code group} in any case. */
  public static final class Entity implements ITypeConverter<EntityType> {
    @Override
    public EntityType convert(String value) {
      return constant(EntityType.class, value);
    }
  }

  private static <E extends Enum<E>> E constant(Class<E> type, String value) {
    try {
      return Enum.valueOf(type, value.strip().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException("'" + value + "' is not one of " + Arrays.stream(type.getEnumConstants())
          .map(c -> c.name().toLowerCase(Locale.ROOT)).collect(Collectors.joining(", ")));
    }
  }
}
