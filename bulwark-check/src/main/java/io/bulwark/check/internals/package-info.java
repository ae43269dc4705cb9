/**
 * Implementation of the checkers; not API. Code here may change without notice: depend on the types
 * in {@link io.bulwark.check} and {@link io.bulwark.check.history} instead.
 */
package io.bulwark.check.internals;
