package io.bulwark.core.pb;

/** A stored value and its version: the index of the committed entry that last wrote it. */
public record Versioned(byte[] value, long version) {}
