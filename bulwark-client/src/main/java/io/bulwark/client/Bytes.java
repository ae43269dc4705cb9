package io.bulwark.client;

/** Renders byte arrays in {@code toString} of the value records: printable ASCII as is, else hex. */
final class Bytes {
  private static final int SHOWN_BYTES_MAX = 64;

  private Bytes() {}

  static String show(byte[] b) {
    if (b == null) {
      return "null";
    }
    int n = Math.min(b.length, SHOWN_BYTES_MAX);
    boolean printable = true;
    for (int i = 0; i < n; i++) {
      printable &= b[i] >= 0x20 && b[i] < 0x7f;
    }
    StringBuilder sb = new StringBuilder(printable ? "\"" : "0x");
    for (int i = 0; i < n; i++) {
      if (printable) {
        sb.append((char) b[i]);
      } else {
        sb.append(Character.forDigit((b[i] >> 4) & 0xf, 16)).append(Character.forDigit(b[i] & 0xf, 16));
      }
    }
    if (printable) {
      sb.append('"');
    }
    if (b.length > n) {
      sb.append("...(").append(b.length).append(" bytes)");
    }
    return sb.toString();
  }
}
