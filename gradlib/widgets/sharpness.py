"""Explorer for notebook 11: the learning rate against the edge of stability.

    sharpness_explorer()   a slider over a small set of learning rates (every run trained once,
                           at construction, by pathologies.sharpness_trace, and cached for the
                           session) and a menu for the left chart -> the sharpness against the
                           step with the line 2 / lr (or the sharpness divided by 2 / lr), and the
                           training loss of the same run on a log scale; Play moves a cursor over
                           the training steps

Drawn by the browser renderer (gradlib.widgets.canvas): controls -> SharpnessSettings ->
experiments_sharpness.sharpness_frame -> Canvas. A slider move only picks another precomputed
run; the exported page embeds the frame of every learning rate (a precomputed grid).

The pure part (default_setup, RunSummary, summarize_run, the frame and the scene) lives in
``gradlib.experiments_sharpness`` and is re-exported here under its old names.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import ipywidgets as W
import numpy as np
from numpy.typing import ArrayLike

from .. import _checks as check
from ..experiments_sharpness import (  # noqa: F401 - the pure part, re-exported
    DEFAULT_LRS, VIEWS, RunSummary, SharpnessSettings, cached_runs, default_setup, describe_run,
    sharpness_frame, sharpness_scene, summarize_run,
)
from ..mlp import MLP
from .canvas import CanvasDashboard, GridControl, status_html
from ..experiments_pathologies import SharpnessRun, sharpness_trace  # noqa: F401 - re-exported

__all__ = ["DEFAULT_LRS", "VIEWS", "default_setup", "RunSummary", "summarize_run",
           "SharpnessSettings", "sharpness_frame", "sharpness_scene",
           "SharpnessExplorer", "sharpness_explorer"]


def _lr_label(lr: float) -> str:
    return f"{lr:g}"


class SharpnessExplorer(CanvasDashboard):
    """Sharpness against the step with the line 2 / lr (left) and the training loss (right),
    for the learning rate on the slider. Every run is trained once, at construction
    (``experiments_sharpness.cached_runs``: ``sharpness_trace``, kept for the session); the
    other runs stay in the background in light grey. Play moves a cursor over the steps.

    Controls: ``lr`` (SelectionSlider over ``lrs``), ``view`` (Dropdown: ``VIEWS``). State:
    ``runs`` (lr -> SharpnessRun), ``run`` (the one shown), ``summary`` (its RunSummary),
    ``settings``, ``scene`` / ``frame`` (what was sent). ``figure`` draws the current frame with
    matplotlib (a snapshot).
    """

    static_title = "sharpness and the edge of stability"

    def __init__(self, model_factory: Callable[[], MLP] | None = None, X: ArrayLike | None = None,
                 y: ArrayLike | None = None, lrs: Sequence[float] = DEFAULT_LRS, *,
                 steps: int = 1500, every: int = 50, lr: float | None = None,
                 figsize: tuple[float, float] = (9.0, 3.6), view: str = "sharpness") -> None:
        from .canvas import Canvas

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
        view = check.one_of("view", view, VIEWS)
        self.steps = check.integer("steps", steps, 1, 20_000)
        self.every = every
        self.figsize = (float(figsize[0]), float(figsize[1]))
        self.runs: dict[float, SharpnessRun] = cached_runs(model_factory, X, y, rates,
                                                           self.steps, every)
        self.lrs = tuple(rates)
        c = self.controls
        c["lr"] = W.SelectionSlider(options=[(_lr_label(r), r) for r in rates], value=lr,
                                    description="lr", continuous_update=True,
                                    layout=W.Layout(width="300px"))
        c["view"] = W.Dropdown(options=[(text, key) for key, text in VIEWS.items()], value=view,
                               description="left chart", layout=W.Layout(width="300px"))
        self.canvas = Canvas()
        self.run: SharpnessRun | None = None
        self.summary: RunSummary | None = None
        self._wire()

    # -- computations ----------------------------------------------------------------------
    def current_settings(self) -> SharpnessSettings:
        """The controls as a ``SharpnessSettings`` (the runs: this explorer's)."""
        c = self.controls
        return SharpnessSettings(float(c["lr"].value), str(c["view"].value), self.lrs,
                                 self.steps, self.every)

    def update(self) -> None:
        """Controls -> SharpnessSettings -> frame -> the page (one message per change). Nothing
        is trained here: the frame is built from the runs computed at construction."""
        s = self.current_settings()
        try:
            frame = sharpness_frame(s, self.runs)
            scene = sharpness_scene(s.view, self.figsize)
        except ValueError as err:
            self._show_error(f"cannot show this run: {err}")
            return
        self.run = self.runs[s.lr]
        try:
            self.summary = summarize_run(self.run)
        except ValueError:          # diverged before its first measurement: nothing to sum up
            self.summary = None
        self.scene, self.frame, self.settings = scene, frame, s
        self.status.value = status_html(frame.status, frame.kind)
        self.canvas.show(scene, frame)

    def _error_scene(self) -> Any:
        return sharpness_scene("sharpness", self.figsize)

    def _forget(self) -> None:
        super()._forget()
        self.run = self.summary = None

    # -- the kernel-free copy --------------------------------------------------------------
    def static_controls(self) -> list[GridControl]:
        """The page's one control: the learning rate, over this explorer's runs (the left
        chart's view stays the one shown now: the frames of 1500 steps are too many bytes to
        embed twice)."""
        s = self.settings or self.current_settings()
        return [GridControl("lr", "learning rate lr", self.lrs, initial=s.lr,
                            labels=tuple(_lr_label(r) for r in self.lrs))]

    def static_html(self) -> str:
        """The explorer for a page with no kernel: the frame of every learning rate,
        precomputed (``canvas.grid_static_html``); Play runs in the page."""
        s = self.settings or self.current_settings()
        scene = sharpness_scene(s.view, self.figsize)

        def frame_for(values: dict[str, Any]) -> tuple[Any, Any]:
            return scene, sharpness_frame(replace(s, lr=float(values["lr"])), self.runs)

        return self.grid_page(
            self.static_controls(), frame_for,
            note=(f"This page shows the {len(self.lrs)} runs trained in advance (full-batch "
                  f"gradient descent, {self.steps} steps, the sharpness measured every "
                  f"{self.every}); the slider snaps to their learning rates."))



def sharpness_explorer(model_factory: Callable[[], MLP] | None = None, X: ArrayLike | None = None,
                       y: ArrayLike | None = None, lrs: Sequence[float] = DEFAULT_LRS, *,
                       steps: int = 1500, every: int = 50, lr: float | None = None,
                       figsize: tuple[float, float] = (9.0, 3.6),
                       view: str = "sharpness") -> SharpnessExplorer:
    """Full-batch gradient descent at each learning rate of ``lrs`` (trained once, cached): the
    sharpness against the step with 2 / lr, and the loss, for the lr on the slider. With no
    model_factory, X, y: notebook 11's problem (default_setup()). ``steps`` of gradient descent
    per run, the sharpness measured every ``every`` steps; ``lr`` is the slider's start (one of
    ``lrs``; None: the middle one); ``view`` the left chart's start ("sharpness": lambda_max
    and 2 / lr; "ratio": lambda_max / (2 / lr) and the edge at 1)."""
    return SharpnessExplorer(model_factory, X, y, lrs, steps=steps, every=every, lr=lr,
                             figsize=figsize, view=view)
