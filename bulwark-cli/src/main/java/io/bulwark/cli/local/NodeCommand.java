package io.bulwark.cli.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The command line of one node process, {@code java ... io.bulwark.cli.Main server --config FILE
 * --supervisor-pid PID}: shared by the local supervisor and {@code bulwark verify}, which both
 * start nodes and must recognise them again ({@link ClusterProcesses} matches the {@code
 * --config} path).
 */
public final class NodeCommand {
  /** JVM options of every node; {@code BULWARK_NODE_JAVA_OPTS} is appended (and so wins). */
  public static final List<String> NODE_JVM_OPTIONS =
      List.of("-Xmx512m", "-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");
  public static final String NODE_JAVA_OPTS_ENV = "BULWARK_NODE_JAVA_OPTS";
  static final String MAIN_CLASS = "io.bulwark.cli.Main";

  private NodeCommand() {}

  /**
   * The command that runs the node configured in {@code configFile} with this JVM's java and
   * class path; the node exits on its own within a second once {@code supervisorPid} is gone.
   */
  public static List<String> of(Path configFile, long supervisorPid) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(NODE_JVM_OPTIONS);
    String extra = System.getenv(NODE_JAVA_OPTS_ENV);
    if (extra != null && !extra.isBlank()) {
      command.addAll(Arrays.asList(extra.trim().split("\\s+")));
    }
    command.add("-cp");
    command.add(System.getProperty("java.class.path"));
    command.add(MAIN_CLASS);
    command.add("server");
    command.add("--config");
    command.add(configFile.toString());
    command.add("--supervisor-pid");
    command.add(Long.toString(supervisorPid));
    return command;
  }
}
