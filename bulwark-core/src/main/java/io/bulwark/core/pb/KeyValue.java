package io.bulwark.core.pb;

/** One key with its stored value and version, as returned by a scan. */
public record KeyValue(byte[] key, byte[] value, long version) {}
