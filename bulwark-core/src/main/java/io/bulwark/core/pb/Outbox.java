package io.bulwark.core.pb;

import java.util.ArrayList;
import java.util.List;

/** Effects produced while handling inputs, drained by the runtime in order. Not thread-safe. */
public final class Outbox {
  private final List<Effect> effects = new ArrayList<>();

  public void add(Effect e) {
    effects.add(e);
  }

  public List<Effect> drain() {
    List<Effect> out = new ArrayList<>(effects);
    effects.clear();
    return out;
  }

  public boolean isEmpty() {
    return effects.isEmpty();
  }
}
