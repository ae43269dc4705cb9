package io.bulwark.core.common;

/**
 * Size limits on user data (DESIGN §2, STYLE P5). Requests over a limit are refused with
 * {@code INVALID_ARGUMENT} and a message that names the limit, before anything is appended.
 */
public record Limits(int keySizeBytesMax, int valueSizeBytesMax, int scanLimitMax) {
  public static final Limits DEFAULT = new Limits(4 * 1024, 1024 * 1024, 10_000);

  /** Why this key/value pair is refused, or null if it is within the limits. */
  public String checkWrite(byte[] key, byte[] value) {
    String k = checkKey(key);
    if (k != null) {
      return k;
    }
    if (value != null && value.length > valueSizeBytesMax) {
      return "value is " + value.length + " bytes; the limit is " + valueSizeBytesMax + " bytes";
    }
    return null;
  }

  public String checkKey(byte[] key) {
    if (key == null || key.length == 0) {
      return "key must not be empty";
    }
    if (key.length > keySizeBytesMax) {
      return "key is " + key.length + " bytes; the limit is " + keySizeBytesMax + " bytes";
    }
    return null;
  }
}
