package dev.gil4j.multiprocessing;

import dev.gil4j.threading.BrokenBarrierError;
import java.io.IOException;
import java.io.Serializable;

/**
 * A barrier shared by a process and its children: Python's {@code multiprocessing.Barrier}. A fixed
 * number of parties, threads of any of the processes, meet at {@link #await} and leave together,
 * again and again. Python's {@code wait} is {@code await} here.
 *
 * <p><b>Guarantees</b>, those of {@code dev.gil4j.threading.Barrier}, whose instance in the
 * creating process holds the state (see {@link Shared}):
 *
 * <ul>
 *   <li><i>Blocking:</i> {@code await} blocks, with gil4j's GIL released, until {@code parties}
 *       threads have called it; each then returns a distinct index, 0 (first to arrive) to {@code
 *       parties - 1} (last). Rounds never mix.
 *   <li><i>Action:</i> runs once per round before anyone leaves, <b>in the creating process</b>
 *       (where the lambda's captured state lives), on the thread that serves the last arrival: the
 *       arriving thread itself if it is of the creating process, else gil4j's serving thread, which
 *       does not take the GIL (so such an action runs beside the GIL's holder). CPython runs it in
 *       the process of the last arrival; Java cannot send a lambda's code to another process unless
 *       it is {@link Serializable}. An action that throws breaks the barrier; the last arrival, if
 *       in another process, gets {@link IllegalStateException} naming the action's failure.
 *   <li><i>Breaking:</i> {@link #abort()}, a wait that times out, or a failed action leave it
 *       broken: waiting and later {@code await} calls throw {@link BrokenBarrierError} until {@link
 *       #reset()}, which also breaks the current round's waits.
 *   <li><i>Timeouts:</i> seconds; {@code -1} means the barrier's default, itself {@code -1}
 *       (forever) unless given; a value {@code <= 0} breaks the barrier unless this call completes
 *       the round.
 *   <li><i>A party that dies:</i> its wait, served in the creating process, goes on; if it was the
 *       last one needed, the round completes without it; else the others wait, until a timeout
 *       breaks the barrier — as in CPython.
 *   <li><i>Interruption:</i> not interruptible; an interrupt is kept and set again on return.
 *   <li><i>Measured:</i> each wait that blocks is recorded under kind {@code Barrier} and the line
 *       that created the barrier, in the waiting process and in the creating process.
 * </ul>
 *
 * <p><b>Errors</b>: {@code parties < 1} — {@link IllegalArgumentException} "parties must be > 0".
 * In a child, the creating process gone — {@link IOException}.
 */
public final class Barrier extends SharedPrimitive {
  private static final long serialVersionUID = 1L;

  private final transient int parties;
  private final transient dev.gil4j.threading.Barrier local;

  /** A barrier for {@code parties}, without action or default timeout, owned by this process. */
  public Barrier(int parties) {
    this(parties, null, -1);
  }

  /** A barrier for {@code parties} whose {@code action} (may be null) runs once per round. */
  public Barrier(int parties, Runnable action) {
    this(parties, action, -1);
  }

  /**
   * A barrier for {@code parties} with an {@code action} (may be null) and a default {@code
   * timeout} in seconds ({@code -1}: none).
   */
  public Barrier(int parties, Runnable action, double timeout) {
    super("Barrier");
    this.parties = parties;
    this.local = new dev.gil4j.threading.Barrier(parties, action, timeout);
  }

  Barrier(Handle h) {
    super(h);
    this.parties = (Integer) h.extra();
    this.local = null;
  }

  @Override
  Serializable extra() {
    return parties;
  }

  /**
   * Waits, with the default timeout, until all parties have arrived; returns this party's index.
   *
   * @throws BrokenBarrierError if the barrier is or becomes broken, or is reset, while waiting
   */
  public int await() throws IOException {
    return await(-1);
  }

  /**
   * Waits at most {@code timeout} seconds ({@code -1}: the default) until all parties have arrived;
   * returns this party's index.
   *
   * @throws BrokenBarrierError if the barrier is or becomes broken, is reset, or the wait times out
   */
  public int await(double timeout) throws IOException {
    return (int) call(Shared.WAIT, true, timeoutFor(true, timeout), 0).value();
  }

  /** Returns the barrier to its initial state; parties waiting in it throw. */
  public void reset() throws IOException {
    call(Shared.RESET, false, 0, 0);
  }

  /** Breaks the barrier: waits throw {@link BrokenBarrierError} until {@link #reset()}. */
  public void abort() throws IOException {
    call(Shared.ABORT, false, 0, 0);
  }

  /** How many parties must call {@link #await} to pass. */
  public int parties() {
    return parties;
  }

  /** How many parties wait in the current round. Python: {@code n_waiting}. */
  public int nWaiting() throws IOException {
    return (int) call(Shared.N_WAITING, false, 0, 0).value();
  }

  /** Whether the barrier is broken. */
  public boolean broken() throws IOException {
    return call(Shared.BROKEN, false, 0, 0).value() != 0;
  }

  @Override
  Shared.Result serve(byte op, boolean blocking, double timeout, int n) {
    switch (op) {
      case Shared.WAIT -> {
        long start = System.nanoTime();
        int index = local.await(timeout);
        // the last arrival did not wait
        long waited = index == parties - 1 ? 0 : System.nanoTime() - start;
        return new Shared.Result(index, waited);
      }
      case Shared.RESET -> local.reset();
      case Shared.ABORT -> local.abort();
      case Shared.N_WAITING -> {
        return new Shared.Result(local.nWaiting(), 0);
      }
      case Shared.BROKEN -> {
        return new Shared.Result(local.broken() ? 1 : 0, 0);
      }
      default -> throw new IllegalStateException("not a Barrier operation: " + op);
    }
    return new Shared.Result(0, 0);
  }
}
