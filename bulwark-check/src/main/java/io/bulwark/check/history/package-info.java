/**
 * The history model of DESIGN §9: {@link io.bulwark.check.history.Op} events as recorded in JSON
 * Lines, {@link io.bulwark.check.history.HistoryReader} and {@link
 * io.bulwark.check.history.HistoryWriter} to read and write them, and {@link
 * io.bulwark.check.history.History}, the events paired per process into {@link
 * io.bulwark.check.history.Operation}s that the checkers judge. JDK and Jackson only.
 */
package io.bulwark.check.history;
