package io.bulwark.core.pb;

import java.util.List;

/**
 * The applied state of one shard: its keys, values and versions, the replicated dedup table
 * (DESIGN §3.4, §7), and the transaction state (DESIGN §5): write intents, read locks and
 * transaction records, all of which {@link #apply} changes, {@link #snapshot} carries and
 * {@link #install} replaces, so they survive failover, snapshot install and crash replay like the
 * data. {@link MemoryShardStateMachine} is the reference implementation of the transaction rules
 * (see {@link Op.TxnPrepare} and the other transaction ops for what each entry decides). The replica core calls it synchronously, from its one thread; the server
 * backs it with RocksDB and the simulator with memory.
 *
 * <p>Contract: {@link #apply} is atomic — the data change, the dedup record and the new applied
 * index land together or not at all — and is called for index {@code appliedIndex() + 1} only,
 * with committed entries only. It need not be durable when it returns: after a crash, the
 * runtime replays the (durable) log above {@link #appliedIndex()}.
 */
public interface ShardStateMachine {

  /** Index of the last applied entry; 0 for an empty shard. */
  long appliedIndex();

  /** Epoch of the last applied entry (or of the installed snapshot); 0 for an empty shard. */
  long appliedEpoch();

  /**
   * Applies one committed entry. A command whose {@code (clientId, seq)} was applied before is
   * not applied again: its recorded outcome is returned. Records for seqs below the command's
   * {@code firstUnackedSeq} are forgotten in batches: when a newly applied command finds at
   * least {@link #forgetBatch} of its client's records (the forgetting marker below included)
   * below its {@code firstUnackedSeq}, all of them are dropped — and the forgetting is
   * recorded: a later command of that client with a seq below {@code firstUnackedSeq} of that
   * forgetting, and no record, is a stale duplicate (a copy of an old request still in the
   * network, which its client promised never to send again): it is not applied, and
   * {@link #FORGOTTEN} is returned. The forgetting is replicated state, carried in snapshots
   * like the records (as a {@link DedupRecord} at seq {@code firstUnackedSeq - 1} with outcome
   * {@link #FORGOTTEN}, which replaces the previous one). Until its batch is forgotten, a stale
   * duplicate finds its record and gets the recorded outcome, so it is not applied either way.
   */
  Outcome apply(LogEntry entry);

  /**
   * How many of a client's records below its {@code firstUnackedSeq} are forgotten at once. One
   * at a time, every apply would drop a record and replace the forgetting marker: two more
   * writes per apply in a store that keeps the table on disk.
   */
  int FORGET_BATCH = 8;

  /**
   * The forgetting batch of {@code clientId}: {@link #FORGET_BATCH}, or 1 (forget at once, as
   * before batches) for a transaction identity ({@link Op#isTxnClientId}). Its phases are a
   * fence: once a later phase applied, an older one that never applied here must not apply
   * either (docs/transactions.md, txn seed 9), which only a marker written at once can tell. A
   * client's request, by contrast, that never applied here and that its client moved past was
   * refused before any append, or ended unknown and may still apply.
   */
  static int forgetBatch(String clientId) {
    return Op.isTxnClientId(clientId) ? 1 : FORGET_BATCH;
  }

  /**
   * The recorded outcome of {@code (clientId, seq)}; {@link #FORGOTTEN} if the seq is below what
   * the client's {@code firstUnackedSeq} let this state machine forget; null if never applied.
   */
  Outcome appliedOutcome(String clientId, long seq);

  /**
   * The outcome of a stale duplicate: the seq's record was forgotten, so it must not apply.
   * Its version, -1, is no real version: no outcome of an applied command equals it.
   */
  Outcome FORGOTTEN = new Outcome(false, -1, null);

  /** The current value of {@code key}, or null if it is absent. */
  Versioned get(byte[] key);

  /** Up to {@code limit} keys starting with {@code prefix}, in byte order. */
  List<KeyValue> scan(byte[] prefix, int limit);

  /** The write intent on {@code key}, or null. */
  Intent intentOn(byte[] key);

  /**
   * A transaction other than {@code exceptTxnId} (null: any) holding an intent or a read lock on
   * {@code key} (the intent's holder first), or null if there is none. A plain write of a key
   * with a holder is refused (LOCKED); a prepare meeting one votes NO.
   */
  String lockHolder(byte[] key, String exceptTxnId);

  /** The record of {@code txnId} kept in this shard, or null. */
  TxnRecord txnRecord(String txnId);

  /** Transactions prepared here and not yet resolved, in the order they prepared. */
  List<PreparedTxn> preparedTxns();

  /** Records in this shard still PENDING, in the order they were created. */
  List<TxnRecord> pendingTxnRecords();

  /** A consistent copy of the whole applied state, for a learner or a lagging replica (§3.11). */
  Snapshot snapshot();

  /** Replaces the whole applied state with a snapshot's; afterwards appliedIndex() = its index. */
  void install(Snapshot snapshot);

  /**
   * A shard's applied state at one index. {@code entries} are the keys; {@code dedup} the dedup
   * table; {@code txn} the transaction state. Held in memory: shards are sized so that a snapshot
   * fits (the runtime chunks it on the wire).
   */
  record Snapshot(
      long index, long epoch, List<KeyValue> entries, List<DedupRecord> dedup, TxnState txn) {

    /** A snapshot without transaction state. */
    public Snapshot(long index, long epoch, List<KeyValue> entries, List<DedupRecord> dedup) {
      this(index, epoch, entries, dedup, TxnState.EMPTY);
    }
  }

  /**
   * The transaction state of a snapshot: prepared transactions (their intents and read locks) in
   * preparation order, and every transaction record in creation order.
   */
  record TxnState(List<PreparedTxn> prepared, List<TxnRecord> records) {
    public static final TxnState EMPTY = new TxnState(List.of(), List.of());

    public TxnState {
      prepared = List.copyOf(prepared);
      records = List.copyOf(records);
    }

    public boolean isEmpty() {
      return prepared.isEmpty() && records.isEmpty();
    }
  }

  /** One dedup-table row: the outcome recorded for {@code (clientId, seq)}. */
  record DedupRecord(String clientId, long seq, Outcome outcome) {}
}
