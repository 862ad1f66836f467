"""Time gradlib.optim.descend: 7 optimizers x 500 steps on Rosenbrock (target <= 50 ms in total).

    python benchmarks/bench_optim.py [--repeats 15]

Every run is forced to take all 500 steps (tol=0, learning rates that neither converge exactly
nor diverge), so the figure is 3500 real steps: evaluate f and grad (and the Hessian for Newton)
at one point, one optimizer update, the bound and finiteness checks, and the bookkeeping.
Also prints the cost of one update on a 10,000-parameter vector (the MLP use).
"""
from __future__ import annotations

import argparse
import statistics
import time

import numpy as np

from gradlib import optim, surfaces

TARGET_MS = 50.0
STEPS = 500


def optimizers() -> list[optim.Optimizer]:
    return [optim.gd(1e-3), optim.momentum(1e-3), optim.nesterov(1e-3), optim.adagrad(0.1),
            optim.rmsprop(1e-2), optim.adam(1e-2), optim.newton(0.5, damping=1.0)]


def race(surface: surfaces.Surface) -> tuple[float, dict[str, float], int]:
    """Seconds for the whole race, seconds per optimizer, total steps taken."""
    per: dict[str, float] = {}
    total_steps = 0
    t_all = time.perf_counter()
    for opt in optimizers():
        t0 = time.perf_counter()
        path = optim.descend(surface, opt, steps=STEPS, tol=0.0)
        per[opt.name] = time.perf_counter() - t0
        total_steps += path.steps
    return time.perf_counter() - t_all, per, total_steps


def update_cost(n: int = 10_000, repeats: int = 2000) -> dict[str, float]:
    """Microseconds per update on an n-vector, per optimizer (no Newton: no n x n Hessian)."""
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=n), rng.normal(size=n)
    out = {}
    for opt in optimizers()[:-1] + [optim.adamw(1e-3)]:
        state = opt.init(x)
        y = x
        t0 = time.perf_counter()
        for _ in range(repeats):
            y, state = opt.update(y, g, state)
        out[opt.name] = (time.perf_counter() - t0) / repeats * 1e6
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    surface = surfaces.get("rosenbrock")
    race(surface)                                   # compile the surface, warm caches
    runs = [race(surface) for _ in range(args.repeats)]
    totals = [r[0] * 1e3 for r in runs]
    steps = runs[0][2]
    median = statistics.median(totals)
    print(f"descend on Rosenbrock: 7 optimizers x {STEPS} steps ({steps} steps taken), "
          f"median of {args.repeats}: {median:.1f} ms (min {min(totals):.1f}, max {max(totals):.1f}); "
          f"target <= {TARGET_MS:.0f} ms -> {'OK' if median <= TARGET_MS else 'MISSED'}")
    for name in runs[0][1]:
        ms = statistics.median(r[1][name] for r in runs) * 1e3
        print(f"  {name:9s} {ms:6.2f} ms  ({ms / STEPS * 1e3:5.1f} us/step)")
    print("one update on a 10,000-parameter vector (the MLP use):")
    for name, us in update_cost().items():
        print(f"  {name:9s} {us:6.1f} us")


if __name__ == "__main__":
    main()
