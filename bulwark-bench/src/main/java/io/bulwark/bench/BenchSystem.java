package io.bulwark.bench;

import java.util.List;

/**
 * A system the bench measures, already running: how to open a {@link Target} on it and which
 * server processes to charge CPU to. Bulwark's comes from the CLI (a local cluster or an
 * existing one), the peers' from {@link Peer}.
 */
public interface BenchSystem {
  String name();

  /** A fresh target (new connections) for one run; the caller closes it. */
  Target openTarget() throws Exception;

  /** The server processes now (pids may change after a restart); empty if unknown. */
  List<Long> serverPids();
}
