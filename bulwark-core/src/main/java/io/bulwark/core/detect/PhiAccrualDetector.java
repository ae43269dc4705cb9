package io.bulwark.core.detect;

import java.util.Objects;

/**
 * The phi-accrual failure detector of Hayashibara, Défago, Yared and Katayama ("The φ Accrual
 * Failure Detector", SRDS 2004) for one peer (DESIGN §6). Instead of a yes/no timeout it turns
 * the time since the peer's last heartbeat into a suspicion level
 * {@code phi = -log10(P(a heartbeat arrives later than now))}, where the probability comes from
 * the intervals between the peer's recent heartbeats. phi = 1 means a 10 % chance that the peer
 * is merely late; phi = 8 (the DESIGN threshold) means one chance in 10^8.
 *
 * <p><b>Model.</b> Inter-arrival intervals are taken as normally distributed with the mean and
 * standard deviation of the last {@link Options#windowSize} intervals, widened twice so that a
 * steady, low-jitter heartbeat does not make the detector brittle:
 * <ul>
 *   <li>the standard deviation is at least {@link Options#minStdDevNanos} (a perfectly regular
 *       heartbeat would otherwise have sigma ~ 0, and the first late heartbeat would be
 *       "impossible");</li>
 *   <li>{@link Options#acceptablePauseNanos} is added to the mean: a GC pause or a scheduling
 *       hiccup of that length on either side is expected, not a failure.</li>
 * </ul>
 * Why normal rather than the exponential model (Cassandra's): the exponential's only parameter
 * is the mean, so it cannot tell a regular heartbeat from a jittery one and cannot express a
 * minimum deviation; the normal model adapts to the observed jitter and has the two floors above
 * as natural parameters (Akka makes the same choice). The normal tail {@code Q(z)} is computed
 * with the logistic approximation {@code Q(z) ~ 1 / (1 + e^g)}, {@code g = z (1.5976 + 0.070566
 * z^2)} (Bowling et al., 2009), so {@code phi = log10(1 + e^g)}, evaluated in a form that does
 * not overflow. Beyond z ~ 4 the approximation overstates phi (at phi = 8 the crossing comes
 * about 0.4 sigma before the exact normal's): it errs on the side of suspecting earlier, and the
 * threshold is a tuning knob anyway. {@link #suspicionDelayNanos()} gives the exact crossing time
 * of this formula.
 *
 * <p><b>Arrivals.</b> {@link #heartbeat} records an arrival; an interval longer than the delay
 * after which the peer was already suspected is recorded as that delay instead (a long outage
 * is not a sample of the peer's normal rhythm; recording it whole would inflate sigma and make
 * the next failure take minutes to detect). An arrival earlier than the latest one (arrivals
 * reported from several threads) only counts as "heard from". Before any arrival phi is 0: the
 * caller decides when it starts expecting a peer, by recording a first arrival then. Until the
 * first interval is known, the detector assumes {@link Options#firstIntervalNanos}.
 *
 * <p>Not thread-safe: one owner calls it, or the caller synchronises.
 */
public final class PhiAccrualDetector {
  private static final double LN10 = Math.log(10);
  /** Coefficients of the logistic approximation of the normal tail. */
  private static final double A = 1.5976;
  private static final double B = 0.070566;

  /**
   * The detector's knobs; durations in nanoseconds.
   *
   * @param threshold phi at or above which the peer is suspected (DESIGN §6: 8)
   * @param windowSize how many recent intervals the estimate uses
   * @param minStdDevNanos floor of the interval standard deviation
   * @param acceptablePauseNanos silence tolerated on top of the mean interval
   * @param firstIntervalNanos the assumed interval before one has been observed (the heartbeat
   *     period)
   */
  public record Options(double threshold, int windowSize, long minStdDevNanos,
      long acceptablePauseNanos, long firstIntervalNanos) {
    public Options {
      if (!(threshold > 0) || Double.isInfinite(threshold)) {
        throw new IllegalArgumentException("phi threshold must be a positive number, was "
            + threshold);
      }
      if (windowSize < 1) {
        throw new IllegalArgumentException("window size must be at least 1, was " + windowSize);
      }
      if (minStdDevNanos <= 0) {
        throw new IllegalArgumentException("minimum standard deviation must be positive, was "
            + minStdDevNanos + " ns");
      }
      if (acceptablePauseNanos < 0) {
        throw new IllegalArgumentException("acceptable pause must not be negative, was "
            + acceptablePauseNanos + " ns");
      }
      if (firstIntervalNanos <= 0) {
        throw new IllegalArgumentException("first interval must be positive, was "
            + firstIntervalNanos + " ns");
      }
    }

    /**
     * DESIGN defaults for a heartbeat every {@code heartbeatNanos}: threshold 8, 100 intervals,
     * sigma at least 50 ms, 1 s of acceptable pause. With a 100 ms heartbeat a silent peer is
     * suspected about 1.36 s after its last heartbeat (see {@link #suspicionDelayNanos()}).
     */
    public static Options defaults(long heartbeatNanos) {
      return new Options(8.0, 100, 50_000_000L, 1_000_000_000L, heartbeatNanos);
    }
  }

  private final Options options;
  private final long[] intervals;
  private int count;
  private int next;
  private boolean heard;
  private long lastArrivalNanos;
  private boolean statsValid;
  private double meanNanos;
  private double stdDevNanos;

  public PhiAccrualDetector(Options options) {
    this.options = Objects.requireNonNull(options, "options");
    this.intervals = new long[options.windowSize()];
  }

  public Options options() {
    return options;
  }

  /** Records a heartbeat (or any message) from the peer that arrived at {@code nowNanos}. */
  public void heartbeat(long nowNanos) {
    if (!heard) {
      heard = true;
      lastArrivalNanos = nowNanos;
      return;
    }
    long interval = nowNanos - lastArrivalNanos;
    if (interval < 0) {
      return; // Reported late by another thread; the newer arrival already counts.
    }
    record(Math.min(interval, suspicionDelayNanos()));
    lastArrivalNanos = nowNanos;
  }

  private void record(long interval) {
    intervals[next] = interval;
    next = (next + 1) % intervals.length;
    count = Math.min(count + 1, intervals.length);
    statsValid = false;
  }

  /**
   * Time the observer itself stood still ({@code pausedNanos}: a GC pause, a starved or stopped
   * process) is not the peer's silence: the latest arrival moves that much later (never past
   * {@code nowNanos}), so phi judges only the time the observer was running. Heartbeats that
   * arrived during the pause wait in the observer's queues and are heard right after.
   */
  public void discountPause(long pausedNanos, long nowNanos) {
    if (heard && pausedNanos > 0) {
      lastArrivalNanos = Math.min(nowNanos, lastArrivalNanos + pausedNanos);
    }
  }

  /** True once a first heartbeat has been recorded. */
  public boolean hasHeard() {
    return heard;
  }

  /** Monotonic time of the latest heartbeat; meaningless before {@link #hasHeard()}. */
  public long lastArrivalNanos() {
    return lastArrivalNanos;
  }

  /**
   * The suspicion level at {@code nowNanos}: 0 before the first heartbeat, then growing
   * monotonically with the time since the latest one (and never negative).
   */
  public double phi(long nowNanos) {
    if (!heard) {
      return 0.0;
    }
    double elapsed = Math.max(0, nowNanos - lastArrivalNanos);
    double z = (elapsed - effectiveMeanNanos()) / effectiveStdDevNanos();
    double g = z * (A + B * z * z);
    // log10(1 + e^g) without overflow: softplus(g) = max(g, 0) + log1p(e^-|g|).
    return (Math.max(g, 0) + Math.log1p(Math.exp(-Math.abs(g)))) / LN10;
  }

  /** Whether phi at {@code nowNanos} has reached the threshold. */
  public boolean suspects(long nowNanos) {
    return phi(nowNanos) >= options.threshold();
  }

  /**
   * How long after the latest heartbeat phi reaches the threshold, given the intervals seen so
   * far: the inverse of {@link #phi} ({@code g* = ln(10^threshold - 1)}, then the one real root
   * of {@code B z^3 + A z - g* = 0} by Cardano's formula).
   */
  public long suspicionDelayNanos() {
    double gStar = Math.log(Math.expm1(options.threshold() * LN10));
    double p = A / B;
    double q = -gStar / B;
    double d = Math.sqrt(q * q / 4 + p * p * p / 27);
    double z = Math.cbrt(-q / 2 + d) + Math.cbrt(-q / 2 - d);
    return (long) Math.ceil(effectiveMeanNanos() + z * effectiveStdDevNanos());
  }

  /** The mean interval the model uses, before the acceptable pause is added. */
  public double meanIntervalNanos() {
    stats();
    return meanNanos;
  }

  /** The standard deviation the model uses (at least the configured minimum). */
  public double effectiveStdDevNanos() {
    stats();
    return Math.max(stdDevNanos, options.minStdDevNanos());
  }

  private double effectiveMeanNanos() {
    stats();
    return meanNanos + options.acceptablePauseNanos();
  }

  private void stats() {
    if (statsValid) {
      return;
    }
    if (count == 0) {
      meanNanos = options.firstIntervalNanos();
      stdDevNanos = 0;
    } else {
      double sum = 0;
      for (int i = 0; i < count; i++) {
        sum += intervals[i];
      }
      double mean = sum / count;
      double squares = 0;
      for (int i = 0; i < count; i++) {
        double d = intervals[i] - mean;
        squares += d * d;
      }
      meanNanos = mean;
      stdDevNanos = Math.sqrt(squares / count);
    }
    statsValid = true;
  }
}
