"""How fast does the curvature explorer follow its step slider?

    python benchmarks/bench_curvature.py [--repeats 120] [--surface rosenbrock]

Builds ``curvature_explorer`` on the Agg backend (what ipympl renders with), then moves the step
slider through the path the way Play does and times each update: the step control's
``value`` is set (glyph quiver, quadratic-model contours, point, cursor and status move; on Agg
the explorer's ``draw_idle()`` draws at once), which is exactly what a learner waits for, and
separately the artist moves alone and one full ``fig.canvas.draw()``. The four measurements run
in turns, so a change in the machine's load hits them alike. Target: median <= 33 ms (30 frames
per second). Prints wall-clock and CPU-time medians: on a busy shared machine wall time
includes waiting for a core, CPU time does not.
"""
from __future__ import annotations

import argparse
import os
import platform
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from gradlib.widgets.curvature import curvature_explorer  # noqa: E402

TARGET_MS = 33.0


def _timed_interleaved(fns: list, repeats: int) -> list[tuple[list[float], list[float]]]:
    """Wall and CPU milliseconds of each function, run in turns (i-th call of each, then the
    next), so that changes in the machine's load hit every row alike."""
    out: list[tuple[list[float], list[float]]] = [([], []) for _ in fns]
    for i in range(repeats):
        for fn, (wall, cpu) in zip(fns, out):
            w0, c0 = time.perf_counter(), time.process_time()
            fn(i)
            wall.append((time.perf_counter() - w0) * 1e3)
            cpu.append((time.process_time() - c0) * 1e3)
    return out


def _row(name: str, wall: list[float], cpu: list[float]) -> str:
    p90 = float(np.percentile(wall, 90))
    return (f"{name:<44s} {statistics.median(wall):8.1f} {p90:8.1f} "
            f"{statistics.median(cpu):8.1f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=120)
    parser.add_argument("--surface", default="rosenbrock")
    parser.add_argument("--lr", type=float, default=2.5e-3)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args()

    t0 = time.perf_counter()
    dash = curvature_explorer(args.surface, "gd", lr=args.lr, steps=args.steps)
    build = (time.perf_counter() - t0) * 1e3
    fig, view, slider = dash.figure, dash.view, dash.controls["step"]
    last = dash.path.steps
    frames = [(3 * i + 1) % (last + 1) for i in range(args.repeats)]   # a new step every time
    for t in frames[:10]:                                               # warm caches and fonts
        slider.value = t
    fig.canvas.draw()

    def step_control(i: int) -> None:
        slider.value = frames[i] if slider.value != frames[i] else (frames[i] + 1) % (last + 1)

    def artists_only(i: int) -> None:
        view.show_step(frames[i])

    def draw_only(i: int) -> None:
        fig.canvas.draw()

    def artists_and_draw(i: int) -> None:
        view.show_step(frames[i])
        fig.canvas.draw()

    names = ["step update: controls['step'].value = t", "  move artists only (view.show_step)",
             "  one fig.canvas.draw()", "  show_step + fig.canvas.draw()"]
    timings = _timed_interleaved([step_control, artists_only, draw_only, artists_and_draw],
                                 args.repeats)
    rows = list(zip(names, timings))
    t0 = time.perf_counter()
    dash.controls["lr"].value = args.lr * 0.8
    path_update = (time.perf_counter() - t0) * 1e3

    print(f"curvature explorer on {args.surface!r}: {last + 1} points, figure "
          f"{fig.get_size_inches()[0]:g}x{fig.get_size_inches()[1]:g} in at {fig.dpi:g} dpi, "
          f"backend Agg")
    print(f"python {platform.python_version()}, matplotlib {matplotlib.__version__}, "
          f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}")
    print(f"{'':<44s} {'median':>8s} {'p90':>8s} {'cpu med':>8s}   (ms, {args.repeats} updates)")
    for name, (wall, cpu) in rows:
        print(_row(name, wall, cpu))
    print(f"build the explorer: {build:.0f} ms; recompute the path after an lr change: "
          f"{path_update:.0f} ms")
    median = statistics.median(rows[0][1][0])
    verdict = "meets" if median <= TARGET_MS else "MISSES"
    print(f"step update median {median:.1f} ms {verdict} the {TARGET_MS:g} ms target "
          f"(cpu-time median {statistics.median(rows[0][1][1]):.1f} ms)")
    dash.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
