package io.bulwark.client;

import io.bulwark.core.common.Invariants;
import io.bulwark.proto.v1.RequestId;
import java.util.concurrent.ConcurrentSkipListSet;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Numbers a client's writes for exactly-once application (DESIGN §3 rule 4, {@code RequestId}
 * in api.proto). Seqs start at 1 and are never reused. A seq is outstanding from {@link #begin}
 * until {@link #end}, which the client calls once it will never send that seq again (success or
 * a thrown error); {@code first_unacked_seq} is the smallest outstanding seq, so a node may forget
 * the results of every seq below it. Thread-safe.
 */
final class RequestIds {
  private final String clientId;
  private final AtomicLong nextSeq = new AtomicLong(1);
  private final ConcurrentSkipListSet<Long> outstanding = new ConcurrentSkipListSet<>();
  private final Object beginLock = new Object();

  RequestIds(String clientId) {
    this.clientId = clientId;
  }

  String clientId() {
    return clientId;
  }

  /**
   * Takes the next seq and marks it outstanding, atomically: were the two steps apart, another
   * thread could send a {@code first_unacked_seq} above a seq that is about to be sent.
   */
  long begin() {
    synchronized (beginLock) {
      long seq = nextSeq.getAndIncrement();
      outstanding.add(seq);
      return seq;
    }
  }

  /** The id for an attempt of {@code seq}; each attempt reads the current first unacked seq. */
  RequestId idFor(long seq) {
    long first = outstanding.first();
    Invariants.check(first <= seq, "first unacked seq %s above outstanding seq %s", first, seq);
    return RequestId.newBuilder()
        .setClientId(clientId).setSeq(seq).setFirstUnackedSeq(first).build();
  }

  void end(long seq) {
    outstanding.remove(seq);
  }

  /** For tests: the seqs outstanding now. */
  int outstandingCount() {
    return outstanding.size();
  }
}
