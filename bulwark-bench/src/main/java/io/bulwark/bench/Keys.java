package io.bulwark.bench;

import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;

/**
 * Key and value bytes of the bench, the same for every system. Keys are printable ASCII with a
 * fixed width, valid as etcd keys, Bulwark keys and ZooKeeper znode names alike.
 */
public final class Keys {
  private Keys() {}

  /** Key number {@code i}: {@code bench-00000042}. */
  public static byte[] key(int i) {
    return String.format("bench-%08d", i).getBytes(StandardCharsets.US_ASCII);
  }

  /**
   * A value of {@code size} pseudo-random lowercase letters drawn from {@code seed}: not a
   * repeated byte, so no side gains from compressing its log or data files.
   */
  public static byte[] value(int size, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    byte[] v = new byte[size];
    for (int i = 0; i < size; i++) {
      v[i] = (byte) ('a' + random.nextInt(26));
    }
    return v;
  }
}
