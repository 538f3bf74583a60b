"""CPython's multiprocessing.Lock beside gil4j's SharedLockCost: the same four figures.

owner_uncontended_ns  acquire + release in the creating process, ns
child_uncontended_us  the same in a child process, us
handoff_us            parent and child pass a turn through two Semaphore(0), per hand-off, us
contended_per_s       parent and child loop acquire/release on one lock for --ms; both together, 1/s

Run: python3 benchmarks/sync_bench.py [--batches N] [--ms MS]
"""
import argparse
import multiprocessing as mp
import statistics
import time


def child(lock, ping, pong, out, batches, rounds, ms):
    unc = []
    for _ in range(batches):
        n = 20000
        t = time.perf_counter()
        for _ in range(n):
            lock.acquire()
            lock.release()
        unc.append((time.perf_counter() - t) * 1e6 / n)
    out.put(statistics.median(unc))
    for _ in range(batches * rounds):
        ping.acquire()
        pong.release()
    count = 0
    end = time.perf_counter() + ms / 1000
    while time.perf_counter() < end:
        lock.acquire()
        lock.release()
        count += 1
    out.put(count)


def metric(name, value, unit):
    print(f"gil4j-metric sync_{name} {value:.3f} {unit}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--batches", type=int, default=5)
    parser.add_argument("--ms", type=int, default=1000)
    args = parser.parse_args()
    ctx = mp.get_context("spawn")
    lock = ctx.Lock()
    owner = []
    for _ in range(args.batches):
        n = 200000
        t = time.perf_counter()
        for _ in range(n):
            lock.acquire()
            lock.release()
        owner.append((time.perf_counter() - t) * 1e9 / n)
    metric("owner_uncontended_ns", statistics.median(owner), "ns")
    ping, pong, out = ctx.Semaphore(0), ctx.Semaphore(0), ctx.Queue()
    rounds = 2000
    p = ctx.Process(target=child, args=(lock, ping, pong, out, args.batches, rounds, args.ms))
    p.start()
    metric("child_uncontended_us", out.get(timeout=600), "us")
    handoff = []
    for _ in range(args.batches):
        t = time.perf_counter()
        for _ in range(rounds):
            ping.release()
            pong.acquire()
        handoff.append((time.perf_counter() - t) * 1e6 / rounds / 2)
    metric("handoff_us", statistics.median(handoff), "us")
    count = 0
    t = time.perf_counter()
    end = t + args.ms / 1000
    while time.perf_counter() < end:
        lock.acquire()
        lock.release()
        count += 1
    theirs = out.get(timeout=600)
    metric("contended_per_s", (count + theirs) / (time.perf_counter() - t), "1/s")
    p.join()


if __name__ == "__main__":
    main()
