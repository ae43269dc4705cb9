package io.bulwark.jmh;

import io.bulwark.check.CheckResult;
import io.bulwark.check.LinearizabilityChecker;
import io.bulwark.check.Verdict;
import io.bulwark.check.history.History;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * {@link LinearizabilityChecker} on a valid concurrent register history of 2,000 operations by
 * 5 processes over 10 keys (made by {@link RegisterHistoryGenerator}, seeded): the time one
 * check takes, in ms.
 *
 * <p>Why it matters: every simulator seed and every integration run ends in a check (DESIGN
 * §9), so the checker's time per history multiplies by the hundreds of seeds a simulation
 * sweep runs. A valid history is the expensive case for a Wing &amp; Gong search: it must find
 * a linearization of every key, where an invalid one can stop at the first key that fails.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@State(Scope.Thread)
public class CheckerBenchmark {
  private static final long SEED = 7;
  private static final int PROCESSES = 5;
  private static final int KEYS = 10;
  private static final int OPERATIONS = 2_000;
  /** Far above a check's time: reaching it would make the verdict UNKNOWN and the setup fail. */
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private final LinearizabilityChecker checker = new LinearizabilityChecker();
  private History history;

  @Setup(Level.Trial)
  public void generate() {
    history = new RegisterHistoryGenerator(SEED, PROCESSES, KEYS).generate(OPERATIONS);
    // A benchmark of a check that fails or gives up would time the wrong search.
    CheckResult first = checker.check(history, LIMIT, System::nanoTime);
    if (first.verdict() != Verdict.VALID) {
      throw new IllegalStateException("generated history is not judged valid: " + first);
    }
  }

  @Benchmark
  public CheckResult checkValidHistory() {
    return checker.check(history, LIMIT, System::nanoTime);
  }
}
