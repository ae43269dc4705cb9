package io.bulwark.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.bulwark.client.BulwarkClient;
import io.bulwark.client.Transaction;
import io.bulwark.client.TransactionAbortedException;
import io.bulwark.client.VersionedValue;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code txn OP...}: one transaction (DESIGN §5, §8). Operations run in order: {@code get KEY}
 * reads (and the commit checks the read is still current), {@code put KEY VALUE} and
 * {@code delete KEY} are buffered and applied atomically at commit. They come from the arguments
 * or from {@code --file} (a JSON array of {@code {"op":"get|put|delete","key":K,"value":V}}).
 *
 * <p>Prints {@code COMMITTED} and each key read ({@code KEY = VALUE (version N)} or
 * {@code KEY absent}), or with {@code --json} one document
 * {@code {"outcome","txn","reads":[{"key","value","version"}],"writes":[{"key","value"}]}}.
 * Exit 0 committed; 1 aborted (the reason on standard error and in {@code "reason"}) or outcome
 * unknown; 2 usage; 3 cluster unavailable.
 */
@Command(
    name = "txn",
    mixinStandardHelpOptions = true,
    description = {"Run one transaction: operations in order, all writes atomically at commit.",
        "OP is 'get KEY', 'put KEY VALUE' or 'delete KEY', e.g.",
        "  bulwark txn get a put b 5 delete c",
        "Exit 0 committed, 1 aborted (prints the reason), 2 usage, 3 cluster unavailable."})
final class TxnCommand extends ClientCommand {
  /** The largest --file read; the cluster's own per-transaction limits are lower. */
  static final long FILE_BYTES_MAX = 16L * 1024 * 1024;

  @Mixin private KeyspaceOption keyspace;

  @Option(names = "--file", paramLabel = "FILE",
      description = "Read the operations from FILE: a JSON array of "
          + "{\"op\":\"get|put|delete\",\"key\":K,\"value\":V}.")
  private Path file;

  @Option(names = "--attempts", paramLabel = "N", defaultValue = "1",
      description = "Run the transaction up to N times while it aborts, with backoff "
          + "(default: ${DEFAULT-VALUE}: an abort is reported at once).")
  private int attempts;

  @Parameters(arity = "0..*", paramLabel = "OP",
      description = "get KEY | put KEY VALUE | delete KEY, repeated.")
  private List<String> words = new ArrayList<>();

  private List<TxnOp> ops;

  /** One operation of the transaction. */
  record TxnOp(String op, String key, String value) {}

  TxnCommand(CliEnvironment env) {
    super(env);
  }

  @Override
  protected void prepare() {
    if (attempts < 1) {
      throw usage("--attempts must be at least 1, was " + attempts);
    }
    if (file != null && !words.isEmpty()) {
      throw usage("give the operations either as arguments or with --file, not both");
    }
    ops = file != null ? readFile(file) : parseWords(words);
    if (ops.isEmpty()) {
      throw usage("no operations: give e.g. 'get a put b 5 delete c' or --file FILE");
    }
  }

  /** Parses {@code get K | put K V | delete K} repeated; usage errors name the position. */
  List<TxnOp> parseWords(List<String> w) {
    List<TxnOp> out = new ArrayList<>();
    int i = 0;
    while (i < w.size()) {
      String op = w.get(i);
      int args = switch (op) {
        case "get", "delete" -> 1;
        case "put" -> 2;
        default -> throw usage("operation " + (out.size() + 1) + ": '" + op
            + "' is not get, put or delete");
      };
      if (i + args >= w.size()) {
        throw usage("operation " + (out.size() + 1) + ": '" + op + "' needs "
            + (args == 1 ? "KEY" : "KEY VALUE"));
      }
      out.add(new TxnOp(op, w.get(i + 1), args == 2 ? w.get(i + 2) : null));
      i += args + 1;
    }
    return out;
  }

  private List<TxnOp> readFile(Path f) {
    JsonNode root;
    try {
      if (Files.size(f) > FILE_BYTES_MAX) {
        throw usage(f + " is over " + FILE_BYTES_MAX + " bytes");
      }
      root = new ObjectMapper().readTree(f.toFile());
    } catch (IOException e) {
      throw usage("cannot read " + f + ": " + e.getMessage());
    }
    if (root == null || !root.isArray()) {
      throw usage(f + ": expected a JSON array of {\"op\",\"key\",\"value\"} objects");
    }
    List<String> w = new ArrayList<>();
    int n = 0;
    for (JsonNode item : root) {
      n++;
      String op = item.path("op").asText("");
      JsonNode key = item.get("key");
      if (!item.isObject() || key == null || !key.isTextual()) {
        throw usage(f + ": operation " + n + " needs \"op\" and a string \"key\"");
      }
      w.add(op);
      w.add(key.asText());
      if (op.equals("put")) {
        JsonNode value = item.get("value");
        if (value == null || !value.isTextual()) {
          throw usage(f + ": operation " + n + " (put) needs a string \"value\"");
        }
        w.add(value.asText());
      }
    }
    return parseWords(w);
  }

  @Override
  protected int run(BulwarkClient client) {
    Transaction[] last = new Transaction[1];
    try {
      client.transact(keyspace.keyspace(), attempts, tx -> {
        last[0] = tx;
        for (TxnOp op : ops) {
          switch (op.op()) {
            case "get" -> tx.get(utf8(op.key()));
            case "put" -> tx.put(utf8(op.key()), utf8(op.value()));
            default -> tx.delete(utf8(op.key()));
          }
        }
        return null;
      });
    } catch (TransactionAbortedException e) {
      if (json()) {
        ObjectNode o = document("ABORTED", last[0]);
        o.put("reason", e.reason());
        printJson(o);
      } else {
        env.out().println("ABORTED txn=" + last[0].txnId());
      }
      env.err().println("error: " + e.getMessage());
      return ExitCode.FAILED;
    }
    if (json()) {
      printJson(document("COMMITTED", last[0]));
    } else {
      env.out().println("COMMITTED txn=" + last[0].txnId());
      for (Map.Entry<byte[], Optional<VersionedValue>> r : last[0].reads().entrySet()) {
        String key = new String(r.getKey(), java.nio.charset.StandardCharsets.UTF_8);
        env.out().println(r.getValue().map(v -> key + " = "
            + new String(v.value(), java.nio.charset.StandardCharsets.UTF_8) + " (version "
            + v.version() + ")").orElse(key + " absent"));
      }
    }
    return ExitCode.OK;
  }

  private ObjectNode document(String outcome, Transaction tx) {
    ObjectNode o = JsonFormat.object();
    o.put("outcome", outcome);
    o.put("txn", tx.txnId());
    ArrayNode reads = o.putArray("reads");
    for (Map.Entry<byte[], Optional<VersionedValue>> r : tx.reads().entrySet()) {
      ObjectNode item = reads.addObject();
      JsonFormat.putBytes(item, "key", r.getKey());
      if (r.getValue().isPresent()) {
        JsonFormat.putBytes(item, "value", r.getValue().get().value());
        item.put("version", r.getValue().get().version());
      } else {
        item.putNull("value");
        item.put("version", 0);
      }
    }
    ArrayNode writes = o.putArray("writes");
    for (TxnOp op : ops) {
      if (!op.op().equals("get")) {
        ObjectNode item = writes.addObject();
        item.put("key", op.key());
        if (op.value() == null) {
          item.putNull("value");
        } else {
          item.put("value", op.value());
        }
      }
    }
    return o;
  }
}
