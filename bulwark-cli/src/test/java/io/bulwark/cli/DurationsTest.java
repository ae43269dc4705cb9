package io.bulwark.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine.TypeConversionException;

/** Goal: {@code --time-limit}/{@code --wait} read durations as people write them. */
class DurationsTest {
  @Test
  void unitsAndIso_areRead() {
    assertEquals(Duration.ofMillis(500), Durations.parse("500ms"));
    assertEquals(Duration.ofSeconds(60), Durations.parse("60s"));
    assertEquals(Duration.ofMinutes(2), Durations.parse("2m"));
    assertEquals(Duration.ofHours(1), Durations.parse("1h"));
    assertEquals(Duration.ofSeconds(90), Durations.parse("PT90S"));
  }

  @ParameterizedTest
  @ValueSource(strings = {"60", "s", "-5s", "1d", "PT-1S", "sixty seconds"})
  void anythingElse_isRefusedNamingTheForms(String text) {
    TypeConversionException e =
        assertThrows(TypeConversionException.class, () -> Durations.parse(text));
    assertEquals("'" + text + "' is not a duration; write e.g. 500ms, 60s, 2m or 1h",
        e.getMessage());
  }
}
