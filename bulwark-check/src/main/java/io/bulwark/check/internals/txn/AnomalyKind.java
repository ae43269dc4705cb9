package io.bulwark.check.internals.txn;

/**
 * The anomalies the txn checker reports, in the order it prefers them when two involve equally few
 * txns (the most basic first). Names follow Adya's phenomena as Elle uses them.
 */
enum AnomalyKind {
  INTERNAL(
      "internal",
      "internal inconsistency: a read disagrees with the txn's own earlier read or write"),
  GARBAGE_READ("garbage-read", "a read of a value that no txn wrote"),
  G1A("G1a", "aborted read: a read of a value that only a failed txn wrote"),
  G1B("G1b", "intermediate read: a read of a value its writer overwrote within the same txn"),
  G0("G0", "write cycle, of ww edges alone"),
  G1C("G1c", "circular information flow, of ww and wr edges"),
  G2("G2", "anti-dependency cycle, with rw edges, as in write skew");

  private final String label;
  private final String meaning;

  AnomalyKind(String label, String meaning) {
    this.label = label;
    this.meaning = meaning;
  }

  /** The short name that starts a report, for example {@code G1c}. */
  String label() {
    return label;
  }

  /** What the anomaly is, in a phrase. */
  String meaning() {
    return meaning;
  }
}
