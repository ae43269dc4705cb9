package io.bulwark.sim;

import io.bulwark.check.history.MicroOp;
import io.bulwark.check.history.OpType;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The transactional workloads (DESIGN §5, §9), one per phase, and the bank they share. Accounts
 * ({@code a0, a1, ...}) start absent, which counts as balance 0, so the bank's total is always 0;
 * a balance is stored as {@code "<balance>#<unique tag>"} so that every written value is unique
 * in the run, as the txn checker requires (a read names its writer). Random transactions use
 * their own keys ({@code t0, t1, ...}) and unique values; nobody deletes (the checker's
 * precondition).
 */
final class TxnWorkloads {
  private TxnWorkloads() {}

  /** Unique tags for written values. */
  static final class Tags {
    private long next;

    String next() {
      return "v" + next++;
    }
  }

  /** The balance a stored account value holds (absent: 0). */
  static long balance(String value) {
    return value == null ? 0 : Long.parseLong(value.substring(0, value.indexOf('#')));
  }

  /** A transfer of 1..5 between two distinct accounts. */
  static SimTxnClient.Plan transfer(SplittableRandom random, List<String> accounts, Tags tags) {
    int i = random.nextInt(accounts.size());
    int j = (i + 1 + random.nextInt(accounts.size() - 1)) % accounts.size();
    String from = accounts.get(i);
    String to = accounts.get(j);
    long amount = 1 + random.nextInt(5);
    return new SimTxnClient.Plan("transfer", List.of(from, to), read -> {
      Map<String, String> w = new LinkedHashMap<>();
      w.put(from, (balance(read.get(from)) - amount) + "#" + tags.next());
      w.put(to, (balance(read.get(to)) + amount) + "#" + tags.next());
      return w;
    });
  }

  /** Reads every account: a read-only transaction, validated at commit. */
  static SimTxnClient.Plan audit(List<String> accounts) {
    return new SimTxnClient.Plan("audit", accounts, read -> Map.of());
  }

  /** 1..4 micro-ops on random keys: reads first, then blind writes of other keys. */
  static SimTxnClient.Plan random(SplittableRandom random, List<String> keys, Tags tags) {
    List<String> shuffled = new ArrayList<>(keys);
    Collections.shuffle(shuffled, new java.util.Random(random.nextLong()));
    int n = 1 + random.nextInt(Math.min(4, keys.size()));
    int reads = random.nextInt(n + 1);
    List<String> r = List.copyOf(shuffled.subList(0, reads));
    List<String> w = List.copyOf(shuffled.subList(reads, n));
    return new SimTxnClient.Plan("random", r, read -> {
      Map<String, String> out = new LinkedHashMap<>();
      for (String k : w) {
        out.put(k, tags.next());
      }
      return out;
    });
  }

  /**
   * The sums of every committed audit (any committed txn that read every account): each must
   * be 0, or money was created or lost (a partial commit, or a lost write).
   */
  static final class Bank {
    final List<String> accounts;
    final List<String> badAudits = new ArrayList<>();
    long audits;

    Bank(List<String> accounts) {
      this.accounts = accounts;
    }

    void observe(List<MicroOp> ops) {
      Map<String, String> read = new TreeMap<>();
      for (MicroOp op : ops) {
        if (op.isRead()) {
          read.put(op.key(), op.value());
        }
      }
      if (!read.keySet().containsAll(accounts)) {
        return;
      }
      audits++;
      long sum = 0;
      for (String a : accounts) {
        sum += balance(read.get(a));
      }
      if (sum != 0 && badAudits.size() < 5) {
        badAudits.add("total " + sum + " in " + read);
      }
    }
  }

  /** Chaos phase: transfers (50%), audits (10%) and random transactions (40%). */
  static final class Mix implements SimTxnClient.Workload {
    private final SplittableRandom random;
    private final List<String> accounts;
    private final List<String> keys;
    private final Tags tags;
    private final Bank bank;
    private final int steps;
    private int invoked;

    Mix(SplittableRandom random, List<String> accounts, List<String> keys, Tags tags, Bank bank,
        int steps) {
      this.random = random;
      this.accounts = accounts;
      this.keys = keys;
      this.tags = tags;
      this.bank = bank;
      this.steps = steps;
    }

    boolean done() {
      return invoked >= steps;
    }

    @Override
    public SimTxnClient.Plan next(SimTxnClient client) {
      if (done()) {
        return null;
      }
      invoked++;
      int dice = random.nextInt(100);
      if (dice < 50) {
        return transfer(random, accounts, tags);
      }
      if (dice < 60) {
        return audit(accounts);
      }
      return TxnWorkloads.random(random, keys, tags);
    }

    @Override
    public void completed(SimTxnClient client, SimTxnClient.Plan plan, OpType outcome,
        List<MicroOp> microOps) {
      if (outcome == OpType.OK) {
        bank.observe(microOps);
      }
    }
  }

  /**
   * Liveness phase: each client must commit one transfer after healing (retrying aborts with
   * backoff), then one client must commit an audit: the bank's final state.
   */
  static final class CommitOnceEach implements SimTxnClient.Workload {
    private final SplittableRandom random;
    private final List<String> accounts;
    private final Tags tags;
    private final Bank bank;
    private final Set<String> pending = new TreeSet<>();
    private final String auditor;
    private final Set<SimTxnClient.Plan> issued =
        Collections.newSetFromMap(new IdentityHashMap<>());
    private boolean audited;
    private Map<String, String> finalBalances;

    CommitOnceEach(SplittableRandom random, List<SimTxnClient> clients, List<String> accounts,
        Tags tags, Bank bank) {
      this.random = random;
      this.accounts = accounts;
      this.tags = tags;
      this.bank = bank;
      clients.forEach(c -> pending.add(c.id()));
      this.auditor = clients.get(0).id();
    }

    boolean done() {
      return pending.isEmpty() && audited;
    }

    String pending() {
      return "clients without a committed transfer " + pending + (audited ? "" : ", no final"
          + " audit committed");
    }

    /** Account -> value read by the final audit. */
    Map<String, String> finalBalances() {
      return finalBalances;
    }

    @Override
    public SimTxnClient.Plan next(SimTxnClient client) {
      SimTxnClient.Plan p;
      if (pending.contains(client.id())) {
        p = transfer(random, accounts, tags);
      } else if (client.id().equals(auditor) && pending.isEmpty() && !audited) {
        p = audit(accounts);
      } else {
        return null;
      }
      issued.add(p);
      return p;
    }

    @Override
    public void completed(SimTxnClient client, SimTxnClient.Plan plan, OpType outcome,
        List<MicroOp> microOps) {
      if (outcome == OpType.OK) {
        bank.observe(microOps);
      }
      if (outcome != OpType.OK || !issued.contains(plan)) {
        return;
      }
      if (plan.kind().equals("audit")) {
        audited = true;
        finalBalances = new TreeMap<>();
        microOps.forEach(op -> finalBalances.put(op.key(), op.value()));
      } else {
        pending.remove(client.id());
      }
    }
  }
}
