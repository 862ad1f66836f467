"""Explorer for the training-in-practice notebook: read training and validation curves.

    curves_explorer()   the learning rate, the batch size and the L2 strength -> the training
                        and validation loss of a fresh digits network (practice.loss_curves)

The figure is built once; a control change recomputes the run (about 0.05 s, cached) and moves
the two lines.
"""
from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

import ipywidgets as W
import numpy as np

from .. import practice
from ._base import Dashboard, new_figure

__all__ = ["CurvesExplorer", "curves_explorer", "BATCH_SIZES", "L2_VALUES"]

BATCH_SIZES = (4, 16, 32, 64, 300)
L2_VALUES = (0.0, 1e-4, 1e-3, 1e-2, 3e-2, 1e-1)


@lru_cache(maxsize=64)
def _run(lr: float, batch_size: int, l2: float, epochs: int) -> practice.Curves:
    return practice.loss_curves(lr, batch_size, l2, epochs=epochs)


def describe(curves: practice.Curves) -> str:
    """The status line: where the curves end, and what they suggest."""
    if curves.status == "diverged":
        return f"diverged: {curves.message}. The rate is too high."
    train, val = float(curves.train[-1]), float(curves.val[-1])
    best = int(np.argmin(curves.val))
    text = (f"after {len(curves.train)} epochs: training loss {train:.3g}, validation loss "
            f"{val:.3g} (lowest {curves.val[best]:.3g} at epoch {best + 1})")
    if curves.train[-1] > curves.train[0]:
        text += ": the loss went up; the rate is too high."
    elif train > 1.0:
        text += ": still falling slowly; the rate may be too low."
    elif val - train > 0.1:
        text += f": a generalization gap of {val - train:.2f}; try more L2."
    return text


class CurvesExplorer(Dashboard):
    """Controls: ``lr`` (log slider), ``batch_size``, ``l2``. Lines: ``train_line``, ``val_line``."""

    def __init__(self, lr: float = 0.3, batch_size: int = 32, l2: float = 0.0, epochs: int = 60) -> None:
        super().__init__()
        if batch_size not in BATCH_SIZES:
            raise ValueError(f"batch_size must be one of {BATCH_SIZES}, got {batch_size!r}")
        if l2 not in L2_VALUES:
            raise ValueError(f"l2 must be one of {L2_VALUES}, got {l2!r}")
        self.epochs = int(epochs)
        self.figure = new_figure((6.0, 3.4), layout="constrained")
        self.ax = self.figure.add_subplot()
        epochs_axis = np.arange(1, self.epochs + 1)
        (self.train_line,) = self.ax.plot(epochs_axis, np.ones(self.epochs), color="tab:blue",
                                          label="training loss (running mean)")
        (self.val_line,) = self.ax.plot(epochs_axis, np.ones(self.epochs), color="tab:orange",
                                        label="validation loss (end of epoch)")
        self.ax.set(yscale="log", xlabel="epoch", ylabel="loss", xlim=(1, self.epochs),
                    ylim=(1e-3, 1e2), title="digits: 300 training images, 64 tanh hidden units")
        self.ax.legend(loc="lower left", fontsize=8)
        self.controls = {
            "lr": W.FloatLogSlider(value=lr, base=10, min=-3, max=2, step=0.1,
                                   description="learning rate", continuous_update=False),
            "batch_size": W.Dropdown(options=list(BATCH_SIZES), value=batch_size,
                                     description="batch size"),
            "l2": W.Dropdown(options=list(L2_VALUES), value=l2, description="L2 strength"),
        }
        self._wire()

    def update(self) -> None:
        c = self.controls
        self.curves = _run(float(c["lr"].value), int(c["batch_size"].value), float(c["l2"].value),
                           self.epochs)
        n = len(self.curves.train)
        x = np.arange(1, n + 1)
        clip = lambda v: np.clip(v, 1e-3, 1e2)  # noqa: E731 - keep a diverged run on the axes
        self.train_line.set_data(x, clip(self.curves.train))
        self.val_line.set_data(x, clip(self.curves.val))
        self.status.value = html.escape(describe(self.curves))
        self.redraw()


def curves_explorer(**kwargs: Any) -> CurvesExplorer:
    """The loss-curves explorer (see ``CurvesExplorer``)."""
    return CurvesExplorer(**kwargs)
