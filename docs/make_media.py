"""The README's pictures, made with the project's own code (Agg backend, no browser).

    .venv/bin/python docs/make_media.py        # -> docs/descent_explorer.png,
                                               #    docs/curvature_explorer.png,
                                               #    docs/descent_race.gif

Each explorer is built exactly as a notebook builds it, a few controls are set the way a
learner would set them (``dash.controls[name].value = ...``; the shown step is
``dash.canvas.step``), and its figure is saved with a
caption strip underneath that shows those settings and the explorer's own status line, so the
picture says what produced it. The GIF is the optimizer race of notebook 06 (gradient descent,
momentum and Adam on Rosenbrock), drawn by ``gradlib.animate.animate_paths``.

Sizes are kept small for the repository: PNGs are quantized to a 128-colour palette
(<= 150 KB each), the GIF has 40 frames at 72 dpi (<= 500 KB). The script prints each size and
fails if a budget is exceeded.
"""
from __future__ import annotations

import html
import io
import re
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.animation import PillowWriter  # noqa: E402
from PIL import Image  # noqa: E402

from gradlib import animate, optim, surfaces  # noqa: E402
from gradlib.widgets.curvature import curvature_explorer  # noqa: E402
from gradlib.widgets.descent import descent_explorer  # noqa: E402

HERE = Path(__file__).resolve().parent
PNG_BUDGET = 150_000
GIF_BUDGET = 500_000
DPI = 100


def _plain(status_html: str) -> str:
    """The status line's text without its HTML."""
    return html.unescape(re.sub(r"<[^>]+>", "", status_html)).strip()


def _with_caption(fig: plt.Figure, settings: str, status: str) -> Image.Image:
    """The figure's pixels with two caption lines underneath, as one palette image."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    if not hasattr(fig.canvas, "buffer_rgba"):      # a snapshot (scene.snapshot) has no canvas
        FigureCanvasAgg(fig)
    fig.canvas.draw()
    pixels = np.asarray(fig.canvas.buffer_rgba())
    h, w = pixels.shape[:2]
    caption_px = 46
    with plt.ioff():
        out = plt.figure(figsize=(w / DPI, (h + caption_px) / DPI), dpi=DPI)
    out.figimage(pixels, xo=0, yo=caption_px, origin="upper")
    out.text(0.012, (caption_px - 14) / (h + caption_px), settings, fontsize=9, color="0.15",
             family="monospace", va="center")
    out.text(0.012, 12 / (h + caption_px), status, fontsize=9, color="0.35", va="center")
    buffer = io.BytesIO()
    out.savefig(buffer, format="png", dpi=DPI)
    plt.close(out)
    image = Image.open(buffer).convert("RGB")
    return image.quantize(colors=128, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)


def _save_png(image: Image.Image, name: str) -> Path:
    path = HERE / name
    image.save(path, optimize=True)
    return path


def descent_picture() -> Path:
    """Momentum on Rosenbrock, with the learning rate just under where it breaks."""
    dash = descent_explorer("rosenbrock", "momentum", figsize=(9.0, 4.0))
    with dash.hold():
        dash.controls["lr"].value = 1.5e-3
        dash.controls["beta"].value = 0.9
        dash.controls["steps"].value = 400
    dash.canvas.step = 400                # the step the page shows (Play runs in the page)
    s = dash.settings
    settings = (f"descent_explorer   surface = {s.surface}   optimizer = {s.optimizer}   "
                f"lr = {s.lr:.2g}   β = {dict(s.hyper)['beta']:.2f}   steps = {s.steps}")
    image = _with_caption(dash.figure, settings, _plain(dash.status.value))
    dash.close()
    return _save_png(image, "descent_explorer.png")


def curvature_picture() -> Path:
    """Gradient descent on Rosenbrock at step 2, while lr * lambda_max is still far above 2:
    the sharp eigen-direction makes the path zig-zag across the valley."""
    dash = curvature_explorer("rosenbrock", "gd", lr=2.5e-3, steps=300, figsize=(9.0, 4.5))
    dash.canvas.step = 2                  # the step the page shows (Play runs in the page)
    settings = ("curvature_explorer   surface = rosenbrock   optimizer = gd   "
                "lr = 2.5e-3   steps = 300   step t = 2")
    status = _plain(dash.status.value).split(" · ")
    image = _with_caption(dash.figure, settings, " · ".join(status[:2]))
    dash.close()
    return _save_png(image, "curvature_explorer.png")


def race_gif() -> Path:
    """Gradient descent, momentum and Adam from one start on Rosenbrock, 40 frames."""
    rosen = surfaces.get("rosenbrock")
    runs = {"gd, lr = 1e-3": optim.gd(1e-3),
            "momentum β = 0.9, lr = 1e-3": optim.momentum(1e-3, beta=0.9),
            "adam, lr = 0.05": optim.adam(0.05)}
    paths = [optim.descend(rosen, opt, steps=300) for opt in runs.values()]
    anim = animate.animate_paths(rosen, paths, labels=list(runs), frames=40, interval=120,
                                 figsize=(5.0, 4.0), dpi=72, levels=20)
    path = HERE / "descent_race.gif"
    anim.save(path, writer=PillowWriter(fps=8))
    plt.close("all")
    return path


def main() -> int:
    budgets = {".png": PNG_BUDGET, ".gif": GIF_BUDGET}
    over = []
    for make in (descent_picture, curvature_picture, race_gif):
        path = make()
        size = path.stat().st_size
        print(f"{path.relative_to(HERE.parent)}: {size / 1000:.0f} KB")
        if size > budgets[path.suffix]:
            over.append(f"{path.name} is {size} bytes > {budgets[path.suffix]}")
    for line in over:
        print("over budget:", line)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
