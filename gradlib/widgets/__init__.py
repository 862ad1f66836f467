"""ipywidgets dashboards ("explorers"). Each is thin: controls wired to tested gradlib functions.

Every dashboard has ``controls`` (name -> control), ``figure`` and displays itself; setting a
control's ``value`` updates the figure synchronously by moving existing artists.

    notebook  explorer(s)                                        module
    01        slice_explorer, directional_explorer               calculus
    02        step_size_explorer                                 calculus
    03        quadratic_explorer, descent_explorer               descent       (drawn in the page)
    04        curvature_explorer                                 curvature     (drawn in the page)
    05        newton_explorer                                    curvature
    06        momentum_explorer, optimizer_race                  momentum, descent
    07        backprop_explorer                                  backprop
    09        training_explorer, batch_size_explorer,            training
              schedule_explorer
    10        gradient_flow_explorer                             pathologies
    11        sharpness_explorer                                 sharpness
    12, 14    regularization_explorer, adversarial_explorer      regularization
    13        curves_explorer                                    practice

Explorers "drawn in the page" send numbers to one browser renderer (canvas.py + canvas.js, see
docs/explorers.md) and keep working in static HTML copies; the others still draw with
matplotlib (ipympl) and show a snapshot in static copies.
"""
from __future__ import annotations

import importlib
from typing import Any

from ._base import Dashboard, new_figure

_EXPLORERS = {
    "slice_explorer": "calculus", "directional_explorer": "calculus",
    "step_size_explorer": "calculus", "quadratic_explorer": "descent",
    "descent_explorer": "descent", "optimizer_race": "descent",
    "curvature_explorer": "curvature", "newton_explorer": "curvature",
    "momentum_explorer": "momentum", "training_explorer": "training",
    "batch_size_explorer": "training", "schedule_explorer": "training",
    "gradient_flow_explorer": "pathologies", "regularization_explorer": "regularization",
    "adversarial_explorer": "regularization", "backprop_explorer": "backprop",
    "sharpness_explorer": "sharpness", "curves_explorer": "practice",
}
__all__ = ["Dashboard", "new_figure", *_EXPLORERS]


def __getattr__(name: str) -> Any:
    # Explorer modules load on first use: importing the training explorers pulls in the MLP.
    if name in _EXPLORERS:
        return getattr(importlib.import_module(f"{__name__}.{_EXPLORERS[name]}"), name)
    raise AttributeError(f"module 'gradlib.widgets' has no attribute {name!r}")
