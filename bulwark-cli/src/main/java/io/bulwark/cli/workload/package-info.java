/**
 * Client workloads that record DESIGN §9 histories, and what they share: {@link
 * io.bulwark.cli.workload.HistoryRecorder} and {@link io.bulwark.cli.workload.HistoryFiles}. Used
 * by {@code bulwark demo}, {@code bulwark verify} (the {@link io.bulwark.cli.workload.Bank}) and
 * the multi-process tests.
 */
package io.bulwark.cli.workload;
