"""Explorer and pictures for notebooks 10-11: vanishing and exploding gradients, and sharpness
during training (the edge of stability).

    gradient_flow_explorer()   depth, activation, init and init scale on controls -> the gradient
                               norm of every layer at initialization, on a log chart; Play runs
                               the backward pass from the output layer down, layer by layer

Drawn by the browser renderer (gradlib.widgets.canvas): controls -> GradientFlowSettings ->
experiments_pathologies.gradient_flow_frame -> Canvas. The exported page shows frames computed
in advance over a small grid of the controls' values (``canvas.grid_static_html``).

The pure helpers (probe_data, layer_gradient_norms, diagnose, gradient_norm_table, chain_weights,
chain_forward, jacobian_gains, SharpnessRun, sharpness_trace, full_hessian, the frame and its
scene) live in ``gradlib.experiments_pathologies`` and are re-exported here under their old
names. The pictures notebooks draw stay here:

    plot_layer_norms, plot_gradient_norm_table, plot_sharpness, sharpness_animation
"""
from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any, NamedTuple

import ipywidgets as W
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.image import AxesImage
from matplotlib.lines import Line2D
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator
from numpy.typing import ArrayLike

from .. import _checks as check
from ..animate import HTMLAnimation, animate_frames
from ..experiments_pathologies import (  # noqa: F401 - the pure part, re-exported
    _ACTIVATION_COLORS, _OVERFLOW_COLOR, ACTIVATION_COLORS, CHAIN_ACTIVATIONS, EXPLODING, FIGSIZE,
    MAX_DEPTH, NORM_LABEL, OUTPUT_LABEL, OVERFLOW_COLOR, OVERFLOW_LABEL, RUN_COLORS, SWEEP_LABEL,
    THRESHOLD_LABEL, VANISHING, GradientFlowSettings, GradientNormTable, SharpnessRun,
    _check_model, _classification_data, _descend_measuring, _init_scale, _layer_norms,
    chain_forward, chain_weights, diagnose, full_hessian, gradient_flow_frame,
    gradient_flow_norms, gradient_flow_scene, gradient_flow_status, gradient_norm_table,
    jacobian_gains, layer_gradient_norms, probe_data, sharpness_trace, sweep_caption,
)
from ..mlp import ACTIVATIONS, INITS
from .canvas import GRID_BUDGET, CanvasDashboard, GridControl, snapshot_fallback, status_html

__all__ = [
    "CHAIN_ACTIVATIONS", "MAX_DEPTH", "VANISHING", "EXPLODING",
    "probe_data", "layer_gradient_norms", "diagnose", "GradientNormTable", "gradient_norm_table",
    "chain_weights", "chain_forward", "jacobian_gains",
    "SharpnessRun", "sharpness_trace", "full_hessian",
    "plot_layer_norms", "HeatMap", "plot_gradient_norm_table", "SharpnessArtists",
    "RUN_COLORS", "plot_sharpness", "sharpness_animation",
    "GradientFlowSettings", "gradient_flow_frame", "gradient_flow_scene", "gradient_flow_status",
    "GradientFlowExplorer", "gradient_flow_explorer",
]


# ---------------------------------------------------------------------------------------------
# pictures
# ---------------------------------------------------------------------------------------------
def _new_ax(ax: Axes | None, figsize: tuple[float, float] = (6.0, 3.5)) -> Axes:
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    elif not isinstance(ax, Axes):
        raise ValueError(f"ax must be a matplotlib Axes or None, got {type(ax).__name__}")
    return ax


def plot_layer_norms(curves: Mapping[str, ArrayLike], ax: Axes | None = None, *,
                     colors: Sequence[str] | None = None, first_layer: int = 1) -> list[Line2D]:
    """Per-layer gradient norms (label -> norms from the input side) on a log axis, one line each.

    The first entry is drawn at x = ``first_layer`` (1: the input-side weight layer; use 0 for
    the gains of ``jacobian_gains``, whose entry 0 is the chain's input). Zero or infinite norms
    are left out of the line. Colours: ``colors``, or by default ``RUN_COLORS`` (colour-blind safe).
    """
    if not isinstance(curves, Mapping) or len(curves) == 0:
        raise ValueError("curves must be a non-empty mapping label -> per-layer norms")
    if colors is not None and len(colors) != len(curves):
        raise ValueError(f"colors must have one entry per curve ({len(curves)}), "
                         f"got {len(colors)}")
    first_layer = check.integer("first_layer", first_layer, 0)
    ax = _new_ax(ax)
    lines = []
    for i, (label, norms) in enumerate(curves.items()):
        g = np.asarray(norms, dtype=np.float64)
        if g.ndim != 1 or g.size < 1:
            raise ValueError(f"curves[{label!r}] must be a 1-D array of norms, got shape {g.shape}")
        layers = np.arange(first_layer, first_layer + g.size)
        keep = np.isfinite(g) & (g > 0)
        color = colors[i] if colors is not None else RUN_COLORS[i % len(RUN_COLORS)]
        (line,) = ax.plot(layers[keep], g[keep], marker="o", markersize=3, label=str(label),
                          color=color)
        lines.append(line)
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("layer l (1 = input side)")
    ax.set_ylabel("||dL/dW_l||")
    return lines


class HeatMap(NamedTuple):
    image: AxesImage
    texts: list[Text]
    colorbar: Colorbar | None


def plot_gradient_norm_table(table: GradientNormTable, ax: Axes | None = None, *,
                             value: str = "first", limit: float = 15.0,
                             annotate: bool = True, colorbar: bool = True) -> HeatMap:
    """A heat map of log10 of the table's ``value`` ("first", "last" or "ratio"): rows are
    (activation, init) pairs, columns depths. Colors are clipped to [-limit, limit] decades
    (inf shows as the top color); white is 10^0 = 1, blue is small (vanishing), red large.
    """
    if not isinstance(table, GradientNormTable):
        raise ValueError(f"table must be a GradientNormTable, got {type(table).__name__}")
    value = check.one_of("value", value, ("first", "last", "ratio"))
    limit = check.positive("limit", limit)
    values = {"first": table.first, "last": table.last, "ratio": table.ratio}[value]
    with np.errstate(all="ignore"):
        logs = np.log10(values)
    shown = np.clip(np.nan_to_num(logs, nan=0.0, posinf=limit, neginf=-limit), -limit, limit)
    ax = _new_ax(ax, (7.5, 3.8))
    image = ax.imshow(shown, cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto",
                      interpolation="nearest")
    ax.set_xticks(range(table.depths.size), [str(d) for d in table.depths])
    ax.set_yticks(range(len(table.rows)), table.labels)
    ax.set_xlabel("depth (hidden layers)")
    texts = []
    if annotate:
        for (r, j), v in np.ndenumerate(logs):
            label = "inf" if v == math.inf else ("-inf" if v == -math.inf else f"{round(v):d}")
            texts.append(ax.text(j, r, label, ha="center", va="center", fontsize=7,
                                 color="white" if abs(shown[r, j]) > 0.6 * limit else "black"))
    bar = None
    if colorbar:
        bar = ax.figure.colorbar(image, ax=ax)
        bar.set_label({"first": "log10 ||dL/dW_1||", "last": "log10 ||dL/dW_last||",
                       "ratio": "log10 (first / last)"}[value])
    return HeatMap(image, texts, bar)


class SharpnessArtists(NamedTuple):
    lines: list[Line2D]
    thresholds: list[Line2D]


def _runs(runs: Any) -> tuple[SharpnessRun, ...]:
    if isinstance(runs, SharpnessRun):
        return (runs,)
    if not isinstance(runs, Sequence) or len(runs) == 0 \
            or not all(isinstance(r, SharpnessRun) for r in runs):
        raise ValueError("runs must be a SharpnessRun or a non-empty sequence of them "
                         "(from sharpness_trace)")
    return tuple(runs)


def _run_colors(count: int) -> list[str]:
    return [RUN_COLORS[i % len(RUN_COLORS)] for i in range(count)]


def plot_sharpness(runs: Any, ax: Axes | None = None) -> SharpnessArtists:
    """Sharpness against the step for each run (solid, labelled "lr = ..."), with its threshold
    2 / lr as a dashed line of the same colour (labelled "2 / lr = ..."), colours ``RUN_COLORS``."""
    items = _runs(runs)
    ax = _new_ax(ax)
    lines, thresholds = [], []
    for run, color in zip(items, _run_colors(len(items))):
        (line,) = ax.plot(run.measured_at, run.sharpness, color=color, linewidth=1.6,
                          label=f"lr = {run.lr:g}")
        lines.append(line)
        thresholds.append(ax.axhline(run.threshold, color=color, linestyle="--", linewidth=1.0,
                                     label=f"2 / lr = {run.threshold:.3g}"))
    ax.set_xlabel("step t")
    ax.set_ylabel("sharpness  lambda_max(H)")
    return SharpnessArtists(lines, thresholds)


def sharpness_animation(runs: Any, frames: int = 60, *, figsize: tuple[float, float] = (8.5, 3.4)
                        ) -> HTMLAnimation:
    """The runs as a kernel-free video: sharpness (solid) against 2 / lr (dashed, same colour) on
    the left, the loss on the right, growing step by step. A threshold above the sharpness
    window is named "(above the chart)" in the legend."""
    items = _runs(runs)
    frames = check.integer("frames", frames, 2, 100)
    last = max(int(r.measured_at[-1]) if r.measured_at.size else 0 for r in items)
    with plt.ioff():
        fig, (ax_s, ax_l) = plt.subplots(1, 2, figsize=figsize)
    art = plot_sharpness(items, ax_s)
    # the window fits the measured sharpness; a threshold far above it stays off the chart
    highest = max(float(r.sharpness.max()) if r.sharpness.size else 0.0 for r in items)
    top = max(highest, min(r.threshold for r in items))
    ax_s.set_xlim(0, max(last, 1))
    ax_s.set_ylim(0, 1.2 * top)
    for run, thr in zip(items, art.thresholds):
        if run.threshold > 1.2 * top:
            thr.set_label(f"2 / lr = {run.threshold:.3g} (above the chart)")
    ax_s.legend(loc="lower right", fontsize=7, ncol=2)
    colors = _run_colors(len(items))
    loss_lines = [ax_l.plot([], [], color=c, linewidth=1.2)[0] for c in colors]
    finite = np.concatenate([r.losses for r in items])
    finite = finite[np.isfinite(finite) & (finite > 0)]
    ax_l.set_yscale("log")
    ax_l.set_xlim(0, max(last, 1))
    if finite.size:
        ax_l.set_ylim(finite.min() / 1.5, finite.max() * 1.5)
    ax_l.set_xlabel("step t")
    ax_l.set_ylabel("training loss (colours as on the left)")
    title = fig.suptitle("", fontsize=10)
    fig.tight_layout()
    cut = np.unique(np.round(np.linspace(0, last, frames)).astype(int))

    def update(t: int) -> list:
        for run, line, loss_line in zip(items, art.lines, loss_lines):
            k = np.searchsorted(run.measured_at, t, side="right")
            line.set_data(run.measured_at[:k], run.sharpness[:k])
            n = min(t + 1, run.losses.size)
            loss_line.set_data(np.arange(n), run.losses[:n])
        title.set_text(f"step {t}: sharpness (solid) and 2 / lr (dashed, same colour)")
        return [*art.lines, *loss_lines, title]

    return animate_frames(fig, update, [int(t) for t in cut], blit=True)


# ---------------------------------------------------------------------------------------------
# the explorer
# ---------------------------------------------------------------------------------------------
#: What the kernel-free copy offers besides the explorer's own settings (few values: every
#: combination is computed in advance and embedded; 108 networks take about a second).
STATIC_DEPTHS = (5, 10, 20, 30)
STATIC_ACTIVATIONS = ("sigmoid", "tanh", "relu")
STATIC_SCALES = (0.5, 1.0, 2.0)


class GradientFlowExplorer(CanvasDashboard):
    """||dL/dW_l|| for every layer of a freshly initialized MLP, on a log chart.

    Controls: depth (hidden layers), activation, init, init_scale (log slider). Play runs the
    backward pass from the output layer down to layer 1 (one layer per step). The status line
    says what the norms show (``gradient_flow_status``: ``diagnose`` with the numbers). State
    after each update: ``norms`` (``layer_gradient_norms`` of the current network on ``X, y``),
    ``settings``, ``scene`` / ``frame`` (what was sent); ``figure`` draws the frame with
    matplotlib (a snapshot).
    """

    static_title = "gradient norm of every layer at initialization"

    def __init__(self, depth: int = 10, width: int = 64, activation: str = "sigmoid",
                 init: str = "xavier", init_scale: float = 1.0, *, max_depth: int = 30,
                 seeds: int = 1, X: ArrayLike | None = None, y: ArrayLike | None = None,
                 figsize: tuple[float, float] = FIGSIZE) -> None:
        from .canvas import Canvas

        super().__init__()
        self.max_depth = check.integer("max_depth", max_depth, 1, MAX_DEPTH)
        depth = check.integer("depth", depth, 1, self.max_depth)
        self.width = check.integer("width", width, 1, 1024)
        activation = check.one_of("activation", activation, ACTIVATIONS)
        init = check.one_of("init", init, INITS)
        init_scale = _init_scale(init_scale)
        if not 0.01 <= init_scale <= 100.0:
            raise ValueError(f"init_scale must be in [0.01, 100] for the slider, got {init_scale!r}")
        self.seeds = check.integer("seeds", seeds, 1, 100)
        self.X, self.y = _classification_data(X, y)
        self.figsize = _checked_figsize(figsize)
        self.norms = np.ones(depth + 1)
        self._cache: dict[GradientFlowSettings, np.ndarray] = {}

        c = self.controls
        c["depth"] = W.IntSlider(value=depth, min=1, max=self.max_depth, description="depth",
                                 continuous_update=False)
        c["activation"] = W.Dropdown(options=list(ACTIVATIONS), value=activation,
                                     description="activation")
        c["init"] = W.Dropdown(options=list(INITS), value=init, description="init")
        c["init_scale"] = W.FloatLogSlider(value=init_scale, base=10, min=-2, max=2, step=0.05,
                                           description="init scale", readout_format=".3g",
                                           continuous_update=False)
        self.canvas = Canvas()
        self.scene = gradient_flow_scene(self.figsize)
        self._wire()

    # -- computations ----------------------------------------------------------------------
    def current_settings(self) -> GradientFlowSettings:
        """The controls (and the fixed width, seeds, figsize) as a ``GradientFlowSettings``."""
        c = self.controls
        return GradientFlowSettings(int(c["depth"].value), self.width, str(c["activation"].value),
                                    str(c["init"].value), float(c["init_scale"].value), 0,
                                    self.seeds, self.figsize)

    def norms_for(self, settings: GradientFlowSettings) -> np.ndarray:
        """``gradient_flow_norms(settings, X, y)`` on the explorer's data, cached per settings
        (revisiting a setting costs nothing; the static page reuses them)."""
        g = self._cache.get(settings)
        if g is None:
            if len(self._cache) >= 1024:
                self._cache.clear()
            g = self._cache[settings] = gradient_flow_norms(settings, self.X, self.y)
        return g

    def update(self) -> None:
        """Controls -> GradientFlowSettings -> frame -> the page (one message per change)."""
        s = self.current_settings()
        try:
            g = self.norms_for(s)
            frame = gradient_flow_frame(s, g)
        except ValueError as err:
            self._show_error(f"cannot compute the gradient norms: {err}")
            return
        self.norms = g
        self.status.value = status_html(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)
        self.frame, self.settings = frame, s

    def _error_scene(self) -> Any:
        return gradient_flow_scene(self.figsize)

    def describe(self) -> str:
        """The status line shown: the diagnosis with the first and output layers' norms (or
        why the last input was refused)."""
        return str(self.canvas.frame.get("status", ""))

    # -- the kernel-free copy --------------------------------------------------------------
    def static_controls(self) -> list[GridControl]:
        """The page's controls, each over a few values (``STATIC_DEPTHS``, ``STATIC_ACTIVATIONS``,
        every init, ``STATIC_SCALES``), with the explorer's current values in (a depth or scale
        replaces the nearest one), so the page opens on what the explorer shows."""
        s = self.settings or self.current_settings()
        depths = [d for d in STATIC_DEPTHS if d <= self.max_depth]
        acts = tuple(a for a in ACTIVATIONS if a in STATIC_ACTIVATIONS or a == s.activation)
        scales = _with(STATIC_SCALES, s.init_scale, math.log)
        return [GridControl("depth", "depth", _with(depths, s.depth, float), s.depth),
                GridControl("activation", "activation", acts, s.activation, "select"),
                GridControl("init", "init", tuple(INITS), s.init, "select"),
                GridControl("init_scale", "init scale", scales, s.init_scale,
                            labels=tuple(f"{v:.3g}" for v in scales))]

    def static_frame(self, values: Mapping[str, Any]) -> tuple[Any, Any]:
        """(scene, frame) of the page for one combination of the controls' values."""
        s = self.settings or self.current_settings()
        settings = GradientFlowSettings(int(values["depth"]), s.width, str(values["activation"]),
                                        str(values["init"]), float(values["init_scale"]),
                                        s.seed, s.seeds, s.figsize)
        return self.scene, gradient_flow_frame(settings, self.norms_for(settings))

    def static_html(self, budget: int = GRID_BUDGET) -> str:
        """The explorer for a page with no kernel: every combination of ``static_controls``
        computed in advance (``canvas.grid_static_html``). The whole page (data, module,
        snapshot) stays within ``budget`` bytes: if the grid does not fit, the init scale is
        kept at the explorer's value (one value instead of three)."""
        from .canvas import module_source

        fallback = snapshot_fallback(self.scene, self.frame)
        snapshot = 4 * len(fallback[0]) // 3 + 2 * len(fallback[1].encode()) if fallback else 0
        room = budget - len(module_source().encode()) - snapshot - 4_000     # + the HTML around
        controls = self.static_controls()
        try:
            return self.grid_page(controls, self.static_frame, budget=room, fallback=fallback)
        except ValueError:
            scale = controls[-1].initial
            controls[-1] = GridControl("init_scale", "init scale", (scale,), scale,
                                       labels=(f"{scale:.3g}",))
            return self.grid_page(controls, self.static_frame, budget=room, fallback=fallback)


def _checked_figsize(figsize: Any) -> tuple[float, float]:
    """figsize as (width, height) in inches, checked like the frame function checks it."""
    try:
        pair = tuple(figsize)
    except TypeError:
        pair = (figsize,)
    return GradientFlowSettings(figsize=pair).checked().figsize


def _with(values: Sequence[Any], value: Any, scale: Any) -> tuple[Any, ...]:
    """``values`` (sorted) with ``value`` in place of the nearest one (nearest by ``scale``), or
    unchanged if it is already there."""
    if value in values:
        return tuple(values)
    if not values:
        return (value,)
    near = min(values, key=lambda v: abs(scale(v) - scale(value)))
    return tuple(sorted([v for v in values if v != near] + [value]))


def gradient_flow_explorer(depth: int = 10, width: int = 64, activation: str = "sigmoid",
                           init: str = "xavier", init_scale: float = 1.0, **kwargs: Any
                           ) -> GradientFlowExplorer:
    """The per-layer gradient norms of a fresh MLP on controls; see ``GradientFlowExplorer``.

    Keyword arguments: ``max_depth`` (the depth slider's end, default 30), ``seeds`` (networks
    averaged), ``X``, ``y`` (default ``probe_data()``), ``figsize``.
    """
    return GradientFlowExplorer(depth, width, activation, init, init_scale, **kwargs)
