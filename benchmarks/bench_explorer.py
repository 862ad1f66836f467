"""How fast does the descent explorer react to a slider? (issue 3, "Performance")

    .venv/bin/python benchmarks/bench_explorer.py [--repeats 60]

Measured on the Agg backend, in one run, with one BLAS thread:

  update    one slider-driven update of ``descent_explorer("rosenbrock", "gd", steps=200)``:
            set ``controls["lr"].value`` to a value never used before (so the 200-step path is
            really recomputed: no cache hit), which moves the artists, then ``fig.canvas.draw()``
  update, static redraw
            the same, but with the figure marked stale before the draw, as happens when an
            update changes limits, ticks or titles (e.g. the loss crosses into a new decade,
            or another surface): the whole figure is drawn, not only the moving artists
  Play step set ``controls["step"].value`` (truncate the drawn path) + draw
  rebuild   what a naive ``interact`` + inline callback does per change: a new 9x4 figure, a
            fresh contour, the path with its markers, the loss curve, ``fig.canvas.draw()``

Each is reported as the median wall time and the median CPU time of this process (the machine
is shared: wall times grow when the other core is busy, CPU times much less). Targets (issue 3):
update <= 33 ms median, update / rebuild <= 0.4; the race, 7 optimizers x 500 steps on
Rosenbrock, <= 50 ms.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from threadpoolctl import threadpool_limits  # noqa: E402

from gradlib import optim, plots  # noqa: E402
from gradlib.widgets import descent  # noqa: E402

TARGET_MS = 33.0
TARGET_RATIO = 0.4
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


def bench_update(explorer: descent.DescentExplorer, repeats: int, *, static: bool,
                 seed: int) -> Timer:
    lr, fig = explorer.controls["lr"], explorer.figure
    timer = Timer()

    def one(value: float) -> None:
        lr.value = value                 # observe -> update(): recompute, move artists
        if static:
            fig.stale = True             # as if limits or titles had changed
        fig.canvas.draw()

    for v in fresh_lrs(repeats, seed):
        timer(lambda: one(float(v)))
    assert explorer.path is not None and explorer.path.steps == 200
    return timer


def bench_step(explorer: descent.DescentExplorer, repeats: int) -> Timer:
    step, canvas = explorer.controls["step"], explorer.figure.canvas
    last = step.max
    timer = Timer()

    def one(k: int) -> None:
        step.value = k
        canvas.draw()

    for i in range(repeats):
        timer(lambda: one((i * 7) % (last + 1)))
    return timer


def rebuild_once(surface, settings: descent.Settings) -> None:
    """A figure from scratch, the way an interact + inline callback redraws on every change."""
    path = descent.run_descent(settings)
    fig, (ax, ax2) = plt.subplots(1, 2, figsize=(9, 4))
    plots.contour(surface, ax, levels=20, resolution=160)
    plots.minima(surface, ax)
    plots.path(path, ax)
    ax.set_title(surface.title)
    plots.loss_curve(path, ax2)
    ax2.set_title("loss")
    fig.canvas.draw()
    plt.close(fig)


def bench_rebuild(surface, settings: descent.Settings, repeats: int) -> Timer:
    timer = Timer()
    for v in fresh_lrs(repeats, 1):
        s = descent.Settings(**{**settings.__dict__, "lr": float(v)})
        timer(lambda: rebuild_once(surface, s))
    return timer


def bench_race(repeats: int) -> Timer:
    surface = descent.resolve_surface("rosenbrock")
    names = ["gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam", "newton"]
    specs = {n: optim.make(n, lr=descent.default_lr(surface, n)) for n in names}
    timer = Timer()
    for _ in range(repeats):
        timer(lambda: descent.race(surface, specs, steps=500, tol=1e-4))
    return timer


def verdict(ok: bool) -> str:
    return "OK" if ok else "MISSED"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="descent explorer update timings")
    parser.add_argument("--repeats", type=int, default=60)
    n = parser.parse_args(argv).repeats
    with threadpool_limits(1):
        explorer = descent.descent_explorer("rosenbrock", "gd", steps=200)
        # On Agg, draw_idle() draws at once; under ipympl it only asks the browser to request
        # a draw. Make it a no-op, as under ipympl, and count the one draw explicitly.
        explorer.figure.canvas.draw_idle = lambda *args, **kwargs: None
        explorer.figure.canvas.draw()
        bench_update(explorer, 5, static=True, seed=9)            # warm caches (fonts, text)
        update = bench_update(explorer, n, static=False, seed=0)
        static = bench_update(explorer, n, static=True, seed=2)
        step = bench_step(explorer, n)
        settings = explorer.current_settings()
        bench_rebuild(explorer.surface, settings, 3)
        rebuild = bench_rebuild(explorer.surface, settings, max(10, n // 3))
        racing = bench_race(max(5, n // 6))
        explorer.close()

    rows = [("slider update: recompute 200 steps + draw", update),
            ("slider update with a static redraw", static),
            ("Play step: truncate path + draw", step),
            ("rebuild from scratch (new figure, contour, draw)", rebuild),
            ("race: 7 optimizers x 500 steps, rosenbrock", racing)]
    print(f"descent explorer on rosenbrock, gd; 9x4 in at {plt.rcParams['figure.dpi']:g} dpi; Agg")
    print(f"{'':50s} {'wall ms':>9s} {'cpu ms':>8s}")
    for label, timer in rows:
        wall, cpu = timer.ms
        print(f"{label:50s} {wall:9.1f} {cpu:8.1f}")
    u, s, r, race = update.ms[0], static.ms[0], rebuild.ms[0], racing.ms[0]
    print(f"update: median {u:.1f} ms vs target <= {TARGET_MS:g} ms: {verdict(u <= TARGET_MS)}"
          f"  (an update that also redraws the static part: {s:.1f} ms, "
          f"{verdict(s <= TARGET_MS)})")
    print(f"update / rebuild = {u / r:.2f} vs target <= {TARGET_RATIO}: "
          f"{verdict(u / r <= TARGET_RATIO)}  (with a static redraw: {s / r:.2f}, "
          f"{verdict(s / r <= TARGET_RATIO)})")
    print(f"race {race:.1f} ms vs target <= {TARGET_RACE_MS:g} ms: "
          f"{verdict(race <= TARGET_RACE_MS)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
