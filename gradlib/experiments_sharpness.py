"""Sharpness along full-batch gradient descent: the pure part of notebook 11's explorer.

    default_setup(n, noise, seed)   notebook 11's problem: moons with targets -1 / +1 and a fresh
                                    2-32-32-1 tanh network with a linear output (squared error)
    RunSummary, summarize_run(run)  what one SharpnessRun shows, in numbers: the sharpness at the
                                    start, its peak, its median over the second half against
                                    2 / lr, how many steps raised the loss, the final loss
    describe_run(summary)           the explorer's status line: below the edge, at the edge
                                    (the sharpness reached 2 / lr and hovers there), above it,
                                    or "diverged"
    cached_runs(model_factory, X, y, lrs, steps, every)   sharpness_trace, each run computed once
                                    per (initial network, data, lr, steps, every) in a session

    SharpnessSettings, sharpness_frame(settings, runs)    what the explorer draws: settings ->
                                    gradlib.scene.Frame (the sharpness against the step with the
                                    line 2 / lr, the training loss on a log scale, a cursor at
                                    the step Play shows)
    sharpness_scene(view)           its static layer (two chart panels), rendered once per view

Nothing here builds a widget or loads widget code. The runs come from
``experiments_pathologies.sharpness_trace``.
"""
from __future__ import annotations

import hashlib
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _checks as check
from . import data as gdata
from .mlp import MLP
from .experiments_pathologies import SharpnessRun, sharpness_trace

__all__ = ["DEFAULT_LRS", "VIEWS", "default_setup", "RunSummary", "summarize_run",
           "describe_run", "steady_fraction", "EDGE_BAND", "problem_key", "cached_runs",
           "clear_run_cache", "SharpnessSettings",
           "sharpness_frame", "sharpness_scene", "sharpness_cursor", "nice_limits",
           "BACKGROUND_POINTS"]

#: The slider's learning rates for notebook 11's network, whose sharpness starts at S_0 = 6.5 and,
#: left to itself (small steps), peaks near 14: for 0.05 and 0.1 the line 2 / lr (40, 20) lies
#: above that natural level, so no edge appears; for 0.2 and 0.3 (10, 6.7) it lies below, and the
#: sharpness rises to 2 / lr and hovers there; for 0.4 and 0.5 (5, 4) it lies below even S_0: the
#: sharpness first falls well below 2 / lr (a catapult), then sharpens back up to it.
DEFAULT_LRS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
#: What the left chart shows: value -> the menu's text.
VIEWS: dict[str, str] = {"sharpness": "λ_max and the line 2/lr",
                         "ratio": "λ_max ÷ (2/lr): the edge at 1"}
#: The other runs' loss curves (grey, for comparison) keep about this many points each.
BACKGROUND_POINTS = 150
RUN_COLOR = "#c0392b"
OTHERS_COLOR = "#cccccc"
CURSOR_STYLE = {"marker": "o", "size": 8, "fill": "#ffd92f", "edge": "#000000"}


# ---------------------------------------------------------------------------------------------
# the problem and what a run shows
# ---------------------------------------------------------------------------------------------
def default_setup(n: int = 200, noise: float = 0.1, seed: int = 0
                  ) -> tuple[Callable[[], MLP], np.ndarray, np.ndarray]:
    """Notebook 11's experiment: (model_factory, X, T).

        X, labels = moons(n, noise, seed);   T = 2 labels - 1   (targets -1, +1, shape (n, 1))
        model_factory() = MLP([2, 32, 32, 1], tanh, identity output (squared error), xavier, seed)
    """
    n = check.integer("n", n, 10, 5000)
    noise = check.nonnegative("noise", noise)
    seed = check.integer("seed", seed, 0)
    X, labels = gdata.moons(n, noise=noise, seed=seed)
    T = (2.0 * labels - 1.0)[:, None]

    def model_factory() -> MLP:
        return MLP([2, 32, 32, 1], activation="tanh", output="identity", init="xavier", seed=seed)

    return model_factory, X, T


class RunSummary(NamedTuple):
    """One run in numbers. ``late_sharpness``: the median sharpness over the second half of the
    measurements; ``ratio`` = late_sharpness / (2 / lr); ``loss_ups``: steps t with
    L(theta_{t+1}) > L(theta_t); ``status`` as in SharpnessRun ("finished" or "diverged")."""
    lr: float
    threshold: float
    start: float
    peak: float
    late_sharpness: float
    ratio: float
    loss_ups: int
    final_loss: float
    steps: int
    status: str


def summarize_run(run: SharpnessRun) -> RunSummary:
    """The numbers the explorer's status line reports for one run.

        threshold = 2 / lr,   late = median(sharpness[k // 2:]) (k measurements),
        ratio = late / threshold,   loss_ups = #{t : losses[t + 1] > losses[t]}
    """
    if not isinstance(run, SharpnessRun):
        raise ValueError(f"run must be a SharpnessRun (from sharpness_trace), got "
                         f"{type(run).__name__}")
    s = np.asarray(run.sharpness, dtype=np.float64)
    if s.size == 0 or len(run.losses) == 0:
        raise ValueError("run must hold at least one sharpness measurement and one loss")
    late = float(np.median(s[s.size // 2:]))
    losses = np.asarray(run.losses, dtype=np.float64)
    return RunSummary(lr=float(run.lr), threshold=run.threshold, start=float(s[0]),
                      peak=float(s.max()), late_sharpness=late, ratio=late / run.threshold,
                      loss_ups=int(np.sum(np.diff(losses) > 0)), final_loss=float(losses[-1]),
                      steps=len(losses) - 1, status=run.status)


#: Within this factor of 2 / lr (median of the second half) a run counts as "at the edge".
EDGE_BAND = (0.85, 1.15)


def describe_run(s: RunSummary, low: float | None = None, within: float | None = None) -> str:
    """The explorer's status line for one run (one plain line, numbers only where finite).

    The regime, from ratio = median of the second half / (2 / lr) and the peak:
        diverged                            the run stopped: "The run diverged after N steps."
        ratio < 0.85, peak < 2/lr           below the edge: the sharpness never reaches 2 / lr
        ratio < 0.85, peak >= 2/lr          it reached 2 / lr but ends below it
        0.85 <= ratio <= 1.15               at the edge of stability (the peak reached 2/lr;
                                            else "close to the edge"); when it started above
                                            1.15 x 2/lr and ``low`` (its lowest value) went
                                            below 2/lr: "too sharp from the start" (a catapult).
                                            "Hovers" needs ``within`` (the fraction of the
                                            second half's measurements within 15% of 2/lr,
                                            ``steady_fraction``) >= 0.8 when it is given
        ratio > 1.15                        above 2 / lr over most of the second half
    """
    head = (f"lr = {s.lr:g}, 2/lr = {s.threshold:.2f}: the sharpness starts at {s.start:.2f}, "
            f"peaks at {s.peak:.2f} and its median over the second half is "
            f"{s.late_sharpness:.2f} ({s.ratio:.2f} × 2/lr). ")
    if s.status == "diverged":
        return head + f"The run diverged after {s.steps} steps."
    lo, hi = EDGE_BAND
    if s.ratio < lo:
        regime = ("Below the edge: the sharpness never reaches 2/lr" if s.peak < s.threshold
                  else "The sharpness reached 2/lr but ends below it")
    elif s.ratio > hi:
        regime = "Above 2/lr over most of the second half"
    elif within is not None and within < 0.8:
        regime = (f"Around 2/lr in the median, but not steadily: only {within:.0%} of the second "
                  f"half lies within 15% of it")
    elif s.start > hi * s.threshold and low is not None and low < s.threshold:
        regime = ("Too sharp from the start, yet no divergence: the sharpness fell below 2/lr, "
                  "then rose back to it and hovers there (edge of stability)")
    elif s.peak >= s.threshold:
        regime = "At the edge of stability: the sharpness reached 2/lr and hovers there"
    else:
        regime = "Close to the edge: the sharpness rose to within 15% of 2/lr without reaching it"
    return (head + f"{regime}; the loss rose on {s.loss_ups} of {s.steps} steps and ends at "
            f"{s.final_loss:.4g}.")


def steady_fraction(run: SharpnessRun) -> float:
    """The fraction of the second half's measurements (sharpness[k // 2:]) within 15% of 2 / lr:
    0.85 <= sharpness / (2 / lr) <= 1.15 (``EDGE_BAND``)."""
    s = np.asarray(run.sharpness, dtype=float)
    if s.size == 0:
        raise ValueError("run must hold at least one sharpness measurement")
    r = s[s.size // 2:] / run.threshold
    return float(np.mean((r >= EDGE_BAND[0]) & (r <= EDGE_BAND[1])))


# ---------------------------------------------------------------------------------------------
# runs, each computed once per session
# ---------------------------------------------------------------------------------------------
_RUNS: OrderedDict[tuple[Any, ...], SharpnessRun] = OrderedDict()
_RUNS_MAX = 64


def problem_key(model_factory: Callable[[], Any], X: ArrayLike, y: ArrayLike) -> str | None:
    """A fingerprint of (the initial network, X, y): SHA-256 of the network's class, layer sizes,
    activation and output, its initial parameters and the data's bytes. None when the factory
    does not return a gradlib MLP or the data are not numbers (such runs are not cached)."""
    try:
        net = model_factory()
        if not isinstance(net, MLP):
            return None
        h = hashlib.sha256(repr((type(net).__qualname__, net.sizes, net.activation,
                                 net.output)).encode())
        for a in (net.params, X, y):
            arr = np.ascontiguousarray(np.asarray(a, dtype=np.float64))
            h.update(repr(arr.shape).encode())
            h.update(arr.tobytes())
        return h.hexdigest()
    except Exception:  # noqa: BLE001 - sharpness_trace reports bad input with its own message
        return None


def cached_runs(model_factory: Callable[[], MLP], X: ArrayLike, y: ArrayLike,
                lrs: Sequence[float], steps: int, every: int) -> dict[float, SharpnessRun]:
    """``sharpness_trace(model_factory, X, y, lrs, steps, every)`` as {lr: run}, every run kept
    for the session (the last 64): a run is fixed by the initial network, the data, lr, steps
    and every (``problem_key``), so each is computed once. The learning rates not seen yet are
    trained in ONE ``sharpness_trace`` call."""
    key = problem_key(model_factory, X, y)
    rates = [float(r) for r in lrs]
    have = {r: _RUNS[(key, r, steps, every)] for r in rates
            if key is not None and (key, r, steps, every) in _RUNS}
    missing = [r for r in rates if r not in have]
    if missing:
        for r, run in zip(missing, sharpness_trace(model_factory, X, y, missing, steps, every)):
            have[r] = run
            if key is not None:
                _RUNS[(key, r, steps, every)] = run
                while len(_RUNS) > _RUNS_MAX:
                    _RUNS.popitem(last=False)
    return {r: have[r] for r in rates}


def clear_run_cache() -> None:
    """Forget every cached run (tests; a long session)."""
    _RUNS.clear()


# ---------------------------------------------------------------------------------------------
# the explorer's frame: settings -> Frame (drawn by gradlib.widgets.canvas)
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SharpnessSettings:
    """The sharpness explorer's controls: the learning rate ``lr`` shown (one of ``lrs``) and
    ``view`` (a key of ``VIEWS``); the runs: ``lrs``, ``steps``, ``every`` (sharpness measured
    every that many steps) on ``default_setup(n, noise, seed)`` unless the frame is given runs."""

    lr: float = 0.2
    view: str = "sharpness"
    lrs: tuple[float, ...] = DEFAULT_LRS
    steps: int = 1500
    every: int = 50
    n: int = 200
    noise: float = 0.1
    seed: int = 0


def _default_runs(s: SharpnessSettings) -> dict[float, SharpnessRun]:
    steps = check.integer("steps", s.steps, 1, 20_000)
    return cached_runs(*default_setup(s.n, s.noise, s.seed), s.lrs, steps, s.every)


def nice_limits(lo: float, hi: float, count: int = 4) -> tuple[float, float]:
    """The limits the page's chart axes round (lo, hi) out to (canvas.js ``niceTicks``, applied
    until nothing changes): the tick step is 1, 2, 2.5, 5 or 10 times a power of ten, at least
    (hi - lo) / count; the limits are the multiples of it just outside [lo, hi]."""
    for _ in range(8):
        if not hi > lo:
            lo, hi = lo - 1.0, hi + 1.0
        raw = (hi - lo) / count
        mag = 10.0 ** math.floor(math.log10(raw))
        step = next((m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw), 10 * mag)
        a, b = math.floor(lo / step + 1e-9) * step, math.ceil(hi / step - 1e-9) * step
        if (a, b) == (lo, hi):
            break
        lo, hi = a, b
    return float(lo), float(hi)


def sharpness_cursor(run: SharpnessRun) -> np.ndarray:
    """Step t = 0 .. T (T = len(losses) - 1) -> the latest measurement at or before t:
    (measured_at[i], sharpness[i]) with i the largest index such that measured_at[i] <= t."""
    t = np.arange(len(run.losses))
    i = np.searchsorted(np.asarray(run.measured_at), t, side="right") - 1
    i = np.clip(i, 0, max(len(run.measured_at) - 1, 0))
    return np.column_stack([np.asarray(run.measured_at, dtype=float)[i],
                            np.asarray(run.sharpness, dtype=float)[i]])


def _joined(curves: Sequence[np.ndarray]) -> np.ndarray:
    """Polylines in one (k, 2) array, a NaN row between two (the page breaks the line there)."""
    parts: list[np.ndarray] = []
    for c in curves:
        if len(c):
            if parts:
                parts.append(np.full((1, 2), np.nan))
            parts.append(np.asarray(c, dtype=float))
    return np.concatenate(parts) if parts else np.zeros((0, 2))


def _thinned(losses: np.ndarray, points: int = BACKGROUND_POINTS) -> np.ndarray:
    """(t, L_t) at every ceil(T / points)-th step, and the last step."""
    T = len(losses) - 1
    stride = max(1, math.ceil(T / points)) if T > 0 else 1
    t = np.unique(np.append(np.arange(0, T + 1, stride), T)) if T >= 0 else np.zeros(0, int)
    return np.column_stack([t.astype(float), np.asarray(losses, dtype=float)[t]])


def _line_label(line: float, threshold: float, ylim: tuple[float, float], xmax: float
                ) -> tuple[tuple[float, float], str, str]:
    """Where the value of 2/lr is written: mid-chart just above its line; near the top (where
    the legend sits, at the right) at the left, just below the line; at the top left, with
    "(above the chart)", when the line is above the window. -> (xy, align, text)."""
    bottom, top = ylim
    span, text = top - bottom, f"2/lr = {threshold:.3g}"
    if line > top:
        return (0.02 * xmax, top - 0.07 * span), "left", text + " (above the chart) ↑"
    if line > top - 0.3 * span:
        return (0.02 * xmax, line - 0.06 * span), "left", text
    return (0.5 * xmax, line + 0.06 * span), "center", text


def sharpness_frame(settings: SharpnessSettings,
                    runs: Mapping[float, SharpnessRun] | None = None) -> Any:
    """What the sharpness explorer draws (a ``gradlib.scene.Frame``) over ``sharpness_scene``.

    ``runs``: {lr: SharpnessRun} (default: ``cached_runs`` on ``default_setup(n, noise, seed)``
    at ``settings.lrs``); the run shown is ``runs[settings.lr]``. Play runs over its training
    steps t = 0 .. T (T = len(losses) - 1: 1500, or where it diverged).

        "sharpness"  y = lambda_max (view "sharpness", the line at 2 / lr) or
                     y = lambda_max / (2 / lr) = lr lambda_max / 2 (view "ratio", the line at 1):
                     the run at its measurements (measured_at, y), the line, its value as text
                     (or "above the chart"), the other runs in grey, and a cursor at the latest
                     measurement at or before t (``sharpness_cursor``)
        "loss"       the training loss L(theta_t) on a log scale, a cursor at (t, L_t), the
                     other runs in grey (about ``BACKGROUND_POINTS`` points each), an X where
                     a run diverged

    Both charts keep the same limits for every learning rate (switching runs never rescales):
    x from 0 to the longest run; the sharpness from min(0, 1.1 x lowest) to 1.25 x highest value
    of any run (at least 1.25 in view "ratio"), rounded out as the page rounds its axes
    (``nice_limits``, so "above the chart" is what the learner sees); the loss from
    lowest / 1.5 to highest x 1.5.
    Status: ``describe_run`` (with the run's lowest sharpness and ``steady_fraction``); kind
    "diverged" for a diverged run, else "info".
    """
    from .scene import Frame, Layer

    view = check.one_of("view", settings.view, VIEWS)
    if runs is None:
        runs = _default_runs(settings)
    if not isinstance(runs, Mapping) or not runs \
            or not all(isinstance(r, SharpnessRun) for r in runs.values()):
        raise ValueError("runs must map learning rates to SharpnessRun (from sharpness_trace)")
    rates = sorted(runs)
    lr = check.real("lr", settings.lr, f"one of the runs' learning rates {rates}",
                    lambda v: v in runs)
    run = runs[lr]
    ratio = view == "ratio"

    def y_of(r: SharpnessRun) -> np.ndarray:
        s = np.asarray(r.sharpness, dtype=float)
        return s / r.threshold if ratio else s

    last = max(max(len(r.losses) - 1, int(r.measured_at[-1]) if len(r.measured_at) else 0)
               for r in runs.values())
    xmax = float(max(last, 1))
    ys = np.concatenate([y_of(r) for r in runs.values()])
    ys = ys[np.isfinite(ys)]
    highest = float(ys.max()) if ys.size else 1.0
    if ratio:
        top = max(1.25 * highest, 1.25)                 # the edge at 1 always in view
    else:
        top = 1.25 * highest if highest > 0 else 1.0
    bottom = min(0.0, 1.1 * float(ys.min())) if ys.size else 0.0
    bottom, top = nice_limits(bottom, top)      # what the page shows: "above the chart" is true
    line = 1.0 if ratio else run.threshold
    others = [r for x, r in sorted(runs.items()) if x != lr]
    text_xy, align, text = _line_label(line, run.threshold, (bottom, top), xmax)
    run_label = "λ_max ÷ (2/lr)" if ratio else "sharpness λ_max(H)"
    line_label = "the edge: λ_max = 2/lr" if ratio else "2 / lr"
    layers = [
        Layer("sharpness", _joined([np.column_stack([r.measured_at, y_of(r)]) for r in others]),
              "line", "all", {"color": OTHERS_COLOR, "width": 0.9,
                              "label": "the other learning rates"}),
        Layer("sharpness", [[0.0, line], [xmax, line]], "line", "all",
              {"color": RUN_COLOR, "width": 1.1, "dash": [6, 4], "label": line_label}),
        Layer("sharpness", np.column_stack([run.measured_at, y_of(run)]), "line", "all",
              {"color": RUN_COLOR, "width": 1.8, "marker": "o", "size": 3, "label": run_label}),
    ]
    losses = np.asarray(run.losses, dtype=float)
    T = max(len(losses) - 1, 0)
    if len(losses) and len(run.measured_at):
        cursor = sharpness_cursor(run)
        if ratio:
            cursor[:, 1] /= run.threshold
        layers.append(Layer("sharpness", cursor, "points", "at",
                            {**CURSOR_STYLE, "label": "last measurement ≤ step t"}))
    layers.append(Layer("sharpness", [text_xy], "text", "all",
                        {"color": RUN_COLOR, "size": 11, "align": align,
                         "label": "the value of 2/lr"}, texts=[text]))
    loss_xy = np.column_stack([np.arange(len(losses), dtype=float), losses])
    layers += [
        Layer("loss", _joined([_thinned(r.losses) for r in others]), "line", "all",
              {"color": OTHERS_COLOR, "width": 0.8, "label": "the other learning rates"}),
        Layer("loss", loss_xy, "line", "all",
              {"color": RUN_COLOR, "width": 1.2, "label": f"training loss, lr = {lr:g}"}),
        Layer("loss", loss_xy, "points", "at", {**CURSOR_STYLE, "label": "step t"}),
    ]
    if run.status == "diverged" and len(losses):
        layers.append(Layer("loss", loss_xy[-1:], "points", "all",
                            {"marker": "X", "size": 11, "fill": RUN_COLOR, "edge": "#000000",
                             "label": f"diverged after {T} steps"}))
    finite = np.concatenate([np.asarray(r.losses, dtype=float) for r in runs.values()])
    finite = finite[np.isfinite(finite) & (finite > 0)]
    loss_chart: dict[str, Any] = {"ylog": True, "xlim": [0.0, xmax]}
    if finite.size:
        loss_chart["ylim"] = [float(finite.min()) / 1.5, float(finite.max()) * 1.5]
    try:
        summary = summarize_run(run)
    except ValueError:
        summary = None
    if summary is None:
        status = (f"lr = {lr:g}: the loss is not finite at the start, so there is nothing to "
                  f"show; the run diverged at once.")
        loss_chart["title"] = "diverged at the start"
    else:
        status = describe_run(summary, float(np.min(run.sharpness)), steady_fraction(run))
        loss_chart["title"] = (f"diverged after {summary.steps} steps" if run.status == "diverged"
                               else f"loss: {summary.loss_ups} of {summary.steps} steps went up")
    charts = {"sharpness": {"xlim": [0.0, xmax], "ylim": [bottom, top],
                            "title": (f"lr = {lr:g}: sharpness ÷ (2/lr), the edge at 1" if ratio
                                      else f"lr = {lr:g}: sharpness and 2/lr")},
              "loss": loss_chart}
    return Frame(tuple(layers), T, status, "diverged" if run.status == "diverged" else "info",
                 charts)


#: Chart boxes (figure fractions: left, bottom, width, height) of the sharpness and loss panels.
_SHARP_AX = (0.075, 0.16, 0.39, 0.70)
_LOSS_AX = (0.585, 0.16, 0.39, 0.70)
_YLABELS = {"sharpness": ("sharpness  λ_max(H)", "training loss (log scale)"),
            "ratio": ("λ_max ÷ (2/lr) = lr·λ_max / 2", "training loss (log scale)")}


@lru_cache(maxsize=8)
def sharpness_scene(view: str = "sharpness", figsize: tuple[float, float] = (9.0, 3.6),
                    dpi: int = 100) -> Any:
    """The explorer's static layer, rendered once per (view, figsize): two chart panels whose
    axes, ticks and titles the page draws ("sharpness" left, "loss" right, x = step t) and the
    y-axis labels, drawn by matplotlib into the scene's picture."""
    from matplotlib.figure import Figure

    from .scene import Panel, scene_from_figure

    view = check.one_of("view", view, VIEWS)
    fig = Figure(figsize=figsize, dpi=dpi)
    w, h = fig.get_size_inches() * dpi
    panels = []
    for name, box, ylabel in (("sharpness", _SHARP_AX, _YLABELS[view][0]),
                              ("loss", _LOSS_AX, _YLABELS[view][1])):
        left, bottom, width, height = box
        fig.text(left - 0.062, bottom + height / 2, ylabel, rotation=90, ha="center",
                 va="center", fontsize=9)
        panels.append(Panel(name, "chart", (left * w, (1 - bottom - height) * h, width * w,
                                            height * h), xlabel="step t"))
    alt = ("Two charts over the training steps of full-batch gradient descent: the sharpness "
           + ("divided by 2/lr, with the edge at 1" if view == "ratio"
              else "lambda_max of the loss's Hessian, with the line 2/lr")
           + " (left), and the training loss on a log scale (right).")
    return scene_from_figure(fig, {}, panels, alt)
