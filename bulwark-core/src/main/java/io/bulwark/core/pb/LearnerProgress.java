package io.bulwark.core.pb;

/**
 * How far a learner's copy has come, as its primary knows it (DESIGN §6 progress): the index it
 * durably acked against the primary's last index, and the snapshot bytes (keys and values) sent
 * to it by this primary.
 */
public record LearnerProgress(String node, long ackedIndex, long lastIndex, long bytesSent) {
  /** Acked over last index, 0..100; 100 once it holds the whole log. */
  public int percent() {
    if (lastIndex <= 0 || ackedIndex >= lastIndex) {
      return 100;
    }
    return (int) Math.max(0, Math.min(99, ackedIndex * 100 / lastIndex));
  }
}
