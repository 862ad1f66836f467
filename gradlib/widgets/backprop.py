"""Explorer for notebook 07: the chain rule on one neuron, live.

    backprop_explorer()   sliders for x, w, b and t of the neuron
                              z = w x + b,   a = sigma(z),   L = 1/2 (a - t)^2
                          -> its computational graph with the forward value in every box, the
                          local derivative on every edge and dL/d(node) under every box, and
                          beside it L as a function of w with the tangent whose slope is dL/dw

Pure functions, used by the explorer and tested without any widget:

    tiny_network_values(x, w, b, t)   -> TinyNetwork: forward values, local derivatives and
                                         every partial of L, by the chain rule
    loss_in_w(ws, x, b, t)            L(w) on a grid of w, the other three held fixed
    tangent_line(ws, w0, L0, slope)   L0 + slope (w - w0): the tangent at w0

The explorer builds its figure once; an update recomputes the numbers and moves artists
(``set_text``, ``set_data``, ``set_ydata``) before one redraw.
"""
from __future__ import annotations

import html
from typing import Any, NamedTuple

import ipywidgets as W
import numpy as np
from numpy.typing import ArrayLike

from .. import _checks as check
from ._base import Dashboard, new_figure
from .training import GraphArtists, draw_graph

__all__ = ["TinyNetwork", "tiny_network_values", "loss_in_w", "tangent_line",
           "GRAPH_NODES", "GRAPH_EDGES", "SLIDER_RANGES",
           "BackpropExplorer", "backprop_explorer"]

#: Where each node of the neuron's graph sits (the layout notebook 07 draws).
GRAPH_NODES: dict[str, tuple[float, float]] = {
    "x": (0.0, 1.0), "w": (0.0, 0.0), "b": (0.0, -1.0), "z": (1.6, 0.0), "a": (3.2, 0.0),
    "t": (3.2, -1.0), "L": (4.8, 0.0)}
#: The graph's arrows: (input, the node that uses it).
GRAPH_EDGES: tuple[tuple[str, str], ...] = (
    ("x", "z"), ("w", "z"), ("b", "z"), ("z", "a"), ("a", "L"), ("t", "L"))
#: Slider ranges: name -> (min, max, step). t is a target for a sigmoid output, so in [0, 1].
SLIDER_RANGES: dict[str, tuple[float, float, float]] = {
    "x": (-3.0, 3.0, 0.1), "w": (-4.0, 4.0, 0.1), "b": (-3.0, 3.0, 0.1), "t": (0.0, 1.0, 0.05)}


def _sigmoid(z: np.ndarray | float) -> Any:
    """sigma(z) = 1 / (1 + e^-z), written as (1 + tanh(z/2)) / 2: no overflow for any z."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=np.float64)))


class TinyNetwork(NamedTuple):
    """Every number of the one-neuron graph at one point (x, w, b, t).

    Forward: z, a, L. Local derivatives (one per edge): dz_dx = w, dz_dw = x, dz_db = 1,
    da_dz = a (1 - a), dL_da = a - t, dL_dt = t - a. Partials of L (one per node, by the chain
    rule): dL_dz = dL_da da_dz, dL_dw = dL_dz x, dL_db = dL_dz, dL_dx = dL_dz w.
    """
    x: float
    w: float
    b: float
    t: float
    z: float
    a: float
    L: float
    dz_dx: float
    dz_dw: float
    dz_db: float
    da_dz: float
    dL_da: float
    dL_dt: float
    dL_dz: float
    dL_dw: float
    dL_db: float
    dL_dx: float


def tiny_network_values(x: float, w: float, b: float, t: float) -> TinyNetwork:
    """Forward values and partial derivatives of one sigmoid neuron with squared error.

        z = w x + b,   a = sigma(z),   L = 1/2 (a - t)^2
        dL/da = a - t,   dL/dz = (a - t) a (1 - a),   dL/dw = dL/dz x,   dL/db = dL/dz,
        dL/dx = dL/dz w,   dL/dt = t - a

    Each argument must be a finite real number.
    """
    x, w, b, t = (check.real(name, v) for name, v in zip("xwbt", (x, w, b, t)))
    # forward: one line per node
    z = w * x + b
    a = float(_sigmoid(z))
    L = 0.5 * (a - t) ** 2
    # local derivatives: one per edge
    dz_dx, dz_dw, dz_db = w, x, 1.0
    da_dz = a * (1.0 - a)
    dL_da = a - t
    dL_dt = t - a
    # backward: multiply in one local derivative per step
    dL_dz = dL_da * da_dz
    dL_dw = dL_dz * dz_dw
    dL_db = dL_dz * dz_db
    dL_dx = dL_dz * dz_dx
    return TinyNetwork(x, w, b, t, z, a, L, dz_dx, dz_dw, dz_db, da_dz, dL_da, dL_dt,
                       dL_dz, dL_dw, dL_db, dL_dx)


def loss_in_w(ws: ArrayLike, x: float, b: float, t: float) -> np.ndarray:
    """L(w) = 1/2 (sigma(w x + b) - t)^2 for every w of ``ws``, with x, b and t held fixed.

    ``ws`` must be finite real numbers (any shape); the result has the same shape.
    """
    try:
        grid = np.asarray(ws, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"ws must be an array of numbers, got {type(ws).__name__}") from None
    if not np.isfinite(grid).all():
        raise ValueError("ws must be finite: it contains NaN or inf")
    x, b, t = (check.real(name, v) for name, v in zip("xbt", (x, b, t)))
    return 0.5 * (_sigmoid(grid * x + b) - t) ** 2


def tangent_line(ws: ArrayLike, w0: float, L0: float, slope: float) -> np.ndarray:
    """The tangent of L at w0: T(w) = L0 + slope (w - w0), for every w of ``ws``."""
    grid = np.asarray(ws, dtype=np.float64)
    w0, L0, slope = (check.real(name, v) for name, v in
                     (("w0", w0), ("L0", L0), ("slope", slope)))
    return L0 + slope * (grid - w0)


def _slider(name: str, value: float, description: str) -> W.FloatSlider:
    lo, hi, step = SLIDER_RANGES[name]
    check.real(name, value, f"a number in [{lo:g}, {hi:g}] (the slider's range)",
               lambda v: lo <= v <= hi)
    return W.FloatSlider(value=float(value), min=lo, max=hi, step=step, description=description,
                         readout_format=".2f", continuous_update=True)


#: Where each edge's local derivative is written: (edge) -> (x, y) in graph coordinates.
_EDGE_LABEL_AT: dict[tuple[str, str], tuple[float, float]] = {
    ("x", "z"): (0.8, 0.5), ("w", "z"): (0.75, 0.2), ("b", "z"): (0.8, -0.5),
    ("z", "a"): (2.4, 0.34), ("a", "L"): (4.0, 0.34), ("t", "L"): (4.0, -0.5)}
_EDGE_COLOR = "#1f5fa8"


class BackpropExplorer(Dashboard):
    """One neuron's computational graph (left) and L(w) with its tangent (right).

    Controls: ``x``, ``w``, ``b``, ``t`` (float sliders). State: ``values`` (TinyNetwork of the
    current point). Artists: ``graph`` (GraphArtists: ``graph.nodes[name]`` holds the forward
    value, ``graph.notes[name]`` the partial dL/d(name)), ``edge_texts`` (edge -> Text with the
    local derivative), ``curve`` (L over ``ws``), ``tangent``, ``point``.
    """

    def __init__(self, x: float = 1.5, w: float = 0.8, b: float = -0.5, t: float = 1.0, *,
                 figsize: tuple[float, float] = (9.0, 3.6)) -> None:
        super().__init__()
        c = self.controls
        c["x"] = _slider("x", x, "x (input)")
        c["w"] = _slider("w", w, "w (weight)")
        c["b"] = _slider("b", b, "b (bias)")
        c["t"] = _slider("t", t, "t (target)")
        fig = self.figure = new_figure(figsize)
        g_ax = fig.add_axes((0.0, 0.02, 0.6, 0.86))
        self.graph: GraphArtists = draw_graph(GRAPH_NODES, GRAPH_EDGES, ax=g_ax)
        for text in self.graph.nodes.values():
            text.set_fontsize(8)
        g_ax.set_ylim(-1.75, 1.5)
        # each local derivative sits on its arrow, on a white patch that hides the line beneath
        self.edge_texts = {edge: g_ax.text(*_EDGE_LABEL_AT[edge], "", fontsize=6.5,
                                           color=_EDGE_COLOR, ha="center", va="center", zorder=4,
                                           bbox=dict(boxstyle="round,pad=0.15", fc="white",
                                                     ec="none", alpha=0.9))
                           for edge in GRAPH_EDGES}
        g_ax.set_title("forward values (boxes), local derivatives (blue, on the arrows),\n"
                       "∂L/∂node by the chain rule (red)", fontsize=8)
        ax = self.ax_loss = fig.add_axes((0.68, 0.16, 0.3, 0.68))
        lo, hi, _ = SLIDER_RANGES["w"]
        self.ws = np.linspace(lo, hi, 321)
        (self.curve,) = ax.plot(self.ws, np.zeros_like(self.ws), color="0.2", linewidth=1.5,
                                label="L(w)")
        (self.tangent,) = ax.plot([], [], color="#c0392b", linewidth=1.3,
                                  label="tangent, slope ∂L/∂w")
        (self.point,) = ax.plot([], [], "o", color="#c0392b", markersize=6, linestyle="none",
                                label="current (w, L)")
        ax.set_xlim(lo, hi)
        ax.set_ylim(-0.03, 0.53)                   # L = 1/2 (a - t)^2 <= 1/2 for a, t in [0, 1]
        ax.set_xlabel("w  (x, b, t held fixed)", fontsize=8)
        ax.set_ylabel("L", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.grid(alpha=0.25)
        ax.legend(fontsize=7, loc="upper right")
        self.loss_title = ax.set_title("", fontsize=9)
        self.values: TinyNetwork | None = None
        self._wire()

    def update(self) -> None:
        c = self.controls
        v = self.values = tiny_network_values(*(float(c[k].value) for k in "xwbt"))
        labels = {"x": f"x = {v.x:.2f}", "w": f"w = {v.w:.2f}", "b": f"b = {v.b:.2f}",
                  "t": f"t = {v.t:.2f}", "z": f"z = wx + b\n= {v.z:.3f}",
                  "a": f"a = σ(z)\n= {v.a:.3f}", "L": f"L = ½(a − t)²\n= {v.L:.4f}"}
        notes = {"x": f"∂L/∂x = {v.dL_dx:.4f}", "w": f"∂L/∂w = {v.dL_dw:.4f}",
                 "b": f"∂L/∂b = {v.dL_db:.4f}", "z": f"∂L/∂z = {v.dL_dz:.4f}",
                 "a": f"∂L/∂a = {v.dL_da:.4f}", "t": f"∂L/∂t = {v.dL_dt:.4f}",
                 "L": "∂L/∂L = 1"}
        local = {("x", "z"): f"∂z/∂x = w = {v.dz_dx:.2f}", ("w", "z"): f"∂z/∂w = x\n= {v.dz_dw:.2f}",
                 ("b", "z"): "∂z/∂b = 1", ("z", "a"): f"∂a/∂z = a(1−a)\n= {v.da_dz:.4f}",
                 ("a", "L"): f"∂L/∂a = a − t\n= {v.dL_da:.4f}",
                 ("t", "L"): f"∂L/∂t = t − a = {v.dL_dt:.4f}"}
        for name in GRAPH_NODES:
            self.graph.nodes[name].set_text(labels[name])
            self.graph.notes[name].set_text(notes[name])
        for edge, text in self.edge_texts.items():
            text.set_text(local[edge])
        self.curve.set_ydata(loss_in_w(self.ws, v.x, v.b, v.t))
        span = np.array([v.w - 1.2, v.w + 1.2])
        self.tangent.set_data(span, tangent_line(span, v.w, v.L, v.dL_dw))
        self.point.set_data([v.w], [v.L])
        self.loss_title.set_text(f"L(w) and its tangent: slope ∂L/∂w = {v.dL_dw:.4f}")
        direction = ("so a small step of gradient descent (w ← w − lr·∂L/∂w) increases w"
                     if v.dL_dw < 0 else
                     "so a small step of gradient descent (w ← w − lr·∂L/∂w) decreases w"
                     if v.dL_dw > 0 else "so gradient descent leaves w where it is")
        text = (f"∂L/∂w = (a − t) · a(1 − a) · x = {v.dL_da:.4f} · {v.da_dz:.4f} · {v.x:.2f} "
                f"= {v.dL_dw:.4f}, {direction}.")
        self.status.value = f'<span style="color:#333">{html.escape(text)}</span>'
        self.redraw()


def backprop_explorer(x: float = 1.5, w: float = 0.8, b: float = -0.5, t: float = 1.0,
                      **kwargs: Any) -> BackpropExplorer:
    """The chain rule on one neuron, z = w x + b, a = sigma(z), L = 1/2 (a - t)^2: sliders for
    x, w, b, t; the graph with forward values, local derivatives and dL/d(node); L(w) with the
    tangent of slope dL/dw. Keyword arguments: figsize."""
    return BackpropExplorer(x, w, b, t, **kwargs)

