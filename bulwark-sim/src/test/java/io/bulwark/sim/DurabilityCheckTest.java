package io.bulwark.sim;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.bulwark.check.history.History;
import io.bulwark.check.history.Op;
import io.bulwark.check.history.OpFunction;
import io.bulwark.check.history.OpType;
import io.bulwark.check.history.OpValue;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Goal: the durability check fails on known-bad histories and passes good ones (STYLE P7).
 * Method: hand-made histories of one key and a final value.
 */
class DurabilityCheckTest {
  private final List<Op> events = new ArrayList<>();

  private void write(long process, String value, long invoke, Long complete, OpType outcome) {
    Op inv = new Op(process, OpType.INVOKE, OpFunction.WRITE, "k", new OpValue.Scalar(value),
        invoke);
    events.add(inv);
    if (complete != null) {
      events.add(inv.complete(outcome, complete));
    }
  }

  private String check(String finalValue) throws Exception {
    Map<String, String> finals = new HashMap<>();
    finals.put("k", finalValue);
    return DurabilityCheck.findLostWrite(History.of(events), finals);
  }

  @Test
  void olderValueAtTheEnd_isALostWrite() throws Exception {
    write(1, "a", 0, 10L, OpType.OK);
    write(1, "b", 20, 30L, OpType.OK);
    String problem = check("a");
    assertNotNull(problem);
    assertTrue(problem.contains("\"b\""), problem);
  }

  @Test
  void concurrentWriteMayWin_andAnInfoWriteMayComeAnyTimeLater() throws Exception {
    write(1, "a", 0, 10L, OpType.OK);
    write(2, "b", 5, 30L, OpType.OK);
    assertNull(check("a"), "a returned after b was invoked: a may be last");
    write(3, "c", 40, 50L, OpType.INFO);
    write(1, "d", 60, 70L, OpType.OK);
    assertNull(check("c"), "an info write may take effect after d");
  }

  @Test
  void valueNobodyWrote_orAMissingKey_isCaught() throws Exception {
    write(1, "a", 0, 10L, OpType.OK);
    assertNotNull(check("zz"));
    assertNotNull(check(null), "no delete, yet the acknowledged write is gone");
    write(2, null, 20, 30L, OpType.OK);
    assertNull(check(null), "deleted");
  }
}
