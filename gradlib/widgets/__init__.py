"""ipywidgets explorers, all drawn by one browser renderer (canvas.py + canvas.js).

Each is thin: controls -> a settings value -> a pure frame function (``gradlib.experiments*``)
-> the page, which draws the numbers and runs Play (docs/explorers.md). Every explorer has
``controls`` (name -> control); setting a control's ``value`` updates it synchronously, and
``figure`` draws the current frame with matplotlib (a snapshot).

    notebook  explorer(s)                                        module          static page
    01        slice_explorer, directional_explorer               calculus        precomputed
    02        step_size_explorer                                 calculus        precomputed
    03        quadratic_explorer, descent_explorer               descent         computes
    04        curvature_explorer                                 curvature       computes
    05        newton_explorer                                    curvature       computes
    06        momentum_explorer, optimizer_race                  momentum,       computes
                                                                 descent
    07        backprop_explorer                                  backprop        precomputed
    09        training_explorer, batch_size_explorer,            training        precomputed
              schedule_explorer
    10        gradient_flow_explorer                             pathologies     precomputed
    11        sharpness_explorer                                 sharpness       precomputed
    12, 14    regularization_explorer, adversarial_explorer      regularization  precomputed
    13        curves_explorer                                    practice        precomputed

In static HTML copies (handouts, nbconvert) every explorer keeps working without a kernel: the
descent family computes its frames in the page ("computes"), the others embed frames computed
in advance over a few values of their controls ("precomputed"; the sliders snap to them).
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
