package io.bulwark.core.pb;

/**
 * The result of applying one command. {@code applied} is false only for a CAS whose expectation
 * did not hold; then {@code version}/{@code current} describe what is stored. When applied,
 * {@code version} is the entry's index (the key's new version).
 */
public record Outcome(boolean applied, long version, byte[] current) {
  public static Outcome applied(long version) {
    return new Outcome(true, version, null);
  }
}
