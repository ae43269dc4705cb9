package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.bulwark.client.BulwarkException;
import io.bulwark.client.ErrorCode;
import org.junit.jupiter.api.Test;

/** Goal: client error codes map to DESIGN §8 exit codes; unknown outcomes say so. */
class ErrorsTest {
  @Test
  void unavailability_isExitThree() {
    assertEquals(3, Errors.exitCode(ErrorCode.CLUSTER_UNAVAILABLE));
    assertEquals(3, Errors.exitCode(ErrorCode.UNAVAILABLE));
    assertEquals(3, Errors.exitCode(ErrorCode.NOT_PRIMARY));
  }

  @Test
  void refusalsAndUnknownOutcomes_areExitOne() {
    for (ErrorCode c : new ErrorCode[] {ErrorCode.INDETERMINATE, ErrorCode.INVALID_ARGUMENT,
        ErrorCode.UNKNOWN_KEYSPACE, ErrorCode.KEYSPACE_EXISTS, ErrorCode.DISK_FULL,
        ErrorCode.INTERNAL}) {
      assertEquals(1, Errors.exitCode(c), c.name());
    }
  }

  @Test
  void everyCode_hasAnExitCode() {
    for (ErrorCode c : ErrorCode.values()) {
      Errors.exitCode(c);
    }
  }

  @Test
  void indefiniteFailure_saysTheOutcomeIsUnknown() {
    BulwarkException e = new BulwarkException(ErrorCode.INDETERMINATE, false, "put timed out");
    assertEquals("put timed out (outcome unknown: the operation may or may not have taken effect)",
        Errors.message(e));
    assertEquals("keyspace 'x' does not exist",
        Errors.message(new BulwarkException(ErrorCode.UNKNOWN_KEYSPACE, true,
            "keyspace 'x' does not exist")));
  }
}
