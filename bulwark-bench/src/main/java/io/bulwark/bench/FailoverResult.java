package io.bulwark.bench;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The write-unavailability gaps of one system's kills: each the time from just before the kill
 * was issued to the first write of the probe key acknowledged after the victim was gone.
 *
 * @param victims who was killed, one per gap
 */
public record FailoverResult(String name, List<Double> gapsMs, List<String> victims) {
  public FailoverResult {
    gapsMs = List.copyOf(gapsMs);
    victims = List.copyOf(victims);
  }

  /** The median gap (the mean of the middle two for an even count); 0 if there were no kills. */
  public double medianGapMs() {
    if (gapsMs.isEmpty()) {
      return 0;
    }
    List<Double> sorted = new ArrayList<>(gapsMs);
    Collections.sort(sorted);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  public double maxGapMs() {
    return gapsMs.stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }
}
