package io.bulwark.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The closed-loop runner against {@link FakeTarget}, whose operations advance a fake clock: with
 * one client every count and percentile is exact, because the clock moves only when an operation
 * "takes" time. Method: a 1 s warm-up and a 2 s window of 1 ms operations hold exactly the
 * operations that start at 1000..2999 ms; variations change latencies, failures and cas races.
 */
class ClosedLoopRunnerTest {
  private final AtomicLong clock = new AtomicLong();
  private final FakeTarget target = new FakeTarget(clock);
  private final ClosedLoopRunner runner = new ClosedLoopRunner(clock::get, 0);
  private java.util.concurrent.ExecutorService network;

  private static BenchConfig config(Workload w, int clients) {
    return new BenchConfig(w, clients, 1, 2, 100, 10, 42);
  }

  @Test
  void oneClientOfOneMsOps_windowHoldsExactlyItsOps() throws Exception {
    RunResult r = runner.run(target, config(Workload.PUT, 1), 1, CpuMeter.NONE);

    assertEquals(2000, r.ops());
    assertEquals(0, r.errors());
    assertEquals(1000.0, r.opsPerSec());
    assertEquals(1.0, r.p50Ms());
    assertEquals(1.0, r.p99Ms());
    assertEquals(1.0, r.maxMs());
    assertNull(r.firstError());
  }

  @Test
  void preload_writesEveryKeyOnceBeforeTheClockStarts() throws Exception {
    runner.run(target, config(Workload.GET, 4), 1, CpuMeter.NONE);

    assertEquals(100, target.loads.get());
    assertEquals(100, target.data.size());
    assertEquals(4, target.sessionsOpened.get());
  }

  @Test
  void failingOps_areCountedAsErrorsNotOps() throws Exception {
    target.fails = i -> i % 10 == 0;

    RunResult r = runner.run(target, config(Workload.PUT, 1), 1, CpuMeter.NONE);

    assertEquals(1800, r.ops());
    assertEquals(200, r.errors());
    assertEquals(900.0, r.opsPerSec());
    assertTrue(r.firstError().contains("fake failure"), r.firstError());
  }

  @Test
  void everyOpFails_runHasNoOpsAndCountsAsFailed() throws Exception {
    target.fails = i -> true;

    RunResult r = runner.run(target, config(Workload.PUT, 1), 1, CpuMeter.NONE);

    assertEquals(0, r.ops());
    assertEquals(2000, r.errors());
    assertTrue(r.failed());
    assertEquals(0.0, r.p99Ms());
  }

  @Test
  void percentiles_comeFromTheRecordedLatencies() throws Exception {
    // Every 50th op takes 2 ms: 2% of the window's ops, so p50 is 1 ms and p99 is 2 ms.
    target.latencyMillis = i -> i % 50 == 49 ? 2 : 1;

    RunResult r = runner.run(target, config(Workload.PUT, 1), 1, CpuMeter.NONE);

    assertEquals(1.0, r.p50Ms());
    assertEquals(2.0, r.p99Ms());
    assertEquals(2.0, r.p999Ms());
    assertEquals(2.0, r.maxMs());
  }

  @Test
  void casLostRaces_areConflictsNotErrors() throws Exception {
    target.casLoses = i -> i % 2 == 0;

    RunResult r = runner.run(target, config(Workload.CAS, 1), 1, CpuMeter.NONE);

    assertEquals(2000, r.ops());
    assertEquals(1000, r.conflicts());
    assertEquals(0, r.errors());
  }

  @Test
  void txn_writesTwoDistinctKeys_andLostRacesAreConflicts() throws Exception {
    target.casLoses = i -> i % 4 == 0;

    RunResult r = runner.run(target, config(Workload.TXN, 1), 1, CpuMeter.NONE);

    assertEquals(2000, r.ops());
    assertEquals(500, r.conflicts());
    assertEquals(0, r.errors());
    assertFalse(target.txnPairs.isEmpty());
    for (String pair : target.txnPairs) {
      String[] keys = pair.split(",");
      assertNotEquals(keys[0], keys[1], pair);
    }
  }

  @Test
  void mixed90_sendsAboutNineGetsPerPut() throws Exception {
    runner.run(target, config(Workload.MIXED90, 1), 1, CpuMeter.NONE);

    double getShare = target.gets.get() / (double) (target.gets.get() + target.puts.get());
    // The mix is drawn from a seeded generator: near 0.9, and the same on every run.
    assertTrue(getShare > 0.87 && getShare < 0.93, "get share " + getShare);
  }

  @Test
  void cpu_isReadAtTheWindowEdges() throws Exception {
    CpuMeter meter = () -> new CpuMeter.Reading(clock.get(), 3 * clock.get());

    RunResult r = runner.run(target, config(Workload.PUT, 1), 1, meter);

    assertEquals(2.0, r.clientCpuSeconds(), 1e-9);
    assertEquals(6.0, r.serverCpuSeconds(), 1e-9);
  }

  @Test
  void manyClients_everyRecordedOpIsInTheTotals() throws Exception {
    RunResult r = runner.run(target, config(Workload.PUT, 8), 1, CpuMeter.NONE);

    assertEquals(8, target.sessionsOpened.get());
    assertTrue(r.ops() > 0);
    assertTrue(r.ops() <= target.ops.get(), r.ops() + " recorded of " + target.ops.get());
    assertEquals(r.ops() / 2.0, r.opsPerSec());
  }

  @Test
  void sessionThatCannotOpen_failsTheRunNamingTheSystem() {
    Target broken = new Target() {
      @Override
      public String name() {
        return "broken";
      }

      @Override
      public Session openSession(int index) {
        throw new IllegalStateException("no route");
      }

      @Override
      public void close() {}
    };

    BenchException e = assertThrows(BenchException.class,
        () -> runner.run(broken, config(Workload.PUT, 2), 1, CpuMeter.NONE));
    assertTrue(e.getMessage().startsWith("broken: could not open client session 0"),
        e.getMessage());
  }

  @Test
  void failedPreload_failsTheRun() {
    Target refusing = new Target() {
      @Override
      public String name() {
        return "refusing";
      }

      @Override
      public Session openSession(int index) {
        return new Session() {
          @Override
          public void put(byte[] key, byte[] value) {
            throw new IllegalStateException("disk full");
          }

          @Override
          public byte[] get(byte[] key) {
            return null;
          }

          @Override
          public boolean cas(byte[] key, byte[] value) {
            return false;
          }

          @Override
          public boolean txn(byte[] first, byte[] second, byte[] value) {
            return false;
          }
        };
      }

      @Override
      public void close() {}
    };

    BenchException e = assertThrows(BenchException.class,
        () -> runner.run(refusing, config(Workload.PUT, 2), 1, CpuMeter.NONE));
    assertTrue(e.getMessage().contains("preloading 100 keys failed"), e.getMessage());
  }

  /** Makes the fake's asynchronous calls complete on a thread of their own, "fake-network". */
  private void completeOnANetworkThread() {
    network = java.util.concurrent.Executors.newSingleThreadExecutor(
        r -> new Thread(r, "fake-network"));
    target.network = network;
  }

  @AfterEach
  void stopNetworkThread() {
    if (network != null) {
      network.shutdownNow();
    }
  }

  @Test
  void asyncSession_nextRequestGoesOutFromTheCompletion_andEveryOpIsCounted() throws Exception {
    completeOnANetworkThread();
    target.fails = i -> i % 10 == 0;

    RunResult r = runner.run(target, config(Workload.MIXED50, 1), 1, CpuMeter.NONE);

    assertEquals(1800, r.ops());
    assertEquals(200, r.errors());
    assertTrue(r.firstError().contains("fake failure"), r.firstError());
    assertTrue(target.gets.get() > 0 && target.puts.get() > 0);
    assertEquals(java.util.Set.of("bench-client-0", "fake-network"), target.asyncCallers,
        "the client's thread sends the first request, the completions send the rest");
  }

  @Test
  void asyncSession_errorPause_resumesTheClientAfterEachFailure() throws Exception {
    completeOnANetworkThread();
    target.fails = i -> i % 100 == 0;
    ClosedLoopRunner pausing = new ClosedLoopRunner(clock::get, 1);

    RunResult r = pausing.run(target, config(Workload.PUT, 1), 1, CpuMeter.NONE);

    assertEquals(1980, r.ops());
    assertEquals(20, r.errors());
  }
}
