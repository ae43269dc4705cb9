package io.bulwark.check.internals.register;

import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpValue;
import io.bulwark.check.history.Operation;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The register operations on one key, ready for {@link WglSearch}.
 *
 * <p>What each outcome means for the search: a failed operation did not happen and is dropped; an
 * info read constrains nothing and is dropped; an info write or cas is optional, unless {@link
 * OptionalOpResolver} can settle it; everything ok is required.
 */
public final class KeyHistory {
  private final String key;
  private final List<RegisterOp> ops;
  private final int operationCount;

  private KeyHistory(String key, List<RegisterOp> ops, int operationCount) {
    this.key = key;
    this.ops = List.copyOf(ops);
    this.operationCount = operationCount;
  }

  /**
   * Encodes {@code operations}, which must all be read, write or cas on {@code key}.
   *
   * @throws IllegalArgumentException if one is a txn or on another key
   */
  public static KeyHistory of(String key, List<Operation> operations) {
    Map<String, Integer> valueIds = new HashMap<>();
    List<RegisterOp> ops = new ArrayList<>();
    for (Operation operation : operations) {
      if (!operation.f().isRegister() || !key.equals(operation.key())) {
        throw new IllegalArgumentException("not a register operation on " + key + ": " + operation);
      }
      boolean dropped =
          operation.isFail() || (operation.isInfo() && operation.f() == OpFunction.READ);
      if (!dropped) {
        ops.add(encode(operation, valueIds));
      }
    }
    return new KeyHistory(key, OptionalOpResolver.resolve(ops), operations.size());
  }

  public String key() {
    return key;
  }

  /** The operations the search considers, in invoke order. */
  List<RegisterOp> ops() {
    return ops;
  }

  /** How many operations were given, including the dropped ones. */
  public int operationCount() {
    return operationCount;
  }

  private static RegisterOp encode(Operation operation, Map<String, Integer> valueIds) {
    int expected = RegisterOp.ABSENT;
    int written = RegisterOp.ABSENT;
    RegisterOp.Kind kind;
    if (operation.f() == OpFunction.CAS) {
      OpValue.Cas cas = (OpValue.Cas) operation.value();
      kind = RegisterOp.Kind.CAS;
      expected = idOf(cas.expected(), valueIds);
      written = idOf(cas.newValue(), valueIds);
    } else if (operation.f() == OpFunction.WRITE) {
      kind = RegisterOp.Kind.WRITE;
      written = idOf(((OpValue.Scalar) operation.value()).value(), valueIds);
    } else {
      kind = RegisterOp.Kind.READ;
      expected = idOf(((OpValue.Scalar) operation.value()).value(), valueIds);
    }
    return new RegisterOp(
        operation,
        kind,
        expected,
        written,
        operation.invokeNanos(),
        operation.completeNanos(),
        operation.isOk());
  }

  private static int idOf(String value, Map<String, Integer> valueIds) {
    if (value == null) {
      return RegisterOp.ABSENT;
    }
    return valueIds.computeIfAbsent(value, v -> valueIds.size() + 1);
  }
}
