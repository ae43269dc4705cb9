/**
 * The register linearizability check behind {@link io.bulwark.check.LinearizabilityChecker}: one
 * key at a time, a memoised Wing &amp; Gong search ({@code WglSearch}), and an explainer that
 * shrinks a failing key to a short anomaly ({@code AnomalyExplainer}). Not API.
 */
package io.bulwark.check.internals.register;
