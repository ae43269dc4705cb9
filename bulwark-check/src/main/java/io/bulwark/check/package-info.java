/**
 * Checkers that judge recorded histories (DESIGN §9, STYLE §6 "Checkers"): {@link
 * io.bulwark.check.LinearizabilityChecker} for read/write/cas registers and {@link
 * io.bulwark.check.TxnChecker} for transactions, behind the {@link io.bulwark.check.Checker} facade
 * that {@code bulwark check}, {@code bulwark verify} and the simulator call. A checker answers
 * VALID, INVALID with the smallest anomaly it found, or UNKNOWN when it cannot decide in time; it
 * never guesses. Pure, like {@code bulwark-core}: it opens no file and reads no clock (histories
 * come in as readers or in memory, time as a clock the caller passes for the time limit); depends
 * on no other Bulwark module.
 */
package io.bulwark.check;
