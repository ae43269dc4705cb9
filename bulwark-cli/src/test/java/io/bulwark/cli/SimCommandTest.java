package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Goal: {@code sim --workload} reaches the simulator, so the replay line it prints for a failing
 * transaction seed ({@code bin/bulwark sim --seed S --steps K --workload txn}) can be run as
 * printed; a workload it does not know is a usage error naming the ones it does.
 */
class SimCommandTest {
  private final CliRunner cli = new CliRunner();

  @Test
  void txnWorkload_runsTransactionSeeds() {
    CliRunner.Result r = cli.run("sim", "--seed", "7", "--steps", "10", "--workload", "txn");

    assertEquals(ExitCode.OK, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("1 passed, 0 failed"), r.out());
  }

  @Test
  void unknownWorkload_isUsageErrorNamingTheKnownOnes() {
    CliRunner.Result r = cli.run("sim", "--seed", "7", "--workload", "bank");

    assertEquals(ExitCode.USAGE, r.exitCode(), r.err());
    assertTrue(r.err().contains("unknown workload 'bank'; use one of [register, txn]"), r.err());
  }
}
