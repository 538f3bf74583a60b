"""CPython's GIL hand-off latency: the same ping-pong as dev.gil4j.benchmarks.PingPong.

Two threads hit a ball back and forth, each blocking until the other wakes it. CPython releases
the GIL around every blocking call, so each wake-up is also a GIL hand-off: the figure to set
beside gil4j's under gil=on.

  wake     two threading.Lock objects used as binary semaphores (Java: LockSupport.park/unpark)
  monitor  threading.Condition with wait/notify                  (Java: synchronized, wait/notify)
  queue    two queue.Queue objects                               (Java: two SynchronousQueues)

Each variant runs a calibration batch, warm-up batches, then measured batches of about
--batch-ms each, in fresh threads; the figure is the median batch. Prints, per variant,
"gil4j-metric pingpong_<variant>_round_trip_us <median> us".

Run: python3 benchmarks/pingpong.py [--batches N] [--batch-ms MS] [--variants wake,monitor,queue]
"""

import argparse
import faulthandler
import platform
import queue
import statistics
import sys
import threading
import time


class Wake:
    def __init__(self):
        self.to_pong = threading.Lock()
        self.to_pong.acquire()
        self.to_ping = threading.Lock()
        self.to_ping.acquire()

    def ping(self, rounds):
        for _ in range(rounds):
            self.to_pong.release()
            self.to_ping.acquire()

    def pong(self, rounds):
        for _ in range(rounds):
            self.to_pong.acquire()
            self.to_ping.release()


class Monitor:
    def __init__(self):
        self.cond = threading.Condition()
        self.at_pong = False

    def ping(self, rounds):
        for _ in range(rounds):
            with self.cond:
                self.at_pong = True
                self.cond.notify()
                while self.at_pong:
                    self.cond.wait()

    def pong(self, rounds):
        for _ in range(rounds):
            with self.cond:
                while not self.at_pong:
                    self.cond.wait()
                self.at_pong = False
                self.cond.notify()


class Queue:
    def __init__(self):
        self.to_pong = queue.Queue()
        self.to_ping = queue.Queue()

    def ping(self, rounds):
        for _ in range(rounds):
            self.to_pong.put(True)
            self.to_ping.get()

    def pong(self, rounds):
        for _ in range(rounds):
            self.to_ping.put(self.to_pong.get())


COURTS = {"wake": Wake, "monitor": Monitor, "queue": Queue}


def play(variant, rounds):
    """Plays `rounds` round trips in two fresh threads; returns ping's elapsed nanoseconds."""
    court = COURTS[variant]()
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


def measure(variant, batches, batch_ms):
    calibration = play(variant, 500)
    rounds = max(100, 500 * batch_ms * 1_000_000 // max(1, calibration))
    for _ in range(2):
        play(variant, rounds)
    return statistics.median(play(variant, rounds) / 1e3 / rounds for _ in range(batches))


class OneLineParser(argparse.ArgumentParser):
    """Says what is wrong with the arguments in one line, and exits with status 2."""

    def error(self, message):
        usage = " ".join(self.format_usage().split()[1:])
        print(f"{self.prog}: {message}; usage: {usage}", file=sys.stderr)
        sys.exit(2)


def main():
    parser = OneLineParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=9)
    parser.add_argument("--batch-ms", type=int, default=100)
    parser.add_argument("--variants", default="wake,monitor,queue")
    args = parser.parse_args()
    variants = args.variants.split(",")
    for variant in variants:
        if variant not in COURTS:
            parser.error(f"unknown variant {variant}; accepted: {', '.join(COURTS)}")
    if args.batches < 1 or args.batch_ms < 1:
        parser.error("--batches and --batch-ms must be at least 1")
    # A hang dumps every thread's stack and exits, instead of blocking whoever runs this.
    faulthandler.dump_traceback_later(120, exit=True)
    print(f"runtime CPython {platform.python_version()}")
    print(f"gil4j-metric switch_interval_us {sys.getswitchinterval() * 1e6:.0f} us")
    for variant in variants:
        micros = measure(variant, args.batches, args.batch_ms)
        print(f"gil4j-metric pingpong_{variant}_round_trip_us {micros:.2f} us", flush=True)


if __name__ == "__main__":
    main()
