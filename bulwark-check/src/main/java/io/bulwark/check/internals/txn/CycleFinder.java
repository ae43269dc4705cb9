package io.bulwark.check.internals.txn;

import io.bulwark.check.internals.Deadline;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.List;

/**
 * Finds a shortest cycle in the subgraph of a {@link DependencyGraph} whose edges have a kind in a
 * mask: Tarjan's algorithm splits the subgraph into strongly connected components (a cycle exists
 * iff one has two or more nodes), then a breadth-first search from each node of such a component
 * finds the shortest cycle through it. Elle searches the same way.
 *
 * <p>Tarjan runs without recursion, so long dependency chains cannot overflow the stack. The
 * breadth-first searches are quadratic, so they stop at the deadline with the shortest cycle found
 * so far; at least one search always runs, so a cycle that exists is always reported. Single use,
 * not thread-safe.
 */
final class CycleFinder {
  private static final int UNVISITED = -1;

  private final DependencyGraph graph;
  private final int[][] successors;

  CycleFinder(DependencyGraph graph, int mask) {
    this.graph = graph;
    this.successors = new int[graph.size()][];
    for (int node = 0; node < graph.size(); node++) {
      successors[node] =
          graph.edgesFrom(node).entrySet().stream()
              .filter(e -> e.getValue().hasAny(mask))
              .mapToInt(e -> e.getKey())
              .sorted()
              .toArray();
    }
  }

  /** The nodes of a shortest cycle found, in edge order, or an empty list if there is none. */
  List<Integer> shortestCycle(Deadline deadline) {
    List<Integer> best = List.of();
    for (int[] component : components()) {
      if (component.length < 2) {
        continue;
      }
      boolean[] inComponent = new boolean[graph.size()];
      for (int node : component) {
        inComponent[node] = true;
      }
      for (int start : component) {
        if (best.size() == 2 || (!best.isEmpty() && deadline.expired())) {
          return best; // two is the shortest possible cycle, as self-edges are left out
        }
        List<Integer> cycle = shortestCycleThrough(start, inComponent);
        if (best.isEmpty() || cycle.size() < best.size()) {
          best = cycle;
        }
      }
    }
    return best;
  }

  /** A breadth-first search from {@code start} back to it, inside one component. */
  private List<Integer> shortestCycleThrough(int start, boolean[] inComponent) {
    int[] parent = new int[graph.size()];
    Arrays.fill(parent, UNVISITED);
    Deque<Integer> queue = new ArrayDeque<>();
    queue.add(start);
    parent[start] = start;
    while (!queue.isEmpty()) {
      int node = queue.poll();
      for (int next : successors[node]) {
        if (next == start) {
          return pathTo(node, parent, start);
        }
        if (inComponent[next] && parent[next] == UNVISITED) {
          parent[next] = node;
          queue.add(next);
        }
      }
    }
    throw new IllegalStateException("no cycle through a node of a strongly connected component");
  }

  private static List<Integer> pathTo(int last, int[] parent, int start) {
    List<Integer> path = new ArrayList<>();
    for (int node = last; node != start; node = parent[node]) {
      path.add(node);
    }
    path.add(start);
    Collections.reverse(path);
    return path;
  }

  /** Tarjan's strongly connected components, iteratively. */
  private List<int[]> components() {
    int n = graph.size();
    int[] index = new int[n];
    int[] lowLink = new int[n];
    boolean[] onStack = new boolean[n];
    Arrays.fill(index, UNVISITED);
    Deque<Integer> stack = new ArrayDeque<>();
    List<int[]> components = new ArrayList<>();
    int[] nextChild = new int[n];
    Deque<Integer> callStack = new ArrayDeque<>();
    int counter = 0;
    for (int root = 0; root < n; root++) {
      if (index[root] != UNVISITED) {
        continue;
      }
      callStack.push(root);
      while (!callStack.isEmpty()) {
        int node = callStack.peek();
        if (index[node] == UNVISITED) {
          index[node] = counter;
          lowLink[node] = counter;
          counter++;
          stack.push(node);
          onStack[node] = true;
        }
        if (nextChild[node] < successors[node].length) {
          int child = successors[node][nextChild[node]++];
          if (index[child] == UNVISITED) {
            callStack.push(child);
          } else if (onStack[child]) {
            lowLink[node] = Math.min(lowLink[node], index[child]);
          }
          continue;
        }
        callStack.pop();
        if (!callStack.isEmpty()) {
          int caller = callStack.peek();
          lowLink[caller] = Math.min(lowLink[caller], lowLink[node]);
        }
        if (lowLink[node] == index[node]) {
          components.add(popComponent(stack, onStack, node));
        }
      }
    }
    return components;
  }

  private static int[] popComponent(Deque<Integer> stack, boolean[] onStack, int root) {
    List<Integer> members = new ArrayList<>();
    int member;
    do {
      member = stack.pop();
      onStack[member] = false;
      members.add(member);
    } while (member != root);
    return members.stream().mapToInt(Integer::intValue).sorted().toArray();
  }
}
