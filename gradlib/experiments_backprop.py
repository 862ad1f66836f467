"""The chain rule on one neuron, the pure part of notebook 07's explorer (no widgets imported).

The neuron and its loss:

    z = w x + b,   a = sigma(z),   L = 1/2 (a - t)^2

    tiny_network_values(x, w, b, t)   -> TinyNetwork: forward values, local derivatives and
                                         every partial of L, by the chain rule
    loss_in_w(ws, x, b, t)            L(w) on a grid of w, the other three held fixed
    loss_along(name, values, ...)     L as a function of any one of x, w, b, t, the rest fixed
    tangent_line(ws, w0, L0, slope)   L0 + slope (w - w0): the tangent at w0

    BackpropSettings, backprop_frame(settings)   what the explorer draws: settings -> Frame
    backprop_scene(figsize)                      its static layer (the graph's boxes and arrows)

Play runs the **backward pass**: step 0 shows the forward pass only (every box holds its value,
every arrow its local derivative); step k = 1 .. 7 reveals dL/d(node) for the k-th node of
``SWEEP``, a reverse topological order of the graph (L first, the inputs last), each one the
product of the dL/d(consumer) already known and the local derivative on the arrow between them.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np
from numpy.typing import ArrayLike

from . import _checks as check
from .scene import Frame, Layer, Panel, Scene

__all__ = ["TinyNetwork", "tiny_network_values", "loss_in_w", "loss_along", "tangent_line",
           "GRAPH_NODES", "GRAPH_EDGES", "SLIDER_RANGES", "SWEEP", "CONSUMER", "VARIABLES",
           "BackpropSettings", "backprop_frame", "backprop_scene", "backprop_status",
           "node_texts", "edge_texts", "note_texts", "sweep_captions"]

#: Where each node of the neuron's graph sits (graph coordinates of the explorer's left panel).
GRAPH_NODES: dict[str, tuple[float, float]] = {
    "x": (0.0, 1.0), "w": (0.0, 0.0), "b": (0.0, -1.0), "z": (1.9, 0.0), "a": (3.7, 0.0),
    "t": (3.7, -1.0), "L": (5.5, 0.0)}
#: The graph's arrows: (input, the node that uses it).
GRAPH_EDGES: tuple[tuple[str, str], ...] = (
    ("x", "z"), ("w", "z"), ("b", "z"), ("z", "a"), ("a", "L"), ("t", "L"))
#: Slider ranges: name -> (min, max, step). t is a target for a sigmoid output, so in [0, 1].
SLIDER_RANGES: dict[str, tuple[float, float, float]] = {
    "x": (-3.0, 3.0, 0.1), "w": (-4.0, 4.0, 0.1), "b": (-3.0, 3.0, 0.1), "t": (0.0, 1.0, 0.05)}
#: The order in which the backward pass reaches the nodes: every node comes after the node that
#: uses it (a reverse topological order), so its dL/d(node) is one multiplication away.
#: Play's pace through the backward sweep (ms a step): seven steps in about five seconds.
SWEEP_STEP_MS = 700.0
SWEEP: tuple[str, ...] = ("L", "a", "t", "z", "w", "b", "x")
#: The one node that uses each node (in this graph every node feeds exactly one other).
CONSUMER: dict[str, str] = {u: v for u, v in GRAPH_EDGES}
#: What the right panel can show L as a function of: name -> menu label.
VARIABLES: dict[str, str] = {"w": "w (weight)", "b": "b (bias)", "x": "x (input)",
                             "t": "t (target)"}

# box half-sizes (graph units): one-line boxes for the leaves, two-line ones for z, a, L
_HALF = {"x": (0.40, 0.15), "w": (0.40, 0.15), "b": (0.40, 0.15), "t": (0.40, 0.15),
         "z": (0.56, 0.25), "a": (0.56, 0.25), "L": (0.62, 0.25)}
#: Where each edge's local derivative is written (graph coordinates).
_EDGE_LABEL_AT: dict[tuple[str, str], tuple[float, float]] = {
    ("x", "z"): (1.0, 0.78), ("w", "z"): (0.92, 0.0), ("b", "z"): (1.0, -0.78),
    ("z", "a"): (2.8, 0.5), ("a", "L"): (4.6, 0.5), ("t", "L"): (4.75, -0.78)}
_GRAPH_XLIM = (-0.75, 6.35)
_GRAPH_YLIM = (-2.05, 1.45)
_CAPTION_AT = (-0.65, -1.78)
_EDGE_COLOR = "#1f5fa8"          # local derivatives (blue)
_GRAD_COLOR = "#c0392b"          # dL/d(node), the tangent (red)
_STEP_COLOR = "#e69f00"          # the backward pass's current step (Okabe-Ito orange)
_LOSS_YLIM = [0.0, 0.6]          # L = 1/2 (a - t)^2 <= 1/2 for a, t in [0, 1]
_N_CURVE = 81


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


def _grid(ws: ArrayLike, name: str = "ws") -> np.ndarray:
    try:
        grid = np.asarray(ws, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {type(ws).__name__}") from None
    if not np.isfinite(grid).all():
        raise ValueError(f"{name} must be finite: it contains NaN or inf")
    return grid


def loss_in_w(ws: ArrayLike, x: float, b: float, t: float) -> np.ndarray:
    """L(w) = 1/2 (sigma(w x + b) - t)^2 for every w of ``ws``, with x, b and t held fixed.

    ``ws`` must be finite real numbers (any shape); the result has the same shape.
    """
    grid = _grid(ws)
    x, b, t = (check.real(name, v) for name, v in zip("xbt", (x, b, t)))
    return 0.5 * (_sigmoid(grid * x + b) - t) ** 2


def loss_along(name: str, values: ArrayLike, x: float, w: float, b: float, t: float) -> np.ndarray:
    """L = 1/2 (sigma(w x + b) - t)^2 with the variable ``name`` (one of x, w, b, t) running
    over ``values`` and the other three held at the given numbers (the one named is ignored).

    Its derivative at the given point is the partial dL/d(name) (``tiny_network_values``).
    """
    name = check.one_of("name", name, tuple(VARIABLES))
    grid = _grid(values, "values")
    p = {k: check.real(k, v) for k, v in zip("xwbt", (x, w, b, t))}
    p[name] = grid
    return 0.5 * (_sigmoid(p["w"] * p["x"] + p["b"]) - p["t"]) ** 2


def tangent_line(ws: ArrayLike, w0: float, L0: float, slope: float) -> np.ndarray:
    """The tangent of L at w0: T(w) = L0 + slope (w - w0), for every w of ``ws``."""
    grid = np.asarray(ws, dtype=np.float64)
    w0, L0, slope = (check.real(name, v) for name, v in
                     (("w0", w0), ("L0", L0), ("slope", slope)))
    return L0 + slope * (grid - w0)


# ---------------------------------------------------------------------------------------------
# what the explorer shows
# ---------------------------------------------------------------------------------------------
def _num(value: float, digits: int) -> str:
    """``value`` with ``digits`` decimals, never "-0.000" (a tiny negative rounds to 0)."""
    text = f"{value:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def node_texts(v: TinyNetwork) -> dict[str, str]:
    """The text inside each box: the node's formula and its forward value."""
    return {"x": f"x = {_num(v.x, 2)}", "w": f"w = {_num(v.w, 2)}", "b": f"b = {_num(v.b, 2)}",
            "t": f"t = {_num(v.t, 2)}", "z": f"z = wx + b\n= {_num(v.z, 3)}",
            "a": f"a = σ(z)\n= {_num(v.a, 3)}", "L": f"L = ½(a − t)²\n= {_num(v.L, 4)}"}


def edge_texts(v: TinyNetwork) -> dict[tuple[str, str], str]:
    """The local derivative written on each arrow (output over input, its formula and value)."""
    return {("x", "z"): f"∂z/∂x = w\n= {_num(v.dz_dx, 2)}",
            ("w", "z"): f"∂z/∂w = x\n= {_num(v.dz_dw, 2)}",
            ("b", "z"): "∂z/∂b = 1",
            ("z", "a"): f"∂a/∂z = a(1−a)\n= {_num(v.da_dz, 4)}",
            ("a", "L"): f"∂L/∂a = a − t\n= {_num(v.dL_da, 4)}",
            ("t", "L"): f"∂L/∂t = t − a\n= {_num(v.dL_dt, 4)}"}


def _partial(v: TinyNetwork, node: str) -> float:
    return 1.0 if node == "L" else float(getattr(v, f"dL_d{node}"))


def note_texts(v: TinyNetwork) -> dict[str, str]:
    """The note under each box: dL/d(node), what the backward pass computes."""
    return {n: "∂L/∂L = 1" if n == "L" else f"∂L/∂{n} = {_num(_partial(v, n), 4)}"
            for n in GRAPH_NODES}


def _local(v: TinyNetwork, node: str) -> tuple[str, float]:
    """The local derivative d(consumer)/d(node): its formula and value."""
    return {"a": ("a − t", v.dL_da), "t": ("t − a", v.dL_dt), "z": ("a(1−a)", v.da_dz),
            "w": ("x", v.dz_dw), "b": ("1", v.dz_db), "x": ("w", v.dz_dx)}[node]


def _factor(value: float, digits: int = 4) -> str:
    text = _num(value, digits)
    return f"({text})" if text.startswith("-") else text


def sweep_captions(v: TinyNetwork) -> list[str]:
    """One caption per Play step: step 0 the forward pass, step k the chain-rule product that
    gives dL/d(SWEEP[k-1]) from dL/d(its consumer) and the local derivative between them."""
    n = len(SWEEP)
    out = ["Forward pass done: every box holds its value, every arrow its local derivative.\n"
           "Press ▶ Play to run the backward pass from L to the inputs."]
    for k, node in enumerate(SWEEP, start=1):
        head = f"backward step {k}/{n}: "
        if node == "L":
            out.append(head + "∂L/∂L = 1, the seed of the backward pass.")
            continue
        up = CONSUMER[node]
        formula, local = _local(v, node)
        digits = 4 if node in ("a", "t", "z") else 2
        if up == "L":      # the local derivative of L is the formula itself
            line = (f"{head}∂L/∂{node} = ∂L/∂L · ({formula}) = 1 · {_factor(local, digits)} "
                    f"= {_num(_partial(v, node), 4)}")
            why = f"(the arrow {node} → L carries the local derivative {formula})"
        else:
            line = (f"{head}∂L/∂{node} = ∂L/∂{up} · ∂{up}/∂{node} = {_factor(_partial(v, up))} · "
                    f"{_factor(local, digits)} = {_num(_partial(v, node), 4)}")
            why = f"(∂L/∂{up} is known from step {SWEEP.index(up) + 1}; the arrow carries {formula})"
        if k == n:
            why = "Done: one backward pass, one multiplication per node."
        out.append(line + "\n" + why)
    return out


def backprop_status(v: TinyNetwork, along: str = "w") -> str:
    """The status line: the chain-rule product for dL/d(along) and what its sign means."""
    along = check.one_of("along", along, tuple(VARIABLES))
    if along == "t":
        slope = v.dL_dt
        text = f"∂L/∂t = t − a = {_num(v.t, 2)} − {_num(v.a, 4)} = {_num(slope, 4)}"
        mean = ("L grows as the target moves away from a" if slope != 0 else
                "t equals a: L is at its minimum 0 in t")
        return f"{text}: {mean}."
    last = {"w": ("x", v.x), "b": ("1", 1.0), "x": ("w", v.w)}[along]
    slope = _partial(v, along)
    text = (f"∂L/∂{along} = (a − t) · a(1 − a) · {last[0]} = {_num(v.dL_da, 4)} · "
            f"{_num(v.da_dz, 4)} · {_num(last[1], 2)} = {_num(slope, 4)}")
    if along == "x":
        mean = ("L rises as x grows" if slope > 0 else "L falls as x grows" if slope < 0
                else "L does not change to first order in x")
        return f"{text}: {mean} (x is data: training changes w and b, not x)."
    step = f"so a small step of gradient descent ({along} ← {along} − lr·∂L/∂{along})"
    mean = (f"{step} increases {along}" if slope < 0 else f"{step} decreases {along}"
            if slope > 0 else "so gradient descent leaves it where it is")
    return f"{text}, {mean}."


@dataclass(frozen=True)
class BackpropSettings:
    """The explorer's controls: the neuron's inputs x, w, b, t (within ``SLIDER_RANGES``) and
    ``along``, the variable the right panel shows L as a function of (one of ``VARIABLES``)."""

    x: float = 1.5
    w: float = 0.8
    b: float = -0.5
    t: float = 1.0
    along: str = "w"

    def validated(self) -> "BackpropSettings":
        """The same settings with every number checked (ValueError naming the first bad one)."""
        vals = {}
        for name in "xwbt":
            lo, hi, _ = SLIDER_RANGES[name]
            vals[name] = check.real(name, getattr(self, name),
                                    f"a number in [{lo:g}, {hi:g}] (the slider's range)",
                                    lambda v, lo=lo, hi=hi: lo <= v <= hi)
        return BackpropSettings(**vals, along=check.one_of("along", self.along, tuple(VARIABLES)))


def _box_edge(center: np.ndarray, toward: np.ndarray, half: tuple[float, float]) -> np.ndarray:
    """Where the segment from ``center`` to ``toward`` leaves the box of half-sizes ``half``."""
    d = toward - center
    s = min(half[0] / abs(d[0]) if d[0] else math.inf, half[1] / abs(d[1]) if d[1] else math.inf)
    return center + s * d


def _arrow(u: str, v: str) -> np.ndarray:
    """The arrow u -> v from box edge to box edge (2 x 2)."""
    pu, pv = (np.array(GRAPH_NODES[n], dtype=float) for n in (u, v))
    return np.array([_box_edge(pu, pv, _HALF[u]), _box_edge(pv, pu, _HALF[v])])


def _box(node: str, pad: float = 0.06) -> np.ndarray:
    """The closed outline of a node's box, ``pad`` outside it."""
    cx, cy = GRAPH_NODES[node]
    hw, hh = _HALF[node][0] + pad, _HALF[node][1] + pad
    return np.array([[cx - hw, cy - hh], [cx + hw, cy - hh], [cx + hw, cy + hh],
                     [cx - hw, cy + hh], [cx - hw, cy - hh]])


def _note_at(node: str) -> tuple[float, float]:
    cx, cy = GRAPH_NODES[node]
    return cx, cy - _HALF[node][1] - 0.17


_NAN_ROW = np.array([[math.nan, math.nan]])


def _segments_layer(panel: str, chunks: list[np.ndarray], style: dict[str, Any]) -> Layer:
    """A segments-per-step layer (reveal "at") from one (k, 2) chunk per step 0..n_steps."""
    offsets = np.concatenate([[0], np.cumsum([len(c) for c in chunks])])
    xy = np.concatenate([c.reshape(-1, 2) for c in chunks]) if chunks else np.zeros((0, 2))
    return Layer(panel, xy, "segments-per-step", "at", style, offsets=offsets)


def backprop_frame(settings: BackpropSettings, n_curve: int = _N_CURVE) -> Frame:
    """What the explorer draws for ``settings``; Play runs the backward pass (``SWEEP``).

    Panel "graph" (the scene's picture holds the boxes and arrows):
      "forward values"      text in every box (reveal all): the node's formula and value
      "local derivatives"   text on every arrow (all): d(consumer)/d(input), formula and value
      "∂L/∂node"            text under every box (upto): point 0 is empty (step 0 = forward
                            pass only), point k is dL/d(SWEEP[k-1]), so step k shows k of them
      "backward pass: this step"   segments per step (at): the box of the node computed at
                            step k and the arrow to its consumer, along which dL/d(consumer) flows back
      "caption"             text per step (at): ``sweep_captions``
    Chart "loss" (the page draws its axes; x limits = the slider's range of ``along``):
      "L(w)"                the curve L(along), the other three fixed (all)
      "tangent, slope ∂L/∂w"  segments per step (at): empty until the sweep reaches ``along``,
                            then the tangent at the current value over 15 % of the range each side
      "current (w, L)"      the current point (all)
      "slope"               text (upto): the slope, from the step that computes it on
    """
    s = settings.validated()
    v = tiny_network_values(s.x, s.w, s.b, s.t)
    n = len(SWEEP)
    nodes = list(GRAPH_NODES)
    centers = np.array([GRAPH_NODES[k] for k in nodes], dtype=float)
    forward = Layer("graph", centers, "text", "all",
                    {"label": "forward values", "color": "#111111", "size": 12},
                    texts=[node_texts(v)[k] for k in nodes])
    local = edge_texts(v)
    edges = Layer("graph", np.array([_EDGE_LABEL_AT[e] for e in GRAPH_EDGES], dtype=float),
                  "text", "all", {"label": "local derivatives", "color": _EDGE_COLOR, "size": 10,
                                  "box": "#ffffff"},
                  texts=[local[e] for e in GRAPH_EDGES])
    notes = note_texts(v)
    grads = Layer("graph", np.concatenate([_NAN_ROW, [_note_at(k) for k in SWEEP]]), "text",
                  "upto", {"label": "∂L/∂node", "color": _GRAD_COLOR, "size": 11},
                  texts=["", *(notes[k] for k in SWEEP)])
    chunks = [np.zeros((0, 2))]
    for node in SWEEP:
        parts = [_box(node)]
        if node in CONSUMER:
            parts += [_NAN_ROW, _arrow(node, CONSUMER[node])]
        chunks.append(np.concatenate(parts))
    highlight = _segments_layer("graph", chunks, {"label": "backward pass: this step",
                                                  "color": _STEP_COLOR, "width": 3.0})
    captions = sweep_captions(v)
    caption = Layer("graph", np.repeat([_CAPTION_AT], n + 1, axis=0), "text", "at",
                    {"label": "caption", "color": "#222222", "size": 11, "align": "left"},
                    texts=captions)

    var = s.along
    lo, hi, _ = SLIDER_RANGES[var]
    grid = np.linspace(lo, hi, int(n_curve))
    here = float(getattr(s, var))
    slope = _partial(v, var)
    curve = Layer("loss", np.column_stack([grid, loss_along(var, grid, s.x, s.w, s.b, s.t)]),
                  "line", "all", {"label": f"L({var})", "color": "#333333", "width": 1.6})
    span = np.array([here - 0.15 * (hi - lo), here + 0.15 * (hi - lo)])
    tangent_xy = np.column_stack([span, tangent_line(span, here, v.L, slope)])
    reached = SWEEP.index(var) + 1                       # the Play step that computes dL/d(var)
    tangent = _segments_layer(
        "loss", [tangent_xy if k >= reached else np.zeros((0, 2)) for k in range(n + 1)],
        {"label": f"tangent, slope ∂L/∂{var}", "color": _GRAD_COLOR, "width": 1.6})
    point = Layer("loss", [[here, v.L]], "points", "all",
                  {"label": f"current ({var}, L)", "marker": "o", "size": 8, "fill": _GRAD_COLOR,
                   "edge": "#ffffff"})
    # the slope, from the step that computes it on (reveal "upto": empty points before it)
    slope_text = Layer("loss", [*([[math.nan, math.nan]] * reached), [lo + 0.03 * (hi - lo), 0.565]],
                       "text", "upto", {"label": "slope", "color": _GRAD_COLOR, "size": 11,
                                        "align": "left", "box": "#ffffff"},
                       texts=[*([""] * reached), f"slope ∂L/∂{var} = {_num(slope, 4)}"])
    others = ", ".join(k for k in "xwbt" if k != var)
    charts = {"loss": {"xlim": [lo, hi], "ylim": list(_LOSS_YLIM),
                       "title": f"L as a function of {var} ({others} held fixed)"}}
    return Frame((forward, edges, highlight, grads, caption, curve, tangent, point, slope_text),
                 n, backprop_status(v, var), "info", charts, step_ms=SWEEP_STEP_MS)


# ---------------------------------------------------------------------------------------------
# the static layer, rendered once per figure size
# ---------------------------------------------------------------------------------------------
_GRAPH_AX = (0.0, 0.0, 0.62, 0.9)
_LOSS_AX = (0.70, 0.17, 0.28, 0.70)


@lru_cache(maxsize=8)
def backprop_scene(figsize: tuple[float, float] = (10.0, 3.8), dpi: int = 100) -> Scene:
    """The explorer's static layer: the graph's empty boxes and its arrows (image panel
    "graph", in the coordinates of ``GRAPH_NODES``), with a title naming the colours, and the
    chart panel "loss" whose axes the page draws. Rendered once per size (cached)."""
    from matplotlib.figure import Figure
    from matplotlib.patches import FancyArrowPatch, Rectangle

    from .scene import scene_from_figure

    w_in, h_in = (check.positive("figsize", v) for v in figsize)
    fig = Figure(figsize=(w_in, h_in), dpi=dpi)
    ax = fig.add_axes(_GRAPH_AX)
    for node, (cx, cy) in GRAPH_NODES.items():
        hw, hh = _HALF[node]
        ax.add_patch(Rectangle((cx - hw, cy - hh), 2 * hw, 2 * hh, facecolor="#e8eef7",
                               edgecolor="0.45", linewidth=0.9, zorder=2))
    for u, v in GRAPH_EDGES:
        (x0, y0), (x1, y1) = _arrow(u, v)
        ax.add_patch(FancyArrowPatch((x0, y0), (x1, y1), arrowstyle="-|>", mutation_scale=11,
                                     color="0.45", linewidth=1.0, shrinkA=0, shrinkB=0, zorder=1))
    ax.set_xlim(*_GRAPH_XLIM)
    ax.set_ylim(*_GRAPH_YLIM)
    ax.set_axis_off()
    fig.text(0.012, 0.975, "forward values in the boxes, local derivatives (blue) on the arrows, "
             "∂L/∂node (red) under the boxes", ha="left", va="top", fontsize=9, color="#222222")
    width, height = w_in * dpi, h_in * dpi
    l, b, wd, ht = _LOSS_AX
    loss = Panel("loss", "chart", (l * width, (1 - b - ht) * height, wd * width, ht * height))
    alt = ("One neuron's computational graph, z = wx + b, a = σ(z), L = ½(a − t)², with forward "
           "values, local derivatives and ∂L/∂node (left), and L as a function of one variable "
           "with its tangent (right).")
    return scene_from_figure(fig, {"graph": ax}, [loss], alt)
