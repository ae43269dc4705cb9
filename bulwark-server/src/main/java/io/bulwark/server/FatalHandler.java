package io.bulwark.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a broken invariant or an unusable disk does to the node: log it and exit the process with
 * status 70 (STYLE P4). A replica that cannot trust its state must stop acting; the supervisor
 * (local mode) or systemd (production) restarts it, and recovery starts from the durable log.
 */
public interface FatalHandler {
  void fatal(String what, Throwable cause);

  /** The production handler: log and halt. */
  static FatalHandler exitProcess() {
    Logger log = LoggerFactory.getLogger(FatalHandler.class);
    return (what, cause) -> {
      log.error("event=fatal what=\"{}\"", what, cause);
      Runtime.getRuntime().halt(70);
    };
  }
}
