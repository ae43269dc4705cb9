package io.bulwark.core.pb;

import java.util.Objects;

/**
 * A client's request as logged: the operation plus its identity {@code (clientId, seq)} for
 * exactly-once application (DESIGN §3.4). {@code firstUnackedSeq} is the client's promise that
 * it will never retry a seq below it, which lets replicas forget those results.
 * Internal entries (a new epoch's {@link Op.Noop}) use {@link #INTERNAL} as client id.
 */
public record Command(String clientId, long seq, long firstUnackedSeq, Op op) {
  public static final String INTERNAL = "";

  public Command {
    Objects.requireNonNull(clientId, "clientId");
    Objects.requireNonNull(op, "op");
  }

  public static Command noop() {
    return new Command(INTERNAL, 0, 0, new Op.Noop());
  }

  public boolean isInternal() {
    return clientId.isEmpty();
  }
}
