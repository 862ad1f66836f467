"""Time and size of embedded animations: 100 frames of 1, 3 and 7 paths over Rosenbrock.

    python benchmarks/bench_animate.py [--repeats 3] [--baseline]

For each case: the median wall time of animate_paths + to_html (build the figure, draw the
contour once, render 100 frames by blitting, encode) and the size of the HTML it embeds, for the
H.264 <video> (default) and for the JavaScript fallback (PNG background + per-frame overlays).
Target: each <= 1 MB and a few seconds. --baseline also times matplotlib's own
Animation.to_html5_video on the 3-path case (full redraw per frame), for comparison.
"""
from __future__ import annotations

import argparse
import statistics
import time

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402

from gradlib import animate, optim, surfaces  # noqa: E402

LIMIT_BYTES = 1024 * 1024
RACE = [("gd", 1e-3), ("momentum", 1e-3), ("nesterov", 1e-3), ("adagrad", 0.3),
        ("rmsprop", 1e-2), ("adam", 5e-2), ("newton", 1.0)]


def runs(count: int) -> list[optim.Path]:
    surface = surfaces.get("rosenbrock")
    return [optim.descend(surface, optim.make(name, lr=lr), steps=400, tol=0.0)
            for name, lr in RACE[:count]]


def measure(paths: list[optim.Path], fmt: str, repeats: int, **kw) -> tuple[float, int]:
    surface = surfaces.get("rosenbrock")
    times, size = [], 0
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = animate.to_html(animate.animate_paths(surface, paths, **kw), fmt=fmt)
        times.append(time.perf_counter() - t0)
        size = result.nbytes
        assert result.fmt == fmt and result.frames == 100
    return statistics.median(times), size


def baseline(paths: list[optim.Path]) -> tuple[float, int]:
    """matplotlib's to_html5_video with its defaults, ffmpeg from imageio-ffmpeg."""
    surface = surfaces.get("rosenbrock")
    anim = animate.animate_paths(surface, paths, blit=False)
    with matplotlib.rc_context({"animation.ffmpeg_path": animate.ffmpeg_exe()}):
        t0 = time.perf_counter()
        html = anim.to_html5_video()
        seconds = time.perf_counter() - t0
    plt.close(anim.figure)
    return seconds, len(html.encode())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    print(f"ffmpeg: {animate.ffmpeg_exe()}")
    print(f"100 frames, 6x5 in; median of {args.repeats}; limit 1 MB = {LIMIT_BYTES:,} bytes\n")
    print(f"{'paths':>5}  {'format':<7} {'dpi':>4}  {'seconds':>8}  {'KB':>7}  {'<= 1 MB':>7}")
    worst = 0
    for count in (1, 3, 7):
        paths = runs(count)
        for fmt, dpi in (("video", 72), ("jshtml", 72), ("video", 100)):
            seconds, size = measure(paths, fmt, args.repeats, dpi=dpi)
            worst = max(worst, size)
            print(f"{count:>5}  {fmt:<7} {dpi:>4}  {seconds:>8.2f}  {size / 1024:>7.1f}  "
                  f"{'yes' if size <= LIMIT_BYTES else 'NO':>7}")
    if args.baseline:
        seconds, size = baseline(runs(3))
        print(f"\nmatplotlib to_html5_video, 3 paths, full redraws: {seconds:.2f} s, "
              f"{size / 1024:.1f} KB")
    print(f"\nlargest: {worst / 1024:.1f} KB ({'within' if worst <= LIMIT_BYTES else 'OVER'} "
          f"the 1 MB budget)")


if __name__ == "__main__":
    main()
