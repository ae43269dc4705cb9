/**
 * JMH benchmarks of Bulwark's hot paths (issue 7): the core's commit path
 * ({@link io.bulwark.jmh.CommitPathBenchmark}), the synced log append that group commit batches
 * ({@link io.bulwark.jmh.LogAppendBenchmark}), a gRPC round trip on loopback
 * ({@link io.bulwark.jmh.GrpcRoundTripBenchmark}) and the linearizability checker
 * ({@link io.bulwark.jmh.CheckerBenchmark}).
 *
 * <p>The build compiles and packages them into {@code target/benchmarks.jar} but never runs
 * them: run {@code java -jar bulwark-jmh/target/benchmarks.jar [regex]}
 * ({@code docs/benchmarks.md}, "Hot paths (JMH)", has the command and the figures). The
 * helpers here exist for the benchmarks only; nothing else depends on this module.
 *
 * <p>Each class defaults to one fork with a fixed 1 GB heap, 3 warm-up iterations of 2 s and 5
 * measured ones of 2 s, so that a bare run of everything takes a few minutes rather than JMH's
 * default of about eight per benchmark; the usual flags ({@code -f -wi -w -i -r}) override it.
 * Under load, keep the warm-up at 2 s or more: at 1 s the commit path was still being compiled
 * when measurement began.
 */
package io.bulwark.jmh;
