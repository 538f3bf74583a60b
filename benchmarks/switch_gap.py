"""What a forced GIL switch costs two CPU-bound threads: the gap from the last bytecode the holder ran
before the switch to the first its successor ran after it. The Python twin of SwitchGap.java.

Each thread runs short chunks of work (10 generator steps) and reads the clock after each; a gap of
over 20 us between two readings is a stretch the thread did not run. A hand-off is a gap of one
thread that the other thread's gap spans the start of and that the other thread's ends inside: its
cost is from the one's stop to the other's resumption.

Usage: switch_gap.py [--seconds S] [--warm-up S] [--switch-interval S]; defaults 2, 1 and CPython's.
Prints "runtime CPython X.Y.Z" and gil4j-metric lines: switch_gap_switches_per_s,
switch_gap_median_us, switch_gap_p90_us, switch_gap_lost_pct."""
import argparse, faulthandler, platform, sys, threading, time

from pingpong import OneLineParser

GAP_NS = 20_000
CHUNK = 10
MASK = (1 << 64) - 1


class Spinner:
    def __init__(self):
        self.state = 1
        self.gaps = []

    def run(self, until, record):
        ns = time.perf_counter_ns
        state = self.state
        gaps = self.gaps
        last = ns()
        while last < until:
            for _ in range(CHUNK):
                state = (state * 6364136223846793005 + 1442695040888963407) & MASK
            now = ns()
            if record and now - last > GAP_NS:
                gaps.append((last, now))
            last = now
        self.state = state


def run_all(spinners, seconds, record):
    start = time.perf_counter_ns()
    until = start + int(seconds * 1e9)
    threads = [threading.Thread(target=s.run, args=(until, record)) for s in spinners]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter_ns() - start


def hand_offs(frm, to):
    """A gap of frm whose stop falls inside a gap of to that ends before frm resumes."""
    costs = []
    j = 0
    for stopped, resumed in frm.gaps:
        while j < len(to.gaps) and to.gaps[j][1] <= stopped:
            j += 1
        if j < len(to.gaps) and to.gaps[j][0] < stopped and to.gaps[j][1] < resumed:
            costs.append(to.gaps[j][1] - stopped)
    return costs


def positive(text):
    v = float(text)
    if not 0 < v <= 600:
        raise argparse.ArgumentTypeError(f"takes seconds between 0 and 600, not '{text}'")
    return v


def main():
    p = OneLineParser(prog="switch_gap.py", description=__doc__.splitlines()[0])
    p.add_argument("--seconds", type=positive, default=2.0)
    p.add_argument("--warm-up", type=positive, default=1.0)
    p.add_argument("--switch-interval", type=positive, default=None)
    a = p.parse_args()
    # A hang dumps every thread's stack and exits, instead of blocking whoever runs this.
    faulthandler.dump_traceback_later(120, exit=True)
    if a.switch_interval is not None:
        sys.setswitchinterval(a.switch_interval)
    spinners = [Spinner(), Spinner()]
    run_all(spinners, a.warm_up, False)
    measured = run_all(spinners, a.seconds, True)
    costs = sorted(hand_offs(spinners[0], spinners[1]) + hand_offs(spinners[1], spinners[0]))
    print(f"runtime CPython {platform.python_version()}")
    print(f"switch_gap.py: {len(costs)} hand-offs in {measured / 1e9:.2f} s, "
          f"{len(spinners[0].gaps)} and {len(spinners[1].gaps)} gaps in all")
    print(f"gil4j-metric switch_gap_switches_per_s {len(costs) / (measured / 1e9):.3f} 1/s")
    if costs:
        print(f"gil4j-metric switch_gap_median_us {costs[len(costs) // 2] / 1e3:.3f} us")
        print(f"gil4j-metric switch_gap_p90_us {costs[int(len(costs) * 0.9)] / 1e3:.3f} us")
    print(f"gil4j-metric switch_gap_lost_pct {100.0 * sum(costs) / measured:.3f} %")


if __name__ == "__main__":
    main()
