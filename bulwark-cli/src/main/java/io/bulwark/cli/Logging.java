package io.bulwark.cli;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import java.net.URL;
import org.slf4j.ILoggerFactory;
import org.slf4j.LoggerFactory;

/**
 * Chooses the Logback configuration for the kind of process this is.
 *
 * <p>{@code logback.xml} (found by Logback on its own) is the CLI's: WARN and above on standard
 * error, so command output on standard out stays clean for scripts. Long-running processes, the
 * node ({@code server}) and the local supervisor, switch to {@code logback-server.xml}: INFO in
 * {@code key=value} form on standard out, which the supervisor redirects to {@code node.log} and
 * {@code supervisor.log}.
 *
 * <p>Why reconfigure at run time instead of picking a file by system property before start-up:
 * the launcher is one script for every command, and Logback may already have initialised by the
 * time the command is known. An explicit {@code -Dlogback.configurationFile} always wins.
 */
public final class Logging {
  static final String SERVER_CONFIG = "/logback-server.xml";

  private Logging() {}

  /** Switches this JVM to the long-running-process configuration. Idempotent. */
  public static void useServerLogging() {
    if (System.getProperty("logback.configurationFile") != null) {
      return;
    }
    ILoggerFactory factory = LoggerFactory.getILoggerFactory();
    if (!(factory instanceof LoggerContext)) {
      return; // Another SLF4J binding is in charge; leave it alone.
    }
    LoggerContext context = (LoggerContext) factory;
    URL config = Logging.class.getResource(SERVER_CONFIG);
    if (config == null) {
      throw new IllegalStateException(SERVER_CONFIG + " is missing from the class path");
    }
    context.reset();
    JoranConfigurator configurator = new JoranConfigurator();
    configurator.setContext(context);
    try {
      configurator.doConfigure(config);
    } catch (JoranException e) {
      throw new IllegalStateException("cannot configure logging from " + config + ": " + e, e);
    }
  }
}
