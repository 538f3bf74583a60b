"""CPython's threading and multiprocessing primitives, measured as gil4j's are in Java.

The figures to set beside dev.gil4j.benchmarks.UncontendedPrimitives, PrimitiveHandoff and
PipeLatency; `bash benchmarks/run.sh threading` runs all four and prints them side by side.

  uncontended  one thread, timeit loops timed by the thread's CPU clock (as the JMH figures are),
               ns per operation (the best repeat, loop included):
               lock, rlock             acquire(); release()
               rlock_reentered         the same on an RLock the thread already holds
               semaphore               acquire(); release() on Semaphore(1)
               event_set_clear         set(); clear(); is_set()
               event_wait_set          wait() on an event that is set
               empty                   an empty statement: what the timeit loop itself costs
  handoff      two threads alternating strictly, each blocking until the other hands over, us per
               hand-off (the median batch's round trip / 2):
               lock, rlock             a chain of three locks, each released by its acquirer
               semaphore               two Semaphore(0) as signals, one per direction
               event                   two Events: set the other's, wait for one's own, clear it
  pipe         multiprocessing.Pipe() to a child process (spawned) that echoes; per size (64 B,
               1 MiB, 16 MiB):
               round_trip              send_bytes, recv_bytes of the echo, us
               round_trip_cpu          CPU time of both processes per round trip, us
               stream                  a batch sent one way, then one answered message; us per
                                       message, and MB/s

Prints "gil4j-metric <name> <value> <unit>" lines, e.g. "gil4j-metric handoff_lock_us 7.5 us",
and first "runtime CPython <version>". A run still going after --timeout seconds dumps every
thread's stack and exits, instead of blocking whoever runs this.

Run: python3 benchmarks/threading_bench.py [--sections uncontended,handoff,pipe] [--batches N]
     [--batch-ms MS] [--repeat N] [--sizes 64,1048576,16777216] [--timeout S]
"""

import argparse
import faulthandler
import multiprocessing
import os
import platform
import statistics
import sys
import threading
import time
import timeit

ECHO, SINK, ANSWER = b"E", b"S", b"A"


# ------------------------------------------------------------------------------- uncontended


def uncontended(repeat, batch_ms):
    """Best time per operation of each statement, in ns, over `repeat` timeit repeats."""
    lock = threading.Lock()
    rlock = threading.RLock()
    held = threading.RLock()
    held.acquire()
    semaphore = threading.Semaphore(1)
    event = threading.Event()
    event_set = threading.Event()
    event_set.set()
    names = locals()
    rows = {
        "lock": "lock.acquire(); lock.release()",
        "rlock": "rlock.acquire(); rlock.release()",
        "rlock_reentered": "held.acquire(); held.release()",
        "semaphore": "semaphore.acquire(); semaphore.release()",
        "event_set_clear": "event.set(); event.clear(); event.is_set()",
        "event_wait_set": "event_set.wait()",
        "empty": "pass",
    }
    for row, stmt in rows.items():
        timer = timeit.Timer(stmt, timer=time.thread_time, globals=names)
        number, seconds = timer.autorange()
        number = max(1, int(number * batch_ms / 1000 / seconds))
        best = min(timer.repeat(repeat=repeat, number=number)) / number
        metric(f"uncontended_{row}_ns", best * 1e9, "ns")


# ------------------------------------------------------------------------------- hand-off


class Chain:
    """Three locks passed around so that two threads alternate strictly.

    The thread whose turn it is holds two; the other holds one and waits for one of those two.
    ping starts holding 0 and 1 and at step i releases i % 3, then acquires (i + 2) % 3; pong starts
    holding 2 and at step i acquires i % 3, then releases (i + 2) % 3. Both hold their first locks
    before either starts: a Lock has no owner, so a chain out of phase would run on unhindered.
    """

    def __init__(self, factory):
        self.locks = [factory(), factory(), factory()]
        self.ping_holds = threading.Event()
        self.pong_holds = threading.Event()

    def ping(self, rounds):
        m = self.locks
        m[0].acquire()
        m[1].acquire()
        self.ping_holds.set()
        self.pong_holds.wait()
        for i in range(rounds):
            m[i % 3].release()
            m[(i + 2) % 3].acquire()
        m[rounds % 3].release()
        m[(rounds + 1) % 3].release()

    def pong(self, rounds):
        m = self.locks
        self.ping_holds.wait()
        m[2].acquire()
        self.pong_holds.set()
        for i in range(rounds):
            m[i % 3].acquire()
            m[(i + 2) % 3].release()
        m[(rounds + 2) % 3].release()


class Semaphores:
    """Two semaphores of no permits, one per direction: release the other's, acquire one's own."""

    def __init__(self):
        self.to_pong = threading.Semaphore(0)
        self.to_ping = threading.Semaphore(0)

    def ping(self, rounds):
        for _ in range(rounds):
            self.to_pong.release()
            self.to_ping.acquire()

    def pong(self, rounds):
        for _ in range(rounds):
            self.to_pong.acquire()
            self.to_ping.release()


class Events:
    """Two events, one per direction: set the other's, wait until one's own is set, clear it."""

    def __init__(self):
        self.to_pong = threading.Event()
        self.to_ping = threading.Event()

    def ping(self, rounds):
        for _ in range(rounds):
            self.to_pong.set()
            while not self.to_ping.is_set():
                self.to_ping.wait()
            self.to_ping.clear()

    def pong(self, rounds):
        for _ in range(rounds):
            while not self.to_pong.is_set():
                self.to_pong.wait()
            self.to_pong.clear()
            self.to_ping.set()


COURTS = {
    "lock": lambda: Chain(threading.Lock),
    "rlock": lambda: Chain(threading.RLock),
    "semaphore": Semaphores,
    "event": Events,
}


def play(court, rounds):
    """Plays `rounds` round trips in two fresh threads; returns ping's elapsed nanoseconds."""
    elapsed = []

    def ping():
        start = time.perf_counter_ns()
        court.ping(rounds)
        elapsed.append(time.perf_counter_ns() - start)

    threads = [threading.Thread(target=court.pong, args=(rounds,)), threading.Thread(target=ping)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return elapsed[0]


def handoff(batches, batch_ms):
    for name, court in COURTS.items():
        calibration = play(court(), 500)
        rounds = max(100, 500 * batch_ms * 1_000_000 // max(1, calibration))
        for _ in range(2):
            play(court(), rounds)
        round_trip = statistics.median(
            play(court(), rounds) / 1e3 / rounds for _ in range(batches)
        )
        metric(f"handoff_{name}_us", round_trip / 2, "us")


# ------------------------------------------------------------------------------- pipe


def serve(conn):
    """The child: answers messages until the parent closes its end."""
    faulthandler.dump_traceback_later(600, exit=True)
    while True:
        try:
            m = conn.recv_bytes()
        except EOFError:
            return
        if m[:1] == ECHO:
            conn.send_bytes(m)
        elif m[:1] == ANSWER:
            conn.send_bytes(ANSWER)


def round_trips(conn, message, n):
    start = time.perf_counter_ns()
    for _ in range(n):
        conn.send_bytes(message)
        if len(conn.recv_bytes()) != len(message):
            sys.exit("the echo came back with another length")
    return time.perf_counter_ns() - start


def stream(conn, message, n):
    start = time.perf_counter_ns()
    for _ in range(n):
        conn.send_bytes(message)
    conn.send_bytes(ANSWER)
    if conn.recv_bytes() != ANSWER:
        sys.exit("the child's answer to a stream was not A")
    return time.perf_counter_ns() - start


def calibrate(one, batch_ms):
    """How many operations fill about batch_ms, from as many single ones as fill 50 ms."""
    spent, n = 0, 0
    while spent < 50_000_000 or n < 3:
        spent += one()
        n += 1
    return max(3, n * batch_ms * 1_000_000 // spent)


def median_micros(batch, ops, batches):
    batch()
    return statistics.median(batch() / 1e3 / ops for _ in range(batches))


def cpu_seconds(child_pid):
    """CPU time of this process and the child together (the kernel's clock ticks, 10 ms)."""
    with open(f"/proc/{child_pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    mine = os.times()
    return mine.user + mine.system + (int(fields[11]) + int(fields[12])) / ticks


def pipe(sizes, batches, batch_ms):
    # spawn, as gil4j's Process does: a forked child would inherit this process's end too (and
    # never see the end of the stream) and the lock of the faulthandler's watchdog thread.
    spawn = multiprocessing.get_context("spawn")
    here, there = spawn.Pipe()
    child = spawn.Process(target=serve, args=(there,))
    child.start()
    there.close()
    try:
        for size in sizes:
            name = {64: "64b", 1 << 20: "1mib", 16 << 20: "16mib"}.get(size, str(size))
            echo = ECHO + bytes(size - 1)
            sink = SINK + bytes(size - 1)
            # as PipeLatency: a second at each size first (CPython has no JIT; the same schedule)
            end = time.perf_counter() + 1.0
            while time.perf_counter() < end:
                round_trips(here, echo, 1)
                stream(here, sink, 1)
            n = calibrate(lambda: round_trips(here, echo, 1), batch_ms)
            cpu = cpu_seconds(child.pid)
            rt = median_micros(lambda: round_trips(here, echo, n), n, batches)
            rt_cpu = (cpu_seconds(child.pid) - cpu) * 1e6 / (n * (batches + 1))
            n = calibrate(lambda: stream(here, sink, 1), batch_ms)
            st = median_micros(lambda: stream(here, sink, n), n, batches)
            metric(f"pipe_{name}_round_trip_us", rt, "us")
            metric(f"pipe_{name}_round_trip_cpu_us", rt_cpu, "us")
            metric(f"pipe_{name}_stream_us", st, "us")
            metric(f"pipe_{name}_stream_mb_s", size / st, "MB/s")
    finally:
        here.close()
        child.join(30)
        if child.is_alive():
            print(f"pipe child {child.pid} still running 30 s after the end: killed", file=sys.stderr)
            child.kill()
            child.join()


# ------------------------------------------------------------------------------- main


def metric(name, value, unit):
    print(f"gil4j-metric {name} {value:.3f} {unit}", flush=True)


class OneLineParser(argparse.ArgumentParser):
    """Says what is wrong with the arguments in one line, and exits with status 2."""

    def error(self, message):
        usage = " ".join(self.format_usage().split()[1:])
        print(f"{self.prog}: {message}; usage: {usage}", file=sys.stderr)
        sys.exit(2)


def main():
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sections", default="uncontended,handoff,pipe")
    parser.add_argument("--batches", type=int, default=9)
    parser.add_argument("--batch-ms", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--sizes", default=f"64,{1 << 20},{16 << 20}")
    parser.add_argument("--timeout", type=int, default=240)
    args = parser.parse_args()
    sections = args.sections.split(",")
    known = ("uncontended", "handoff", "pipe")
    for s in sections:
        if s not in known:
            parser.error(f"unknown section {s}; accepted: {', '.join(known)}")
    try:
        sizes = [int(s) for s in args.sizes.split(",")]
    except ValueError:
        parser.error(f"--sizes must be sizes in bytes separated by commas; got {args.sizes}")
    if min(args.batches, args.batch_ms, args.repeat, args.timeout, *sizes) < 1:
        parser.error("--batches, --batch-ms, --repeat, --timeout and sizes must be at least 1")
    faulthandler.dump_traceback_later(args.timeout, exit=True)
    print(f"runtime CPython {platform.python_version()}", flush=True)
    if "uncontended" in sections:
        uncontended(args.repeat, args.batch_ms)
    if "handoff" in sections:
        handoff(args.batches, args.batch_ms)
    if "pipe" in sections:
        pipe(sizes, args.batches, args.batch_ms)


if __name__ == "__main__":
    main()
