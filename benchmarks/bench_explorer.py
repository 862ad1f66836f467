"""Kernel time of the descent explorer per control change (issue 11: <= 10 ms per slider update).

    .venv/bin/python benchmarks/bench_explorer.py [--repeats 60]

The explorer is drawn by the browser (gradlib/widgets/canvas.js): a settings change costs the
kernel the path, its numbers and words, and one message with the frame. Measured in one process,
with one BLAS thread, no browser (the widget's state is still serialized for its comm):

  update        ``controls["lr"].value = v`` with a value never used before (no cache hit) on
                ``descent_explorer("rosenbrock", "gd", steps=200)``: 200 steps of descend,
                2/lambda_max along the path, the status line, the frame (float64 bytes) sent
  update, 1000  the same with steps=1000
  frame only    ``experiments.descent_frame(settings)`` (the pure function, path included)
  cached        a setting seen before (the path comes from the explorer's cache)
  new surface   switching the surface the first time: contours rendered by matplotlib once
                (then cached: switching back costs an update)
  static copy   ``static_html()``: the kernel-free copy with every surface (once per display)
  race          7 optimizers x 500 steps on Rosenbrock (``race``, the pure computation)
  race update   ``optimizer_race("rosenbrock")`` (6 optimizers, 300 steps): one lr slider moved
                to a fresh value: the race, the leaderboard, the frame sent (<= 10 ms target)
  quadratic     ``quadratic_explorer()``: the lr slider moved (<= 10 ms target)

Each is reported as the median wall time and the median CPU time of this process (the machine
is shared: wall times grow when the other core is busy, CPU times much less).
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from gradlib import experiments, optim  # noqa: E402
from gradlib.widgets import descent  # noqa: E402

TARGET_MS = 10.0
TARGET_RACE_MS = 50.0


class Timer:
    """Collects (wall, cpu) seconds of repeated calls."""

    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def __call__(self, fn: Callable[[], object]) -> None:
        w, c = time.perf_counter(), time.process_time()
        fn()
        self.cpu.append(time.process_time() - c)
        self.wall.append(time.perf_counter() - w)

    @property
    def ms(self) -> tuple[float, float]:
        return 1e3 * statistics.median(self.wall), 1e3 * statistics.median(self.cpu)


def fresh_lrs(count: int, seed: int) -> np.ndarray:
    """Distinct learning rates in [1e-4, 1e-3] (all stable on Rosenbrock from its start)."""
    return np.exp(np.random.default_rng(seed).uniform(np.log(1e-4), np.log(1e-3), count))


def bench_update(explorer: descent.DescentExplorer, repeats: int, seed: int) -> Timer:
    lr = explorer.controls["lr"]
    timer = Timer()
    for v in fresh_lrs(repeats, seed):
        timer(lambda: setattr(lr, "value", float(v)))
    assert explorer.path is not None and explorer.frame is not None
    return timer


def bench_cached(explorer: descent.DescentExplorer, repeats: int) -> Timer:
    lr = explorer.controls["lr"]
    values = [float(v) for v in fresh_lrs(2, 99)]
    for v in values:
        lr.value = v
    timer = Timer()
    for i in range(repeats):
        timer(lambda: setattr(lr, "value", values[i % 2]))
    return timer


def bench_frame(repeats: int) -> Timer:
    timer = Timer()
    for v in fresh_lrs(repeats, 5):
        s = experiments.Settings(surface="rosenbrock", lr=float(v), steps=200)
        timer(lambda: experiments.descent_frame(s))
    return timer


def bench_surfaces() -> Timer:
    timer = Timer()
    for name in ("himmelblau", "beale", "booth", "six_hump_camel"):
        surface = experiments.resolve_surface(name)
        timer(lambda: experiments.descent_scene(surface))
    return timer


def bench_static(explorer: descent.DescentExplorer) -> tuple[Timer, int]:
    timer = Timer()
    out: list[str] = []
    timer(lambda: out.append(explorer.static_html()))
    return timer, len(out[0].encode())


def bench_race(repeats: int) -> Timer:
    surface = descent.resolve_surface("rosenbrock")
    names = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "newton"]
    specs = {n: optim.make(n, lr=descent.default_lr(surface, n)) for n in names}
    timer = Timer()
    for _ in range(repeats):
        timer(lambda: descent.race(surface, specs, steps=500, tol=1e-4))
    return timer


def bench_race_update(repeats: int, steps: int = 300) -> tuple[Timer, int]:
    explorer = descent.optimizer_race("rosenbrock", steps=steps)
    lr = explorer.controls["lr_adam"]
    values = np.exp(np.random.default_rng(4).uniform(np.log(1e-3), np.log(1e-2), repeats + 3))
    for v in values[:3]:
        lr.value = float(v)                                      # warm up
    timer = Timer()
    for v in values[3:]:
        timer(lambda: setattr(lr, "value", float(v)))
    nbytes = explorer.frame.nbytes
    explorer.close()
    return timer, nbytes


def bench_quadratic(repeats: int) -> Timer:
    explorer = descent.quadratic_explorer(a=2.0, lr=0.3, steps=40)
    lr = explorer.controls["lr"]
    values = np.random.default_rng(6).uniform(0.0, 2.0, repeats + 3)
    for v in values[:3]:
        lr.value = float(v)
    timer = Timer()
    for v in values[3:]:
        timer(lambda: setattr(lr, "value", float(v)))
    explorer.close()
    return timer


def bench_momentum(repeats: int, steps: int = 150) -> tuple[Timer, Timer, int]:
    """momentum_explorer (notebook 06): the lr slider, then the beta slider, moved to fresh values
    (the rate map is in the cached scene; a move costs the run, its rates and the frame)."""
    from gradlib.widgets import momentum
    explorer = momentum.momentum_explorer(kappa=100, angle=30, beta=0.5, steps=steps)
    rng = np.random.default_rng(8)
    lrs, betas = rng.uniform(0.005, 0.04, repeats + 3), rng.uniform(0.0, 0.95, repeats)
    for v in lrs[:3]:
        explorer.controls["lr"].value = float(v)
    lr_timer, beta_timer = Timer(), Timer()
    for v in lrs[3:]:
        lr_timer(lambda: setattr(explorer.controls["lr"], "value", float(v)))
    for v in betas:
        beta_timer(lambda: setattr(explorer.controls["beta"], "value", float(v)))
    nbytes = explorer.frame.nbytes
    explorer.close()
    return lr_timer, beta_timer, nbytes


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="descent explorer kernel timings")
    parser.add_argument("--repeats", type=int, default=60)
    n = parser.parse_args(argv).repeats
    with threadpool_limits(1):
        explorer = descent.descent_explorer("rosenbrock", "gd", steps=200)
        bench_update(explorer, 5, seed=9)                        # warm up
        update = bench_update(explorer, n, seed=0)
        nbytes = explorer.frame.nbytes
        cached = bench_cached(explorer, n)
        explorer.controls["steps"].value = 1000
        long = bench_update(explorer, max(10, n // 2), seed=3)
        long_bytes = explorer.frame.nbytes
        frame = bench_frame(n)
        surfaces = bench_surfaces()
        static, static_bytes = bench_static(explorer)
        racing = bench_race(max(5, n // 6))
        race_update, race_bytes = bench_race_update(max(10, n // 2))
        quadratic = bench_quadratic(n)
        mom_lr, mom_beta, mom_bytes = bench_momentum(n)
        mom_long, _, mom_long_bytes = bench_momentum(max(10, n // 2), steps=500)
        explorer.close()

    rows = [(f"slider update: 200 steps, frame of {nbytes / 1e3:.1f} KB sent", update),
            (f"slider update: 1000 steps, frame of {long_bytes / 1e3:.1f} KB sent", long),
            ("frame only: experiments.descent_frame (200 steps)", frame),
            ("slider back to a cached setting", cached),
            ("new surface: contours rendered once (PNG)", surfaces),
            (f"static copy for a page without kernel ({static_bytes / 1e3:.0f} KB)", static),
            ("race: 7 optimizers x 500 steps, rosenbrock", racing),
            (f"race explorer: lr slider, 6 x 300 steps, {race_bytes / 1e3:.0f} KB sent",
             race_update),
            ("quadratic explorer: lr slider, 40 steps", quadratic),
            (f"momentum explorer: lr slider, 150 steps, {mom_bytes / 1e3:.0f} KB sent", mom_lr),
            ("momentum explorer: beta slider, 150 steps", mom_beta),
            (f"momentum explorer: lr slider, 500 steps, {mom_long_bytes / 1e3:.0f} KB sent",
             mom_long)]
    print("descent explorer on rosenbrock, gd; kernel side only (the page draws)")
    print(f"{'':62s} {'wall ms':>9s} {'cpu ms':>8s}")
    for label, timer in rows:
        wall, cpu = timer.ms
        print(f"{label:62s} {wall:9.1f} {cpu:8.1f}")
    u, race = update.ms[0], racing.ms[0]
    print(f"update: median {u:.1f} ms vs target <= {TARGET_MS:g} ms: {verdict(u <= TARGET_MS)}"
          f"  (1000 steps: {long.ms[0]:.1f} ms, {verdict(long.ms[0] <= TARGET_MS)})")
    print(f"race {race:.1f} ms vs target <= {TARGET_RACE_MS:g} ms: "
          f"{verdict(race <= TARGET_RACE_MS)}")
    ru, qu = race_update.ms[0], quadratic.ms[0]
    print(f"race explorer update: median {ru:.1f} ms vs target <= {TARGET_MS:g} ms: "
          f"{verdict(ru <= TARGET_MS)}; quadratic explorer update: median {qu:.1f} ms: "
          f"{verdict(qu <= TARGET_MS)}")
    mu = max(mom_lr.ms[0], mom_beta.ms[0], mom_long.ms[0])
    print(f"momentum explorer update: median <= {mu:.1f} ms vs target <= {TARGET_MS:g} ms: "
          f"{verdict(mu <= TARGET_MS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
