package dev.gil4j.multiprocessing;

import java.util.AbstractSet;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * Python's {@code frozenset}: an immutable {@link Set}, which {@link Connection#send} pickles as a
 * {@code frozenset} (any other {@code Set} travels as a {@code set}) and {@link Connection#recv}
 * returns for one. Iteration follows the order the elements were given; {@code equals} and {@code
 * hashCode} are those of every {@code Set}. Every mutator throws {@link
 * UnsupportedOperationException}.
 *
 * @param <E> the type of the elements
 */
public final class FrozenSet<E> extends AbstractSet<E> {
  private final Set<E> elements;

  private FrozenSet(Set<E> elements) {
    this.elements = Collections.unmodifiableSet(elements);
  }

  /** A frozen set of {@code elements} (duplicates dropped), as Python's {@code frozenset(it)}. */
  public static <E> FrozenSet<E> of(Collection<? extends E> elements) {
    return new FrozenSet<>(new LinkedHashSet<>(elements));
  }

  /** A frozen set of {@code elements}. */
  @SafeVarargs
  public static <E> FrozenSet<E> of(E... elements) {
    Set<E> set = new LinkedHashSet<>();
    Collections.addAll(set, elements);
    return new FrozenSet<>(set);
  }

  @Override
  public Iterator<E> iterator() {
    return elements.iterator();
  }

  @Override
  public int size() {
    return elements.size();
  }

  @Override
  public boolean contains(Object o) {
    return elements.contains(o);
  }

  @Override
  public String toString() {
    return "frozenset(" + elements + ")";
  }
}
