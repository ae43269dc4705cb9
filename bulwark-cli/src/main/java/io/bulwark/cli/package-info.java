/**
 * {@code bin/bulwark}: the command line (DESIGN §8).
 *
 * <p>{@link io.bulwark.cli.Main} is the picocli top command. Every command returns one of the
 * DESIGN §8 exit codes ({@link io.bulwark.cli.ExitCode}): 0 ok, 1 the operation failed, 2 usage
 * error, 3 cluster unavailable ({@code check} adds 4, "unknown", from DESIGN §9). Expected
 * failures are {@link io.bulwark.cli.CliException}s or client {@code BulwarkException}s and print
 * one {@code error: ...} line on standard error, never a stack trace. With {@code --json} every
 * command prints exactly one JSON document on standard output ({@link io.bulwark.cli.JsonFormat}
 * fixes the field names).
 *
 * <p>{@link io.bulwark.cli.LocalSupervisor} is the separate process behind {@code local start}:
 * it runs the embedded ZooKeeper and supervises the node processes.
 */
package io.bulwark.cli;
