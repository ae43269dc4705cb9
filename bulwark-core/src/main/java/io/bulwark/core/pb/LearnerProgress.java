package io.bulwark.core.pb;

/**
 * How far a learner's copy has come, as its primary knows it (DESIGN §6 progress): the index it
 * durably acked against the primary's last index, and the bytes this primary copied to it: the
 * snapshot's keys and values sent, plus the log entries it acked ({@link LogEntry#sizeBytes()}).
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
