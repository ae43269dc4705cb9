/**
 * Client workloads that record DESIGN §9 histories: used by {@code bulwark demo}, the
 * multi-process tests and (later) {@code bulwark verify}.
 */
package io.bulwark.cli.workload;
