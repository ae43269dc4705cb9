package io.bulwark.cli;

import io.bulwark.client.BulwarkClient;
import io.bulwark.client.WriteResult;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cas}: compare-and-set. The positional values after KEY depend on the options:
 *
 * <pre>
 * cas KEY EXPECTED NEW                      set NEW if the value is EXPECTED
 * cas KEY NEW --expect-absent               set NEW if the key is absent
 * cas KEY NEW --expect-version N            set NEW if the version is N (0 = absent)
 * cas KEY EXPECTED --delete                 delete if the value is EXPECTED
 * cas KEY --expect-version N --delete       delete if the version is N
 * </pre>
 *
 * Applied: prints {@code OK version=N}, exit 0. Not applied: exit 1, with the current value and
 * version on standard error (or in the JSON document: {@code {"key","applied":false,"version",
 * "currentValue"}}, {@code currentValue} null if the key is absent).
 */
@Command(
    name = "cas",
    mixinStandardHelpOptions = true,
    description = "Compare-and-set KEY. Exits 1 if the expectation did not hold.",
    customSynopsis = {
      "bulwark cas [OPTIONS] KEY EXPECTED NEW",
      "       bulwark cas [OPTIONS] KEY NEW (--expect-absent | --expect-version N)",
      "       bulwark cas [OPTIONS] KEY EXPECTED --delete",
      "       bulwark cas [OPTIONS] KEY --expect-version N --delete",
    })
final class CasCommand extends ClientCommand {
  /** How much of a value an error line shows. */
  static final int SHOWN_CHARS_MAX = 200;

  @Mixin private KeyspaceOption keyspace;

  @Parameters(index = "0", paramLabel = "KEY", description = "The key (UTF-8).")
  private String key;

  @Parameters(index = "1..*", arity = "0..2", paramLabel = "VALUE",
      description = "EXPECTED and/or NEW, as the options require (see above).")
  private List<String> values = new ArrayList<>();

  @Option(names = "--expect-absent", description = "Require the key to be absent.")
  private boolean expectAbsent;

  @Option(names = "--expect-version", paramLabel = "N",
      description = "Require the key's version to be N (0 = absent) instead of a value.")
  private Long expectVersion;

  @Option(names = "--delete", description = "Delete the key instead of writing NEW.")
  private boolean delete;

  CasCommand(CliEnvironment env) {
    super(env);
  }

  @Override
  protected void prepare() {
    if (expectAbsent && expectVersion != null) {
      throw usage("--expect-absent and --expect-version exclude each other"
          + " (--expect-version 0 also means absent)");
    }
    if (expectAbsent && delete) {
      throw usage("--expect-absent with --delete would delete a key only if it is absent;"
          + " that never changes anything");
    }
    if (expectVersion != null && expectVersion < 0) {
      throw usage("--expect-version must be 0 (absent) or a version, was " + expectVersion);
    }
    int wanted = (expectsValue() ? 1 : 0) + (delete ? 0 : 1);
    if (values.size() != wanted) {
      throw usage("expected " + form() + ", got " + values.size() + " value(s) after KEY");
    }
  }

  private boolean expectsValue() {
    return !expectAbsent && expectVersion == null;
  }

  private String form() {
    if (delete) {
      return expectsValue() ? "KEY EXPECTED --delete" : "KEY --expect-version N --delete";
    }
    return expectsValue() ? "KEY EXPECTED NEW" : "KEY NEW";
  }

  @Override
  protected int run(BulwarkClient client) {
    byte[] k = utf8(key);
    byte[] newValue = delete ? null : utf8(values.get(values.size() - 1));
    WriteResult result;
    if (expectVersion != null) {
      result = client.compareAndSetVersion(keyspace.keyspace(), k, expectVersion, newValue);
    } else {
      byte[] expected = expectAbsent ? null : utf8(values.get(0));
      result = client.compareAndSet(keyspace.keyspace(), k, expected, newValue);
    }
    if (json()) {
      printJson(JsonFormat.cas(k, result));
    } else if (result.applied()) {
      env.out().println("OK version=" + result.version());
    } else {
      env.err().println("error: cas not applied: " + current(result));
    }
    return result.applied() ? ExitCode.OK : ExitCode.FAILED;
  }

  private String current(WriteResult result) {
    if (result.currentValue() == null) {
      return "the key is absent";
    }
    String v = TextFormat.utf8(result.currentValue());
    if (v.length() > SHOWN_CHARS_MAX) {
      v = v.substring(0, SHOWN_CHARS_MAX) + "... (" + result.currentValue().length + " bytes)";
    }
    return "the current value is \"" + v + "\" (version " + result.version() + ")";
  }
}
