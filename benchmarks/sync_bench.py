"""CPython's multiprocessing Lock, Condition, Barrier, Value beside gil4j's SharedLockCost.

owner_uncontended_ns  acquire + release in the creating process, ns
child_uncontended_us  the same in a child process, us
handoff_us            parent and child pass a turn through two Semaphore(0), per hand-off, us
contended_per_s       parent and child loop acquire/release on one lock for --ms; both together, 1/s
value_increment_child_us  `with v.get_lock(): v.value += 1` on Value('i') in a child, us
condition_round_trip_us   parent sets a turn and notifies, the child's wait_for takes it and hands
                          it back through the same Condition, us per round trip
barrier_round_us      parent and child meet at a Barrier(2), us per round

Run: python3 benchmarks/sync_bench.py [--batches N] [--ms MS]
"""
import argparse
import multiprocessing as mp
import statistics
import time


CONDITION_ROUNDS = 500


def child(lock, ping, pong, out, batches, rounds, ms, value, turn, cond, barrier):
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
    inc = []
    for _ in range(batches):
        n = 20000
        t = time.perf_counter()
        for _ in range(n):
            with value.get_lock():
                value.value += 1
        inc.append((time.perf_counter() - t) * 1e6 / n)
    out.put(statistics.median(inc))
    for _ in range(batches * CONDITION_ROUNDS):
        with cond:
            cond.wait_for(lambda: turn.value == 1)
            turn.value = 0
            cond.notify()
    for _ in range(batches * CONDITION_ROUNDS):
        barrier.wait()


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
    value, turn = ctx.Value("i", 0), ctx.Value("i", 0, lock=False)
    cond, barrier = ctx.Condition(), ctx.Barrier(2)
    p = ctx.Process(
        target=child,
        args=(lock, ping, pong, out, args.batches, rounds, args.ms, value, turn, cond, barrier),
    )
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
    metric("value_increment_child_us", out.get(timeout=600), "us")
    condition = []
    for _ in range(args.batches):
        t = time.perf_counter()
        for _ in range(CONDITION_ROUNDS):
            with cond:
                turn.value = 1
                cond.notify()
                cond.wait_for(lambda: turn.value == 0)
        condition.append((time.perf_counter() - t) * 1e6 / CONDITION_ROUNDS)
    metric("condition_round_trip_us", statistics.median(condition), "us")
    rounds_ = []
    for _ in range(args.batches):
        t = time.perf_counter()
        for _ in range(CONDITION_ROUNDS):
            barrier.wait()
        rounds_.append((time.perf_counter() - t) * 1e6 / CONDITION_ROUNDS)
    metric("barrier_round_us", statistics.median(rounds_), "us")
    p.join()


if __name__ == "__main__":
    main()
