/**
 * JMH benchmarks of Bulwark's hot paths (issue 7): the core's commit path
 * ({@link io.bulwark.jmh.CommitPathBenchmark}), the synced log append that group commit batches
 * ({@link io.bulwark.jmh.LogAppendBenchmark}), a gRPC round trip on loopback
 * ({@link io.bulwark.jmh.GrpcRoundTripBenchmark}) and the linearizability checker
 * ({@link io.bulwark.jmh.CheckerBenchmark}).
 *
 * <p>The build compiles and packages them into {@code target/benchmarks.jar} but never runs
 * them: run {@code java -jar bulwark-jmh/target/benchmarks.jar [regex]}
 * ({@code docs/benchmarks-jmh.md} has the command and the figures). The helpers here exist for
 * the benchmarks only; nothing else depends on this module.
 */
package io.bulwark.jmh;
