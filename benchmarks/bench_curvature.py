"""Kernel time per slider update of the curvature explorer (browser renderer).

    python benchmarks/bench_curvature.py [--repeats 60] [--steps 300]

Builds ``curvature_explorer("rosenbrock", "gd")`` and moves its lr slider back and forth, the
way a learner drags it: each ``controls["lr"].value = ...`` runs the whole kernel side
synchronously (descend, the eigen-decomposition at every point, the glyphs and model level sets
of every step, the frame's bytes, the trait sync). Scrubbing the step and Play never reach the
kernel (they run in the page), so this is all a learner waits for in the kernel.
Also times ``curvature_frame`` alone, and the Newton explorer (notebook 05:
``newton_explorer("himmelblau", x0=(-4, 0), steps=40)``, its lr slider (gradient descent and
momentum rerun) and its damping slider (damped Newton reruns), and ``newton_frame`` alone (all
four runs). Target (issue 11): <= 10 ms per update.
Prints wall-clock and CPU-time medians (on a busy shared machine wall time includes waiting
for a core, CPU time does not).
"""
from __future__ import annotations

import argparse
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from gradlib import experiments_curvature as EC  # noqa: E402
from gradlib.widgets.curvature import curvature_explorer, newton_explorer  # noqa: E402

TARGET_MS = 10.0


def _time(fn, repeats: int) -> tuple[float, float]:
    wall, cpu = [], []
    for i in range(repeats):
        w0, c0 = time.perf_counter(), time.process_time()
        fn(i)
        wall.append(1e3 * (time.perf_counter() - w0))
        cpu.append(1e3 * (time.process_time() - c0))
    return statistics.median(wall), statistics.median(cpu)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeats", type=int, default=60)
    ap.add_argument("--steps", type=int, default=300)
    args = ap.parse_args()
    dash = curvature_explorer("rosenbrock", "gd", lr=2.5e-3, steps=args.steps)
    lrs = [2.0e-3 + 1e-5 * i for i in range(args.repeats)]

    def move(i: int) -> None:
        dash.controls["lr"].value = lrs[i]

    def frame(i: int) -> None:
        EC.curvature_frame(EC.CurvatureSettings("rosenbrock", "gd", lrs[i], steps=args.steps))

    w, c = _time(move, args.repeats)
    fw, fc = _time(frame, args.repeats)
    print(f"curvature explorer, {args.steps} steps: slider update {w:.1f} ms wall / {c:.1f} ms CPU "
          f"(curvature_frame alone {fw:.1f} / {fc:.1f} ms); frame {dash.frame.nbytes / 1000:.0f} KB; "
          f"target <= {TARGET_MS:.0f} ms")
    dash.close()

    newton = newton_explorer("himmelblau", x0=(-4.0, 0.0), steps=40, damping=50.0)
    nlrs = [5e-3 + 1e-5 * i for i in range(args.repeats)]
    mus = [20.0 + 0.5 * i for i in range(args.repeats)]

    def move_lr(i: int) -> None:
        newton.controls["lr"].value = nlrs[i]

    def move_mu(i: int) -> None:
        newton.controls["damping"].value = mus[i]

    def newton_alone(i: int) -> None:
        EC.newton_frame(EC.NewtonSettings("himmelblau", (-4.0, 0.0), 40, nlrs[i], 0.9, mus[i]))

    lw, lc = _time(move_lr, args.repeats)
    mw, mc = _time(move_mu, args.repeats)
    aw, ac = _time(newton_alone, args.repeats)
    print(f"Newton explorer, 40 steps: lr update {lw:.1f} ms wall / {lc:.1f} ms CPU, damping "
          f"update {mw:.1f} / {mc:.1f} ms (newton_frame alone, all four runs, {aw:.1f} / "
          f"{ac:.1f} ms); frame {newton.frame.nbytes / 1000:.0f} KB; target <= {TARGET_MS:.0f} ms")
    newton.close()
    return 0 if max(c, lc, mc) <= TARGET_MS else 1


if __name__ == "__main__":
    raise SystemExit(main())
