"""Explorer for notebook 07: the chain rule on one neuron, live.

    backprop_explorer()   sliders for x, w, b and t of the neuron
                              z = w x + b,   a = sigma(z),   L = 1/2 (a - t)^2
                          and a menu for the variable of the right panel;
                          -> its computational graph with the forward value in every box, the
                          local derivative on every edge and dL/d(node) under every box, and
                          beside it L as a function of w (or b, x, t) with the tangent whose
                          slope is that partial. Play runs the backward pass node by node.

Drawn by the browser renderer (gradlib.widgets.canvas): controls -> BackpropSettings ->
experiments_backprop.backprop_frame -> Canvas. The graph's boxes and arrows are rendered once
(``backprop_scene``); the numbers in and around them travel as text layers, the curve and the
tangent as numbers. The exported page shows frames precomputed over a grid of control values.

The pure functions (the neuron's numbers, L along one variable, the tangent, the frame) live in
``gradlib.experiments_backprop`` and are re-exported here under their old names.
"""
from __future__ import annotations

from typing import Any

import ipywidgets as W
import numpy as np

from ..experiments_backprop import (  # noqa: F401 - the pure part, re-exported
    CONSUMER, GRAPH_EDGES, GRAPH_NODES, SLIDER_RANGES, SWEEP, VARIABLES, BackpropSettings,
    TinyNetwork, backprop_frame, backprop_scene, backprop_status, edge_texts, loss_along,
    loss_in_w, node_texts, note_texts, sweep_captions, tangent_line, tiny_network_values,
)
from ..scene import Frame, Scene
from .canvas import CanvasDashboard, status_html

__all__ = ["TinyNetwork", "tiny_network_values", "loss_in_w", "loss_along", "tangent_line",
           "GRAPH_NODES", "GRAPH_EDGES", "SLIDER_RANGES", "SWEEP", "VARIABLES",
           "BackpropSettings", "backprop_frame", "backprop_scene",
           "BackpropExplorer", "backprop_explorer", "STATIC_VALUES"]

#: Values the kernel-free copy precomputes per slider (the explorer's own replaces the nearest;
#: b stays at the explorer's): w from saturated (-3) to steep, x of either sign, t at 0, near a, at 1.
#: 4 menu entries x 4 x 2 x 3 = 96 frames (~0.86 MB with the module and the snapshot).
STATIC_VALUES: dict[str, tuple[float, ...]] = {
    "w": (-3.0, -1.0, 0.8, 2.0), "x": (-1.5, 1.5), "t": (0.0, 0.65, 1.0)}


def _slider(name: str, value: float, description: str) -> W.FloatSlider:
    lo, hi, step = SLIDER_RANGES[name]
    return W.FloatSlider(value=float(value), min=lo, max=hi, step=step, description=description,
                         readout_format=".2f", continuous_update=True)


class BackpropExplorer(CanvasDashboard):
    """One neuron's computational graph (left) and L along one variable with its tangent (right).

    Controls: ``x``, ``w``, ``b``, ``t`` (float sliders), ``along`` (menu: the variable of the
    right panel). State after each update: ``values`` (TinyNetwork of the current point),
    ``settings`` (BackpropSettings), ``scene`` / ``frame`` (what was sent), and read from the
    frame: ``ws`` (the grid of the right panel), ``curve`` (L over it), ``tangent`` (its two end
    points), ``point`` (the current (value, L)). ``figure`` draws the current frame with
    matplotlib (a snapshot). Play runs the backward pass: step k reveals dL/d(node) for the
    k-th node of ``SWEEP``.
    """

    static_title = "the chain rule on one neuron"

    def __init__(self, x: float = 1.5, w: float = 0.8, b: float = -0.5, t: float = 1.0, *,
                 along: str = "w", figsize: tuple[float, float] = (10.0, 3.8)) -> None:
        from .canvas import Canvas

        super().__init__()
        start = BackpropSettings(x, w, b, t, along).validated()    # clear errors, before widgets
        self.figsize = (float(figsize[0]), float(figsize[1]))
        c = self.controls
        c["x"] = _slider("x", start.x, "x (input)")
        c["w"] = _slider("w", start.w, "w (weight)")
        c["b"] = _slider("b", start.b, "b (bias)")
        c["t"] = _slider("t", start.t, "t (target)")
        c["along"] = W.Dropdown(options=[(label, k) for k, label in VARIABLES.items()],
                                value=start.along, description="L as a function of",
                                layout=W.Layout(width="300px"))
        self.canvas = Canvas()
        self.values: TinyNetwork | None = None
        self.scene: Scene | None = None
        self.frame: Frame | None = None
        self.settings: BackpropSettings | None = None
        self._wire()

    # -- computations ----------------------------------------------------------------------
    def current_settings(self) -> BackpropSettings:
        """The controls as ``BackpropSettings``."""
        c = self.controls
        return BackpropSettings(*(float(c[k].value) for k in "xwbt"), along=str(c["along"].value))

    def _error_scene(self) -> Scene:
        return backprop_scene(self.figsize)

    def _forget(self) -> None:
        super()._forget()
        self.values = None

    def update(self) -> None:
        """Controls -> BackpropSettings -> frame -> the page (one message per change). The
        scene (the graph's boxes and arrows) is rendered once per size (cached)."""
        try:
            s = self.current_settings().validated()
            frame = backprop_frame(s)
        except ValueError as e:
            self._show_error(str(e))
            return
        self.scene = backprop_scene(self.figsize)
        self.values = tiny_network_values(s.x, s.w, s.b, s.t)
        self.status.value = status_html(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)
        self.frame, self.settings = frame, s

    # -- what the frame shows, for notebooks and tests --------------------------------------
    def _frame(self) -> Frame:
        if self.frame is None or self.settings is None:
            raise ValueError("no frame: the explorer has no valid settings yet")
        return self.frame

    @property
    def ws(self) -> np.ndarray:
        """The grid of the right panel (values of ``along`` over its slider's range)."""
        return self._frame().layer(f"L({self.settings.along})").xy[:, 0].copy()

    @property
    def curve(self) -> np.ndarray:
        """L over ``ws``."""
        return self._frame().layer(f"L({self.settings.along})").xy[:, 1].copy()

    @property
    def tangent(self) -> np.ndarray:
        """The tangent's two end points [[v0, L0], [v1, L1]], as shown after the whole sweep."""
        layer = self._frame().layer(f"tangent, slope ∂L/∂{self.settings.along}")
        return layer.chunk(layer.n_chunks - 1).copy()

    @property
    def point(self) -> np.ndarray:
        """The current point [[value, L]]."""
        return self._frame().layer(f"current ({self.settings.along}, L)").xy.copy()

    def describe(self) -> str:
        """The status line."""
        return self._frame().status

    # -- the kernel-free copy --------------------------------------------------------------
    def static_controls(self) -> list[Any]:
        """The grid the exported page precomputes: the menu, then w, x, t on ``STATIC_VALUES``
        with the explorer's own value in place of the nearest one (the sliders snap to them;
        the page's size does not depend on the start); b is the explorer's."""
        from .canvas import GridControl

        s = self.settings or self.current_settings().validated()
        out = [GridControl("along", "L as a function of", tuple(VARIABLES), initial=s.along,
                           kind="select", labels=tuple(VARIABLES.values()))]
        for name, label in (("w", "w (weight)"), ("x", "x (input)"), ("t", "t (target)")):
            own = float(getattr(s, name))
            values = list(STATIC_VALUES[name])
            if own not in values:
                values[int(np.argmin([abs(v - own) for v in values]))] = own
            values.sort()
            out.append(GridControl(name, label, tuple(values), initial=own,
                                   labels=tuple(f"{v:.2f}" for v in values)))
        return out

    def static_html(self) -> str:
        """The explorer for a page with no kernel (``canvas.grid_static_html``): every frame of
        ``static_controls`` computed now, embedded (< 1 MB)."""
        scene = backprop_scene(self.figsize)
        b = (self.settings or self.current_settings().validated()).b

        def frame_for(v: dict[str, Any]) -> tuple[Scene, Frame]:
            return scene, backprop_frame(BackpropSettings(v["x"], v["w"], b, v["t"], v["along"]))

        return self.grid_page(
            self.static_controls(), frame_for,
            note=f"This page holds the frames for a few values of w, x and t (the sliders snap to "
                 f"them; b = {b:.2f}); ▶ Play runs the backward pass.")



def backprop_explorer(x: float = 1.5, w: float = 0.8, b: float = -0.5, t: float = 1.0,
                      **kwargs: Any) -> BackpropExplorer:
    """The chain rule on one neuron, z = w x + b, a = sigma(z), L = 1/2 (a - t)^2: sliders for
    x, w, b, t; the graph with forward values, local derivatives and dL/d(node); L along one
    variable with the tangent whose slope is its partial; Play runs the backward pass.
    Keyword arguments: ``along`` ("w", "b", "x" or "t": the right panel's variable), figsize."""
    return BackpropExplorer(x, w, b, t, **kwargs)
