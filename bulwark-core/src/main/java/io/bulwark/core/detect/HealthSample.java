package io.bulwark.core.detect;

/**
 * One sample of a node's resources, taken by the runtime once per interval (DESIGN §6).
 * Fractions are in [0, 1]; a measurement the platform cannot provide is {@link Double#NaN} (or
 * a negative byte count) and is then left out of the verdict.
 *
 * @param processCpu this process's share of all CPUs over the interval
 * @param systemCpu the whole machine's CPU use over the interval (reported, not judged: another
 *     tenant's load is not this node's failure, and its symptoms show in fsync and GC)
 * @param heapAfterGc heap in use after the latest collection, as a fraction of the maximum heap
 * @param gcTime time spent in stop-the-world GC pauses, as a fraction of the interval
 * @param diskFreeBytes usable space on the data directory's file system
 * @param fsyncP99Nanos 99th percentile of log fsync (group commit) latency in the interval; 0
 *     if there was none
 * @param fsyncCount group commits in the interval
 */
public record HealthSample(double processCpu, double systemCpu, double heapAfterGc,
    double gcTime, long diskFreeBytes, long fsyncP99Nanos, long fsyncCount) {}
