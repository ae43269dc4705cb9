/**
 * Value types shared by every protocol core: shard identities, shard configurations, keyspace
 * specs, limits, the key-to-shard hash and always-on invariant checks. JDK only.
 */
package io.bulwark.core.common;
