"""Explorer for the training-in-practice notebook: read training and validation curves.

    curves_explorer()   the learning rate, the batch size and the L2 strength -> the training
                        and validation loss of a fresh digits network (practice.loss_curves),
                        per epoch, and what they say (under/overfitting, a gap, unstable, ...)

Drawn by the browser renderer (gradlib.widgets.canvas): controls -> CurvesSettings ->
experiments_practice.curves_frame -> Canvas. A control change retrains (0.05-0.5 s, cached per
settings) and sends both curves once; Play and the step slider run over the epochs in the page.
The exported page embeds the frames of a small grid of settings (``STATIC_GRID``), computed in
advance: its controls snap to them.

The pure part (the run, the reading of the curves, the frame) lives in
``gradlib.experiments_practice`` and is re-exported here under its old names.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W

from .. import _checks as check
from ..experiments_practice import (  # noqa: F401 - the pure part, re-exported
    BATCH_SIZES, L2_VALUES, CurvesSettings, Reading, curves_frame, curves_scene, describe,
    initial_losses, read_curves, run_curves,
)
from .canvas import CanvasDashboard, status_html

__all__ = ["CurvesExplorer", "curves_explorer", "BATCH_SIZES", "L2_VALUES", "describe",
           "CurvesSettings", "curves_frame", "STATIC_GRID"]

#: The values the kernel-free copy offers per control (the explorer's own are added): a
#: rate too low, slow, good, too high; a minibatch and the full batch; no, some, strong L2.
STATIC_GRID: dict[str, tuple[Any, ...]] = {"lr": (0.003, 0.03, 0.3, 3.0), "batch_size": (32, 300),
                                           "l2": (0.0, 0.01, 0.1)}


class CurvesExplorer(CanvasDashboard):
    """Controls: ``lr`` (log slider), ``batch_size``, ``l2`` (menus). After each update:
    ``settings`` (a ``CurvesSettings``), ``curves`` (the run: ``practice.Curves``), ``scene`` /
    ``frame`` (what was sent to the page); ``figure`` draws the frame with matplotlib."""

    static_title = "training and validation loss curves"

    def __init__(self, lr: float = 0.3, batch_size: int = 32, l2: float = 0.0,
                 epochs: int = 60) -> None:
        from .canvas import Canvas

        super().__init__()
        if batch_size not in BATCH_SIZES:
            raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {batch_size!r}")
        if l2 not in L2_VALUES:
            raise ValueError(f"l2 must be one of {L2_VALUES}, got {l2!r}")
        lr = check.real("lr", lr, "a number in [0.001, 100] (the slider's range)",
                        lambda v: 1e-3 <= v <= 1e2)
        self.epochs = check.integer("epochs", epochs, 1, 1000)
        self.canvas = Canvas()
        self.curves: Any = None
        self._static: tuple[Any, str] | None = None
        self.controls = {
            "lr": W.FloatLogSlider(value=lr, base=10, min=-3, max=2, step=0.1,
                                   description="learning rate", readout_format=".3g",
                                   continuous_update=False),
            "batch_size": W.Dropdown(options=list(BATCH_SIZES), value=batch_size,
                                     description="batch size"),
            "l2": W.Dropdown(options=list(L2_VALUES), value=l2, description="L2 strength"),
        }
        self._wire()

    def current_settings(self) -> CurvesSettings:
        """The controls as a ``CurvesSettings``."""
        c = self.controls
        return CurvesSettings(float(c["lr"].value), int(c["batch_size"].value),
                              float(c["l2"].value), self.epochs)

    def update(self) -> None:
        """Controls -> CurvesSettings -> the run (cached) -> frame -> the page. A refused input
        keeps the last picture and says why in the status line."""
        s = self.current_settings()
        try:
            curves = run_curves(s)
            frame = curves_frame(s, curves)
        except ValueError as exc:
            self._show_error(str(exc))
            return
        self.scene = curves_scene()
        self.curves, self.frame, self.settings = curves, frame, s
        self.status.value = status_html(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)

    def _error_scene(self) -> Any:
        return curves_scene()

    def describe(self) -> str:
        """The status line: the regime the curves show, with their numbers."""
        return self.frame.status if self.frame is not None else ""

    # -- the kernel-free copy --------------------------------------------------------------
    def static_controls(self) -> list[Any]:
        """The page's controls: ``STATIC_GRID`` plus the explorer's current values, each
        starting at the current one (so the page opens on the kernel's picture)."""
        from .canvas import GridControl

        s = self.settings or self.current_settings()
        current = {"lr": s.lr, "batch_size": s.batch_size, "l2": s.l2}
        values = {name: tuple(sorted({*grid, current[name]})) for name, grid in STATIC_GRID.items()}
        return [GridControl("lr", "learning rate", values["lr"], initial=current["lr"],
                            labels=tuple(f"{v:.3g}" for v in values["lr"])),
                GridControl("batch_size", "batch size", values["batch_size"],
                            initial=current["batch_size"], kind="select"),
                GridControl("l2", "L2 strength", values["l2"], initial=current["l2"],
                            kind="select", labels=tuple(f"{v:g}" for v in values["l2"]))]

    def static_html(self) -> str:
        """The explorer for a page with no kernel: the frames of every combination of
        ``static_controls()`` (``canvas.grid_static_html``; runs cached by ``run_curves``),
        built once per settings."""
        s = self.settings or self.current_settings()
        if self._static is None or self._static[0] != s:
            def frame_for(values: dict[str, Any]) -> tuple[Any, Any]:
                grid = CurvesSettings(float(values["lr"]), int(values["batch_size"]),
                                      float(values["l2"]), s.epochs)
                return curves_scene(), curves_frame(grid)

            page = self.grid_page(self.static_controls(), frame_for)
            self._static = (s, page)
        return self._static[1]



def curves_explorer(**kwargs: Any) -> CurvesExplorer:
    """The loss-curves explorer (see ``CurvesExplorer``): keyword arguments ``lr``,
    ``batch_size`` (one of ``BATCH_SIZES``), ``l2`` (one of ``L2_VALUES``), ``epochs``."""
    return CurvesExplorer(**kwargs)
