"""Lock contention under CPython's GIL: the same operations on 1 and 4 threads, for three shapes of
locking. Each operation does about 2 microseconds of work (method calls on an object, calibrated at
start) while holding its lock(s):
  lock    one threading.Lock around every operation
  rw      a readers-writer lock built on threading.Condition; one operation in 8 writes
  nested  a global lock with 4 stripe locks nested inside it; half the operations take only the
          stripe
Usage: python3 locks.py [ops (default 200000)] [shapes (comma-separated, default lock,rw,nested)].
Prints one JSON line per shape: the wall time of the same total operations on 1 and on 4 threads,
their ratio (speedup of 4 threads over 1: below 1 means slower), and, as held_LOCK, the share of the
wall time spent holding each lock at 1 thread (in a run of its own), and, as owner_changes_LOCK, the
share of the 4-thread run's acquisitions of each lock that found it last owned by another thread
(a convoy hands every lock from thread to thread; a releaser that re-takes its lock keeps it).

Why the nested shape convoys: a lock's acquire first tries without blocking, holding the GIL; if
that fails it releases the GIL and blocks on the lock (Modules/_threadmodule.c, acquire_timed).
A waiter woken by the release takes the lock in C, without the GIL, and only then waits for the
GIL (take_gil in Python/ceval_gil.c) -- holding the lock. Until the GIL holder blocks or is asked
to drop after a switch interval, every thread that needs that lock blocks too."""
import json, sys, threading, time

OPS = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
SHAPES = sys.argv[2].split(",") if len(sys.argv) > 2 else ["lock", "rw", "nested"]
STRIPES = 4

class Counter:
    def __init__(self): self.x = 1
    def step(self): self.x = (self.x * 1103515245 + 12345) & 0x7FFFFFFF

def work(c, steps):
    for _ in range(steps):
        c.step()

def calibrate():
    c = Counter(); steps = 1000
    while True:
        s = time.thread_time(); work(c, steps); d = time.thread_time() - s
        if d > 0.05: return max(1, round(steps * 2e-6 / d))
        steps *= 2

class RWLock:
    """Readers share, a writer excludes all: a Condition and a reader count, as Python code does."""
    def __init__(self):
        self.cond = threading.Condition(threading.Lock()); self.readers = 0; self.writer = False
    def acquire_read(self):
        with self.cond:
            while self.writer: self.cond.wait()
            self.readers += 1
    def release_read(self):
        with self.cond:
            self.readers -= 1
            if self.readers == 0: self.cond.notify_all()
    def acquire_write(self):
        with self.cond:
            while self.writer or self.readers: self.cond.wait()
            self.writer = True
    def release_write(self):
        with self.cond:
            self.writer = False; self.cond.notify_all()

class Held:
    """Time spent holding each lock; only the run for the shares measures."""
    def __init__(self, on): self.on = on; self.t = {}
    def add(self, name, d): self.t[name] = self.t.get(name, 0.0) + d

def owned(o, c):
    """Under the lock: o is [last owner (its thread's Counter), owner changes, acquisitions]."""
    if o[0] is not c: o[0] = c; o[1] += 1
    o[2] += 1

def op_lock(st, i, c, steps, held):
    with st["lock"]:
        owned(st["own_lock"], c)
        s = time.perf_counter() if held.on else 0
        work(c, steps)
        if held.on: held.add("lock", time.perf_counter() - s)

def op_rw(st, i, c, steps, held):
    rw = st["rw"]
    if i % 8 == 0:
        rw.acquire_write(); s = time.perf_counter() if held.on else 0
        work(c, steps)
        if held.on: held.add("write", time.perf_counter() - s)
        rw.release_write()
    else:
        rw.acquire_read(); s = time.perf_counter() if held.on else 0
        work(c, steps)
        if held.on: held.add("read", time.perf_counter() - s)
        rw.release_read()

def op_nested(st, i, c, steps, held):
    stripe = st["stripes"][i % STRIPES]
    if i % 2 == 0:
        with st["global"]:
            owned(st["own_global"], c)
            g = time.perf_counter() if held.on else 0
            with stripe:
                owned(st["own_stripes"][i % STRIPES], c)
                s = time.perf_counter() if held.on else 0
                work(c, steps)
                if held.on: held.add("stripe", time.perf_counter() - s)
            if held.on: held.add("global", time.perf_counter() - g)
    else:
        with stripe:
            owned(st["own_stripes"][i % STRIPES], c)
            s = time.perf_counter() if held.on else 0
            work(c, steps)
            if held.on: held.add("stripe", time.perf_counter() - s)

OPS_BY_SHAPE = {"lock": op_lock, "rw": op_rw, "nested": op_nested}

def run(shape, threads, steps, timed=False):
    st = {"lock": threading.Lock(), "rw": RWLock(), "global": threading.Lock(),
          "stripes": [threading.Lock() for _ in range(STRIPES)],
          "own_lock": [None, 0, 0], "own_global": [None, 0, 0],
          "own_stripes": [[None, 0, 0] for _ in range(STRIPES)]}
    op = OPS_BY_SHAPE[shape]; held = Held(timed)
    def body(k, first):
        c = Counter()
        for i in range(first, first + k): op(st, i, c, steps, held)
    share = OPS // threads
    ths = [threading.Thread(target=body, args=(share, t * share)) for t in range(threads)]
    s = time.perf_counter()
    for t in ths: t.start()
    for t in ths: t.join()
    wall = time.perf_counter() - s
    owners = {"lock": [st["own_lock"]], "global": [st["own_global"]], "stripe": st["own_stripes"]}
    changes = {k: round(sum(o[1] for o in os) / sum(o[2] for o in os), 3)
               for k, os in owners.items() if sum(o[2] for o in os)}
    return wall, {k: round(v / wall, 3) for k, v in held.t.items()}, changes

if __name__ == "__main__":
    steps = calibrate()
    for shape in SHAPES:
        if shape not in OPS_BY_SHAPE:
            print(f"locks.py: unknown shape {shape!r}; accepted: lock, rw, nested", file=sys.stderr); sys.exit(2)
        # A clock read costs close to a microsecond on some virtual machines: the held shares come
        # from a run of their own, and the timed runs read no clock per operation.
        _, shares, _ = run(shape, 1, steps, timed=True)
        one, _, _ = run(shape, 1, steps)
        four, _, changes = run(shape, 4, steps)
        row = {"shape": shape, "ops": OPS, "work_steps": steps, "wall_s_1": round(one, 3),
               "wall_s_4": round(four, 3), "speedup_4": round(one / four, 3)}
        row.update({"held_" + k: v for k, v in shares.items()})
        row.update({"owner_changes_" + k: v for k, v in changes.items()})
        print(json.dumps(row))
