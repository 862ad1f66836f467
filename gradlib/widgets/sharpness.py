"""Explorer for notebook 11: the learning rate against the edge of stability.

    sharpness_explorer()   one slider over a small set of learning rates, every run computed once
                           at construction (pathologies.sharpness_trace) -> the sharpness against
                           the step with the line 2 / lr, and the training loss of the same run

Pure helpers, usable and tested without any widget:

    default_setup(n, noise, seed)   notebook 11's problem: moons with targets -1 / +1 and a fresh
                                    2-32-32-1 tanh network with a linear output (squared error)
    RunSummary, summarize_run(run)  what one SharpnessRun shows, in numbers: the sharpness at the
                                    start, its peak, its median over the second half against
                                    2 / lr, how many steps raised the loss, the final loss

The explorer builds its figure once; moving the slider only swaps precomputed data into existing
lines (``set_data``, ``set_ydata``) and redraws.
"""
from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import NamedTuple

import ipywidgets as W
import numpy as np
from numpy.typing import ArrayLike

from .. import _checks as check
from .. import data as gdata
from ..mlp import MLP
from ._base import Dashboard, new_figure
from .pathologies import SharpnessRun, sharpness_trace

__all__ = ["DEFAULT_LRS", "default_setup", "RunSummary", "summarize_run",
           "SharpnessExplorer", "sharpness_explorer"]

#: The slider's learning rates for notebook 11's network, whose sharpness starts at S_0 = 6.5 and,
#: left to itself (small steps), peaks near 14: for 0.05 and 0.1 the line 2 / lr (40, 20) lies
#: above that natural level, so no edge appears; for 0.2 and 0.3 (10, 6.7) it lies below, and the
#: sharpness rises to 2 / lr and hovers there; for 0.4 and 0.5 (5, 4) it lies below even S_0: the
#: sharpness first falls well below 2 / lr (a catapult), then sharpens back up to it.
DEFAULT_LRS: tuple[float, ...] = (0.05, 0.1, 0.2, 0.3, 0.4, 0.5)
_SELECTED = "#c0392b"
_OTHERS = "0.8"


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


def _describe(s: RunSummary) -> str:
    head = (f"lr = {s.lr:g}, 2/lr = {s.threshold:.2f}: the sharpness starts at {s.start:.2f}, "
            f"peaks at {s.peak:.2f} and sits at {s.late_sharpness:.2f} over the second half "
            f"({s.ratio:.2f} × 2/lr). ")
    if s.status == "diverged":
        return head + f"The run diverged after {s.steps} steps."
    if s.ratio < 0.85:
        regime = "Below the edge: the sharpness stays under 2/lr"
    elif s.ratio > 1.15:
        regime = "Above 2/lr for much of the second half"
    elif s.start > 1.15 * s.threshold:
        regime = ("Too sharp from the start, yet no divergence: the sharpness came down and "
                  "now hovers at 2/lr")
    else:
        regime = "At the edge of stability: the sharpness hovers at 2/lr"
    return (head + f"{regime}; the loss rose on {s.loss_ups} of {s.steps} steps and ends at "
            f"{s.final_loss:.4f}.")


def _lr_label(lr: float) -> str:
    return f"{lr:g}"


class SharpnessExplorer(Dashboard):
    """Sharpness against the step with the line 2 / lr (left) and the training loss (right),
    for the learning rate on the slider. Every run is computed once, at construction, by
    ``sharpness_trace``; the other runs stay in the background in light grey.

    Controls: ``lr`` (SelectionSlider over ``lrs``). State: ``runs`` (lr -> SharpnessRun),
    ``run`` (the one shown), ``summary`` (its RunSummary). Artists: ``sharpness_line``,
    ``threshold_line`` (horizontal, at 2 / lr), ``threshold_label``, ``loss_line``,
    ``background`` (lr -> (sharpness line, loss line), light grey; one legend entry names them).
    """

    def __init__(self, model_factory: Callable[[], MLP] | None = None, X: ArrayLike | None = None,
                 y: ArrayLike | None = None, lrs: Sequence[float] = DEFAULT_LRS, *,
                 steps: int = 1500, every: int = 50, lr: float | None = None,
                 figsize: tuple[float, float] = (9.0, 3.6)) -> None:
        super().__init__()
        if model_factory is None and X is None and y is None:
            model_factory, X, y = default_setup()
        elif model_factory is None or X is None or y is None:
            raise ValueError("model_factory, X and y must be given together (or all left out "
                             "for default_setup())")
        if isinstance(lrs, (str, bytes)) or not isinstance(lrs, (Sequence, np.ndarray)) \
                or not 1 <= len(lrs) <= 8:
            raise ValueError(f"lrs must be a list of 1 to 8 learning rates > 0, got {lrs!r}")
        rates = sorted({check.positive(f"lrs[{i}]", v) for i, v in enumerate(lrs)})
        if lr is None:
            lr = rates[len(rates) // 2]
        lr = check.real("lr", lr, f"one of lrs {rates}", lambda v: v in rates)
        steps = check.integer("steps", steps, 1, 20_000)
        runs = sharpness_trace(model_factory, X, y, rates, steps, every)
        self.runs: dict[float, SharpnessRun] = dict(zip(rates, runs))
        self.controls["lr"] = W.SelectionSlider(options=[(_lr_label(r), r) for r in rates],
                                                value=lr, description="lr",
                                                continuous_update=True)
        fig = self.figure = new_figure(figsize)
        a1 = self.ax_sharpness = fig.add_axes((0.07, 0.15, 0.40, 0.72))
        a2 = self.ax_loss = fig.add_axes((0.58, 0.15, 0.40, 0.72))
        self.background = {}
        for r, run in self.runs.items():
            (s_line,) = a1.plot(run.measured_at, run.sharpness, color=_OTHERS, linewidth=0.9)
            (l_line,) = a2.plot(np.arange(len(run.losses)), run.losses, color=_OTHERS,
                                linewidth=0.7)
            self.background[r] = (s_line, l_line)
        (self.sharpness_line,) = a1.plot([], [], color=_SELECTED, linewidth=1.8, zorder=3,
                                         label="sharpness λ_max(H)")
        a1.plot([], [], color=_OTHERS, linewidth=0.9, label="the other learning rates")
        self.threshold_line = a1.axhline(0.0, color=_SELECTED, linestyle="--", linewidth=1.1,
                                         label="2 / lr", zorder=3)
        self.threshold_label = a1.text(0.99, 0.0, "", transform=a1.get_yaxis_transform(),
                                       ha="right", va="bottom", fontsize=8, color=_SELECTED)
        (self.loss_line,) = a2.plot([], [], color=_SELECTED, linewidth=1.2, zorder=3)
        # fixed windows: every run fits, so switching the learning rate never rescales the axes
        last = max(max(len(run.losses) - 1, int(run.measured_at[-1]) if run.measured_at.size
                       else 0) for run in self.runs.values())
        highest = max(float(run.sharpness.max()) for run in self.runs.values() if run.sharpness.size)
        self.ylim = (0.0, 1.25 * highest)
        a1.set_xlim(0, max(last, 1))
        a1.set_ylim(*self.ylim)
        a1.set_xlabel("step t", fontsize=8)
        a1.set_ylabel("sharpness  λ_max(H)", fontsize=8)
        a1.legend(fontsize=7, loc="lower right")
        self.sharpness_title = a1.set_title("", fontsize=9)
        losses = np.concatenate([run.losses for run in self.runs.values()])
        losses = losses[np.isfinite(losses) & (losses > 0)]
        a2.set_yscale("log")
        a2.set_xlim(0, max(last, 1))
        if losses.size:
            a2.set_ylim(losses.min() / 1.5, losses.max() * 1.5)
        a2.set_xlabel("step t", fontsize=8)
        a2.set_ylabel("training loss", fontsize=8)
        self.loss_title = a2.set_title("", fontsize=9)
        for a in (a1, a2):
            a.tick_params(labelsize=7)
            a.grid(alpha=0.25)
        self.run: SharpnessRun | None = None
        self.summary: RunSummary | None = None
        self._wire()

    def update(self) -> None:
        lr = float(self.controls["lr"].value)
        run = self.run = self.runs[lr]
        s = self.summary = summarize_run(run)
        for r, lines in self.background.items():
            for line in lines:
                line.set_visible(r != lr)
        self.sharpness_line.set_data(run.measured_at, run.sharpness)
        self.loss_line.set_data(np.arange(len(run.losses)), run.losses)
        top = self.ylim[1]
        self.threshold_line.set_ydata([run.threshold, run.threshold])
        if run.threshold <= top:
            self.threshold_label.set_position((0.99, run.threshold))
            self.threshold_label.set_text(f"2/lr = {run.threshold:.3g}")
        else:                                   # the line is above the window: say where it is
            self.threshold_label.set_position((0.99, 0.93 * top))
            self.threshold_label.set_text(f"2/lr = {run.threshold:.3g} (above the chart) ↑")
        self.sharpness_title.set_text(f"lr = {lr:g}: sharpness and 2/lr")
        self.loss_title.set_text(f"loss: {s.loss_ups} of {s.steps} steps went up"
                                 if s.status != "diverged" else f"diverged after {s.steps} steps")
        color = "#c00" if s.status == "diverged" else "#333"
        self.status.value = f'<span style="color:{color}">{html.escape(_describe(s))}</span>'
        self.redraw()


def sharpness_explorer(model_factory: Callable[[], MLP] | None = None, X: ArrayLike | None = None,
                       y: ArrayLike | None = None, lrs: Sequence[float] = DEFAULT_LRS, *,
                       steps: int = 1500, every: int = 50, lr: float | None = None,
                       figsize: tuple[float, float] = (9.0, 3.6)) -> SharpnessExplorer:
    """Full-batch gradient descent at each learning rate of ``lrs`` (precomputed once): the
    sharpness against the step with 2 / lr, and the loss, for the lr on the slider. With no
    model_factory, X, y: notebook 11's problem (default_setup()). ``steps`` of gradient descent
    per run, the sharpness measured every ``every`` steps; ``lr`` is the slider's start (one of
    ``lrs``; None: the middle one)."""
    return SharpnessExplorer(model_factory, X, y, lrs, steps=steps, every=every, lr=lr,
                             figsize=figsize)

