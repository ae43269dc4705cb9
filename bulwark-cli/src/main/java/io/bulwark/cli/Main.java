package io.bulwark.cli;

import io.bulwark.client.BulwarkException;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.lang.reflect.Constructor;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IFactory;
import picocli.CommandLine.IParameterExceptionHandler;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * {@code bin/bulwark}, the one entry point (DESIGN §8).
 *
 * <p>Exit codes ({@link ExitCode}): 0 ok, 1 the operation failed, 2 usage error (including every
 * picocli parse error), 3 cluster unavailable; {@code check} also returns 4, "unknown" (DESIGN
 * §9). Expected failures print one {@code error: ...} line on standard error and no stack trace;
 * only a bug (an exception nobody expected) prints one.
 *
 * <p>Argument files ({@code @file}) are off: a value that starts with {@code @} is a value.
 */
@Command(
    name = "bulwark",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Bulwark, a sharded, replicated key-value store.",
    subcommands = {
      HelpCommand.class,
      PutCommand.class,
      GetCommand.class,
      DeleteCommand.class,
      CasCommand.class,
      TxnCommand.class,
      ScanCommand.class,
      LocateCommand.class,
      StatusCommand.class,
      EventsCommand.class,
      HandoverCommand.class,
      KeyspaceCommand.class,
      CheckHistoryCommand.class,
      SimCommand.class,
      ServerCommand.class,
      LocalCommand.class,
      DemoCommand.class,
      BenchCommand.class,
      io.bulwark.cli.verify.VerifyCommand.class
    },
    footer = {
      "",
      "Data and admin commands need the cluster: --cluster host:port,... or $BULWARK_CLUSTER.",
      "Exit codes: 0 ok, 1 operation failed, 2 usage error, 3 cluster unavailable."
    })
public final class Main implements Callable<Integer> {
  private final CliEnvironment env;

  Main(CliEnvironment env) {
    this.env = env;
  }

  public static void main(String[] args) {
    System.exit(execute(args, CliEnvironment.system()));
  }

  /** Runs one command line; returns the exit code. */
  public static int execute(String[] args, CliEnvironment env) {
    return commandLine(env).execute(args);
  }

  /** The configured command tree, for {@link #execute} and tests. */
  static CommandLine commandLine(CliEnvironment env) {
    CommandLine cl = new CommandLine(new Main(env), new Factory(env));
    cl.setOut(new PrintWriter(env.out(), true));
    cl.setErr(new PrintWriter(env.err(), true));
    cl.setExpandAtFiles(false);
    cl.setParameterExceptionHandler(new UsageErrorHandler());
    cl.setExecutionExceptionHandler(new FailureHandler(env));
    return cl;
  }

  /** {@code bulwark} alone: the usage on standard error, exit 2. */
  @Override
  public Integer call() {
    env.err().println("error: no command given");
    new CommandLine(this, new Factory(env)).usage(env.err());
    return ExitCode.USAGE;
  }

  /** Every usage error: one line saying what is wrong, a hint, exit 2. */
  static final class UsageErrorHandler implements IParameterExceptionHandler {
    @Override
    public int handleParseException(ParameterException ex, String[] args) {
      CommandLine cmd = ex.getCommandLine();
      PrintWriter err = cmd.getErr();
      err.println("error: " + usageMessage(ex));
      UnmatchedArgumentException.printSuggestions(ex, err);
      err.println("Try '" + cmd.getCommandSpec().qualifiedName() + " --help' for usage.");
      err.flush();
      return ExitCode.USAGE;
    }

    private static String usageMessage(ParameterException ex) {
      CommandLine cmd = ex.getCommandLine();
      if (ex instanceof UnmatchedArgumentException
          && !cmd.getSubcommands().isEmpty()
          && !((UnmatchedArgumentException) ex).getUnmatched().isEmpty()) {
        String first = ((UnmatchedArgumentException) ex).getUnmatched().get(0);
        if (!first.startsWith("-")) {
          return "unknown command '" + first + "' for '"
              + cmd.getCommandSpec().qualifiedName() + "'";
        }
      }
      return ex.getMessage();
    }
  }

  /** Failures while a command runs: expected ones as one line, bugs with their stack trace. */
  static final class FailureHandler implements IExecutionExceptionHandler {
    private final CliEnvironment env;

    FailureHandler(CliEnvironment env) {
      this.env = env;
    }

    @Override
    public int handleExecutionException(Exception ex, CommandLine cmd, ParseResult parseResult) {
      if (ex instanceof CliException) {
        env.err().println("error: " + ex.getMessage());
        return ((CliException) ex).exitCode();
      }
      if (ex instanceof BulwarkException) {
        BulwarkException b = (BulwarkException) ex;
        env.err().println("error: " + Errors.message(b));
        return Errors.exitCode(b.code());
      }
      env.err().println("error: unexpected failure (a bug; please report it with this trace): "
          + ex);
      ex.printStackTrace(env.err());
      return ExitCode.FAILED;
    }
  }

  /**
   * Creates commands and mixins, handing {@link CliEnvironment} to any class with a constructor
   * that takes one (picocli's default factory otherwise).
   */
  static final class Factory implements IFactory {
    private final CliEnvironment env;

    Factory(CliEnvironment env) {
      this.env = env;
    }

    @Override
    public <K> K create(Class<K> cls) throws Exception {
      Constructor<K> withEnv;
      try {
        withEnv = cls.getDeclaredConstructor(CliEnvironment.class);
      } catch (NoSuchMethodException e) {
        return CommandLine.defaultFactory().create(cls);
      }
      withEnv.setAccessible(true);
      return withEnv.newInstance(env);
    }
  }

  /** {@code --version}: the Maven project version, filtered into version.properties. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() throws IOException {
      Properties p = new Properties();
      try (InputStream in = Main.class.getResourceAsStream("version.properties")) {
        if (in != null) {
          p.load(in);
        }
      }
      return new String[] {"bulwark " + p.getProperty("version", "(development build)")};
    }
  }
}
