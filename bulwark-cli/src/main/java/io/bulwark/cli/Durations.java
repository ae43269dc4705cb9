package io.bulwark.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Reads durations as people type them: {@code 500ms}, {@code 60s}, {@code 2m}, {@code 1h}, or ISO
 * 8601 ({@code PT60S}). A bare number is refused, because its unit would be a guess.
 */
public final class Durations implements ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d{1,9})(ms|s|m|h)");

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /**
   * Parses {@code text}.
   *
   * @throws TypeConversionException naming the accepted forms, for a malformed or negative value
   */
  public static Duration parse(String text) {
    String t = text.trim();
    Matcher m = SIMPLE.matcher(t);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      switch (m.group(2)) {
        case "ms":
          return Duration.ofMillis(n);
        case "s":
          return Duration.ofSeconds(n);
        case "m":
          return Duration.ofMinutes(n);
        case "h":
          return Duration.ofHours(n);
        default:
          throw new IllegalStateException("unhandled unit " + m.group(2));
      }
    }
    if (t.startsWith("PT") || t.startsWith("pt")) {
      try {
        Duration d = Duration.parse(t);
        if (!d.isNegative()) {
          return d;
        }
      } catch (DateTimeParseException e) {
        // Fall through to the message that lists the accepted forms.
      }
    }
    throw new TypeConversionException(
        "'" + text + "' is not a duration; write e.g. 500ms, 60s, 2m or 1h");
  }
}
