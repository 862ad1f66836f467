"""Explorers for notebooks 01-02: partials as slopes of slices, the directional derivative,
and how the error of a finite difference depends on the step h.

    slice_explorer("x**2*y + sin(y)")     pick (x0, y0): the surface, its x- and y-slices and
                                          their tangent lines, whose slopes are df/dx and df/dy;
                                          Play: secants through (x0 + h, ...) turn into the
                                          tangents as h -> 0
    directional_explorer("x**2 + 3*y**2") an angle slider: D_u f = grad f . u against the angle,
                                          largest (= |grad f|) when u points along grad f;
                                          Play turns u once around the circle
    step_size_explorer()                  function, point, method and h: the U-shaped curves
                                          of the error versus h, with the current h marked;
                                          Play walks the chosen curve from large h to small

Drawn by the browser renderer (gradlib.widgets.canvas): controls -> settings -> a pure frame
function of ``gradlib.experiments_calculus`` -> Canvas. What stays put (the surface, the
contours, the log axes) is rendered once per formula; the curves, tangents, arrows and markers
travel as numbers, and Play runs in the page. Exported pages (``_repr_mimebundle_``'s text/html)
replay frames precomputed over a few values of the main controls, with no kernel.

The pure helpers (fields, slices, tangents, directional derivatives, step-error models, error
bands, the frames) live in ``gradlib.experiments_calculus`` and are re-exported here under their
old names. Static figures for the notebooks stay here:

    plot_step_errors(expr_or_text, x, ...)    the error-versus-h U-curves (log-log)
    plot_error_bands(results)                 gradient-check verdicts: wrong ... right
    play_animation(scene, frame)              an explorer's Play as a video (plays anywhere)
"""
from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any, NamedTuple

import ipywidgets as W
import numpy as np
import sympy as sp
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from numpy.typing import ArrayLike

from .. import _checks as check
from .. import numeric
from ..experiments_calculus import (  # noqa: F401 - the pure part, re-exported
    DEFAULT_FORMULA, DEFAULT_HS, EPS, ERROR_BANDS, ERROR_FLOOR, METHOD_COLORS, METHODS,
    STEP_FUNCTIONS, DirectionalSettings, Field2D, Function1D, SliceSettings, StepModel,
    StepSettings, _check_point, _field, _function, arrow_xy, directional_derivative,
    directional_frame, directional_view, error_band, errors_for_plot, field2d, function1d,
    optimal_step, secant_steps, slice_curve, slice_frame, slice_view, steepest_ascent_angle,
    step_error_curves, step_error_model, step_frame, step_scene, tangent_line, tangent_segment,
)
from ..animate import play_animation  # noqa: F401 - re-exported (its home is gradlib.animate)
from ..scene import Frame, Scene
from .canvas import CanvasDashboard, status_html

__all__ = [
    "Field2D", "field2d", "slice_curve", "tangent_line", "tangent_segment",
    "directional_derivative", "steepest_ascent_angle",
    "STEP_FUNCTIONS", "METHODS", "METHOD_COLORS", "DEFAULT_HS", "ERROR_FLOOR", "StepModel",
    "step_error_model", "optimal_step", "Function1D", "function1d", "step_error_curves",
    "StepErrorPlot", "plot_step_errors", "ERROR_BANDS", "error_band", "BandPlot",
    "plot_error_bands", "play_animation",
    "SliceExplorer", "DirectionalExplorer", "StepSizeExplorer",
    "slice_explorer", "directional_explorer", "step_size_explorer",
]

#: Page budget of a kernel-free copy (tests/staticpage.py checks the whole page against it).
PAGE_BUDGET = 1_000_000
#: A second formula the static copy of the directional explorer offers in a menu (the notebook's
#: "try this" example), when it is different and uses the explorer's variables. (The slice
#: explorer's copy offers none: each formula is a 3-D picture, about a second to render.)
OTHER_FORMULAS = {"DirectionalExplorer": "x**2 + 3*y**2"}
#: Functions the step-size explorer's static copy offers besides its own.
OTHER_FUNCTIONS = ("sin(x)",)


# ---------------------------------------------------------------------------------------------
# What the three explorers share
# ---------------------------------------------------------------------------------------------
def _snap(current: float, lo: float, hi: float, n: int = 3) -> tuple[float, ...]:
    """``n`` values spread over [lo, hi] (15 % in from each end), the nearest replaced by
    ``current``: the values a kernel-free copy offers for one slider."""
    values = list(np.linspace(lo + 0.15 * (hi - lo), hi - 0.15 * (hi - lo), n))
    values[int(np.argmin([abs(v - current) for v in values]))] = current
    return tuple(sorted({float(v) for v in values}))


class _CanvasExplorer(CanvasDashboard):
    """Controls -> ``current_settings()`` -> ``compute(settings)`` = (scene, frame) -> the page.

    Subclasses name their controls, settings and frame function, and the grids of the
    kernel-free copy (``grid_specs``: from the richest to the leanest; the first that fits the
    page budget is used). Layout, ``close`` and ``_repr_mimebundle_`` are ``CanvasDashboard``'s."""

    def _start(self) -> None:
        from .canvas import Canvas
        self.canvas = Canvas()
        self.scene = self.frame = self.settings = None

    def current_settings(self) -> Any:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def compute(self, settings: Any) -> tuple[Scene, Frame]:  # pragma: no cover
        """(scene, frame) for ``settings``: the pure frame function and its cached scene."""
        raise NotImplementedError

    def _shown(self, frame: Frame) -> Frame:
        """The frame as sent (a subclass may add what the controls say, e.g. a refused formula)."""
        return frame

    def update(self) -> None:
        """Controls -> settings -> frame -> the page (one message per change). A refused input
        keeps the last picture; the status line says why."""
        try:
            settings = self.current_settings()
            scene, frame = self.compute(settings)
        except ValueError as err:
            self._show_error(f"Cannot show this: {err}")
            return
        frame = self._shown(frame)
        self.status.value = status_html(frame.status, frame.kind)
        self.canvas.show(scene, frame)
        self.scene, self.frame, self.settings = scene, frame, settings

    def _forget(self) -> None:
        """A refused input leaves ``settings`` at the last ones drawn (the static copy uses them)."""

    # -- the kernel-free copy and the video ---------------------------------------------------
    def grid_specs(self) -> list[list[Any]]:  # pragma: no cover - every subclass overrides it
        """Lists of ``canvas.GridControl``, richest first."""
        raise NotImplementedError

    def static_frame(self, values: dict[str, Any]) -> tuple[Scene, Frame]:
        """The (scene, frame) of the current settings with a grid point's ``values`` put in."""
        return self.compute(self._settings_with(values))

    def _settings_with(self, values: dict[str, Any]) -> Any:  # pragma: no cover
        """The current settings with a grid point's ``values`` put in."""
        raise NotImplementedError

    def static_budget(self, fallback: tuple[bytes, str] | None) -> int:
        """Bytes left for the precomputed frames: PAGE_BUDGET minus the inlined module, the
        snapshot <img> (base64) and 10 KB for the HTML around them."""
        from .canvas import module_source
        return PAGE_BUDGET - len(module_source().encode()) - 10_000 \
            - (4 * len(fallback[0]) // 3 + len(fallback[1]) if fallback else 0)

    def _predicted_size(self, controls: Sequence[Any]) -> int:
        """Bytes a grid would embed, from the current frame and scene: one frame per combination,
        one scene per value of a "formula" menu (each formula is a picture)."""
        import json

        from ..scene import to_plain_json
        size = lambda obj: len(json.dumps(to_plain_json(obj.to_json()), separators=(",", ":")))  # noqa: E731
        n_frames = math.prod(len(c.values) for c in controls)
        n_scenes = math.prod(len(c.values) for c in controls if c.name == "formula")
        return int(1.05 * n_frames * size(self.frame)) + n_scenes * size(self.scene)

    def static_html(self) -> str:
        """The explorer for a page with no kernel: frames precomputed over the first grid of
        ``grid_specs`` that fits the page budget (``CanvasDashboard.grid_page``; a grid
        predicted to be too big is not computed); the page's sliders and menus snap to the
        grid's values, Play runs in the page."""
        from .canvas import snapshot_fallback
        fallback = snapshot_fallback(self.scene, self.frame)
        budget = self.static_budget(fallback)
        last: ValueError | None = None
        for controls in self.grid_specs():
            if self._predicted_size(controls) > budget:
                last = ValueError(f"about {self._predicted_size(controls):,} bytes, over {budget:,}")
                continue
            try:
                return self.grid_page(controls, self.static_frame, budget=budget, fallback=fallback)
            except ValueError as err:           # over the budget after all: a leaner grid
                last = err
        raise ValueError(f"no grid of this explorer fits a static page: {last}")

    def to_html(self, frames: int = 25, **kwargs: Any) -> Any:
        """What Play shows, as a video that plays without a kernel or scripts
        (``play_animation``)."""
        if self.scene is None or self.frame is None:
            raise ValueError("no frame to animate: the explorer has no valid settings yet")
        return play_animation(self.scene, self.frame, frames, **kwargs)


class _FieldExplorer(_CanvasExplorer):
    """A formula box and two point sliders over a compiled ``Field2D``. A formula that does not
    parse is said in the status line while the last good one stays drawn (the point sliders
    keep working)."""

    def __init__(self, expr_or_text: str | sp.Expr, variables: Sequence[str | sp.Symbol],
                 point: Sequence[float], xlim: Sequence[float], ylim: Sequence[float],
                 resolution: int, figsize: tuple[float, float]) -> None:
        super().__init__()
        self.field = field2d(expr_or_text, variables)
        self.variables = tuple(s.name for s in self.field.variables)
        self.xlim, self.ylim = check.interval("xlim", xlim), check.interval("ylim", ylim)
        x0, y0 = _check_point(point, self.xlim, self.ylim)
        self.resolution = check.integer("resolution", resolution, 5, 400)
        self.figsize = (float(figsize[0]), float(figsize[1]))
        vx, vy = self.variables
        text = expr_or_text if isinstance(expr_or_text, str) else str(self.field.expr)
        self._formulas: dict[str, str | sp.Expr] = {text: expr_or_text}
        self._good, self._error = text, ""
        self.controls["formula"] = W.Text(value=text, description="f =", continuous_update=False,
                                          layout=W.Layout(width="290px"))
        self.controls["x0"] = W.FloatSlider(value=x0, min=self.xlim[0], max=self.xlim[1],
                                            step=(self.xlim[1] - self.xlim[0]) / 200,
                                            description=f"{vx}\u2080", readout_format=".2f")
        self.controls["y0"] = W.FloatSlider(value=y0, min=self.ylim[0], max=self.ylim[1],
                                            step=(self.ylim[1] - self.ylim[0]) / 200,
                                            description=f"{vy}\u2080", readout_format=".2f")
        self._start()

    def _formula(self) -> tuple[str | sp.Expr, str]:
        """(formula to draw, error text): the box's formula if it parses, else the last good
        one with the parser's complaint."""
        text = self.controls["formula"].value
        if text not in self._formulas:
            try:
                _field(text, self.variables)
            except ValueError as err:
                return self._formulas[self._good], f"Formula not accepted: {err}"
            self._formulas[text] = text
        self._good = text
        self.field = _field(self._formulas[text], self.variables)
        return self._formulas[text], ""

    def _shown(self, frame: Frame) -> Frame:
        """A refused formula: the last good one's frame, the status line says what is wrong."""
        return replace(frame, status=self._error, kind="error") if self._error else frame

    def _formula_values(self) -> tuple[list[str], dict[str, str | sp.Expr]]:
        """The formulas of the static copy's menu: the current one, and the notebook's other
        example when it parses with these variables."""
        current = self._good
        names = [current]
        other = OTHER_FORMULAS.get(type(self).__name__)
        if other and other != current:
            try:
                _field(other, self.variables)
                names.append(other)
            except ValueError:
                pass
        return names, {**self._formulas, **{n: n for n in names if n not in self._formulas}}

    def grid_specs(self) -> list[list[Any]]:
        """The static copy's grids, richest first: a formula menu (this formula and
        OTHER_FORMULAS' example) x three values of x0 x three (then two) of y0, then the same
        without the menu; the current settings are always on the grid."""
        from .canvas import GridControl
        s = self.settings
        names, _ = self._formula_values()
        vx, vy = self.variables

        def slider(name: str, label: str, values: Sequence[float], at: float) -> GridControl:
            return GridControl(name, label, tuple(values), initial=float(at),
                               labels=tuple(f"{v:.2f}" for v in values))

        ys = _snap(s.y0, *self.ylim)
        x3 = slider("x0", f"{vx}\u2080", _snap(s.x0, *self.xlim), s.x0)
        y3 = slider("y0", f"{vy}\u2080", ys, s.y0)
        y2 = slider("y0", f"{vy}\u2080", sorted({float(s.y0), max(ys, key=lambda v: abs(v - s.y0))}), s.y0)
        menu = [GridControl("formula", "f =", tuple(names), kind="select")] if len(names) > 1 else []
        return [[*menu, x3, y3], [*menu, x3, y2]] + ([[x3, y3], [x3, y2]] if menu else [])

    def _settings_with(self, values: dict[str, Any]) -> Any:
        """The current settings with a grid point's ``values`` (a formula menu's text mapped back
        to the formula it names) put in."""
        _, formulas = self._formula_values()
        changes = {k: float(v) for k, v in values.items() if k != "formula"}
        if "formula" in values:
            changes["formula"] = formulas[values["formula"]]
        return replace(self.settings, **changes)


# ---------------------------------------------------------------------------------------------
# The slice explorer
# ---------------------------------------------------------------------------------------------
class SliceExplorer(_FieldExplorer):
    """Partials are slopes of slices: the surface z = f(x, y) with its x-slice f(x, y0) and
    y-slice f(x0, y), and their tangent lines with slopes df/dx and df/dy, drawn by the page.

    Controls: ``formula`` (text), ``x0``, ``y0`` (sliders). Play: secants through a second
    point (x0 + h, ...) of each slice turn into the tangents as h shrinks to 0. State after
    each update: ``field`` (the compiled formula), ``settings`` (``SliceSettings``), ``scene``
    and ``frame`` (``experiments_calculus.slice_frame``: layers labelled "x-slice",
    "tangent: slope ∂f/∂x", "secant (Play: h → 0)", "the point", ... per panel "x", "y" and
    "surface"). ``figure`` draws the frame with matplotlib (a snapshot).
    """

    static_title = "partials as slopes of slices"

    def __init__(self, expr_or_text: str | sp.Expr = DEFAULT_FORMULA,
                 variables: Sequence[str | sp.Symbol] = ("x", "y"), *,
                 point: Sequence[float] = (1.0, 0.5), xlim: Sequence[float] = (-2.0, 2.0),
                 ylim: Sequence[float] = (-2.0, 2.0), resolution: int = 36,
                 figsize: tuple[float, float] = (9.5, 4.6)) -> None:
        super().__init__(expr_or_text, variables, point, xlim, ylim, resolution, figsize)
        self._wire()

    def current_settings(self) -> SliceSettings:
        """The controls as a ``SliceSettings`` (the formula: the last one that parsed)."""
        c = self.controls
        formula, self._error = self._formula()
        return SliceSettings(formula, self.variables, float(c["x0"].value), float(c["y0"].value),
                             self.xlim, self.ylim, self.resolution, self.figsize)

    def _error_scene(self) -> Scene:
        return slice_view(self._formulas[self._good], self.variables, self.xlim, self.ylim,
                          self.resolution, self.figsize).scene

    def compute(self, settings: SliceSettings) -> tuple[Scene, Frame]:
        return slice_view(*settings.view_key()).scene, slice_frame(settings)


def slice_explorer(expr_or_text: str | sp.Expr = DEFAULT_FORMULA,
                   variables: Sequence[str | sp.Symbol] = ("x", "y"), **kwargs: Any) -> SliceExplorer:
    """Pick a point (x0, y0) with sliders; see the x- and y-slices through the surface
    z = f(x, y) and their tangent lines, whose slopes are df/dx and df/dy at that point.
    Play shows secants turning into those tangents as h -> 0.

    Keyword arguments: ``point``, ``xlim``, ``ylim``, ``resolution``, ``figsize``.
    The formula box accepts text such as ``x**2*y + sin(y)`` (parsed safely, never eval'd).
    """
    return SliceExplorer(expr_or_text, variables, **kwargs)


# ---------------------------------------------------------------------------------------------
# The directional-derivative explorer
# ---------------------------------------------------------------------------------------------
class DirectionalExplorer(_FieldExplorer):
    """The gradient is the direction of steepest ascent, drawn by the page.

    Left: contours of f, the point, the unit vector u at the chosen angle, the gradient's
    direction and the level curve's. Right: D_u f = grad f . u against the angle, peaking at
    atan2(df/dy, df/dx) with height |grad f|. Controls: ``formula``, ``x0``, ``y0``, ``angle``
    (degrees). Play turns u once around the circle, back to the chosen angle. State:
    ``field``, ``settings`` (``DirectionalSettings``), ``scene``, ``frame``
    (``experiments_calculus.directional_frame``), ``arrow_length``.
    """

    static_title = "the directional derivative and the gradient"

    def __init__(self, expr_or_text: str | sp.Expr = DEFAULT_FORMULA,
                 variables: Sequence[str | sp.Symbol] = ("x", "y"), *,
                 point: Sequence[float] = (1.0, 0.5), angle: float = 0.0,
                 xlim: Sequence[float] = (-2.0, 2.0), ylim: Sequence[float] = (-2.0, 2.0),
                 resolution: int = 120, figsize: tuple[float, float] = (9.5, 4.2)) -> None:
        super().__init__(expr_or_text, variables, point, xlim, ylim, resolution, figsize)
        angle = check.real("angle", angle, "in degrees within [-180, 180]",
                           lambda v: -180 <= v <= 180)
        self.controls["angle"] = W.FloatSlider(value=angle, min=-180, max=180, step=1,
                                               description="angle \u00b0", readout_format=".0f")
        self._wire()

    @property
    def arrow_length(self) -> float:
        """Length of the arrows u and grad f / |grad f| (data units)."""
        return 0.28 * min(self.xlim[1] - self.xlim[0], self.ylim[1] - self.ylim[0])

    def current_settings(self) -> DirectionalSettings:
        c = self.controls
        formula, self._error = self._formula()
        return DirectionalSettings(formula, self.variables, float(c["x0"].value),
                                   float(c["y0"].value), self.xlim, self.ylim, self.resolution,
                                   self.figsize, angle=float(c["angle"].value))

    def _error_scene(self) -> Scene:
        return directional_view(self._formulas[self._good], self.variables, self.xlim,
                                self.ylim, self.resolution, self.figsize).scene

    def compute(self, settings: DirectionalSettings) -> tuple[Scene, Frame]:
        return directional_view(*settings.view_key()).scene, directional_frame(settings)


def directional_explorer(expr_or_text: str | sp.Expr = DEFAULT_FORMULA,
                         variables: Sequence[str | sp.Symbol] = ("x", "y"),
                         **kwargs: Any) -> DirectionalExplorer:
    """An angle slider for the unit vector u at a point: D_u f = grad f . u plotted against the
    angle peaks, at height |grad f|, where u points along the gradient (atan2(df/dy, df/dx)).
    Play turns u once around the circle.

    Keyword arguments: ``point``, ``angle`` (degrees), ``xlim``, ``ylim``, ``resolution``,
    ``figsize``.
    """
    return DirectionalExplorer(expr_or_text, variables, **kwargs)


# ---------------------------------------------------------------------------------------------
# Finite differences: the error-versus-h picture (a static figure for the notebook)
# ---------------------------------------------------------------------------------------------
class StepErrorPlot(NamedTuple):
    """What ``plot_step_errors`` drew, so a caller can annotate it.

    ``curves[m]``: error against h for method m; ``defaults[m]``: a marker at
    ``numeric.default_step(m, x)``; ``models[m]``: the dashed (truncation, rounding) model
    lines; ``errors[m]``: the raw errors from ``numeric.step_errors`` over ``hs``.
    """

    ax: Axes
    hs: np.ndarray
    curves: dict[str, Line2D]
    defaults: dict[str, Line2D]
    models: dict[str, tuple[Line2D, Line2D]]
    errors: dict[str, np.ndarray]


def _model_data(method: str, hs: np.ndarray, derivs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    model = step_error_model(method, hs, derivs)
    trunc = np.where(model.truncation > 0, model.truncation, np.nan)
    rnd = np.where(model.rounding > 0, model.rounding, np.nan)
    return trunc, rnd


def plot_step_errors(expr_or_text: str | sp.Expr, x: float, *,
                     methods: Sequence[str] = METHODS, hs: ArrayLike | None = None,
                     models: Sequence[str] = (), ax: Axes | None = None) -> StepErrorPlot:
    """The error-versus-h U-curve of each difference method on log-log axes.

        error(h) = |D_h f(x) - f'(x)|   (numeric.step_errors; f' exact from SymPy)

    Right of each curve's minimum the truncation error rules (slope 1 for forward/backward,
    2 for central and complex); left of it rounding error (slope -1), except for the complex
    step, which stays at machine precision. A triangle marks ``numeric.default_step`` on each
    curve; ``models`` lists methods whose dashed model lines (``step_error_model``) are drawn.
    Errors of exactly 0 are drawn at half the float spacing of f'(x) (nothing below that is
    resolvable); the axis reaches down to ERROR_FLOOR.
    """
    fn = function1d(expr_or_text)
    x = check.real("x", x)
    methods = [check.one_of("method", m, METHODS) for m in methods]
    models = [check.one_of("method", m, METHODS) for m in models]
    hs = DEFAULT_HS if hs is None else np.asarray(hs, dtype=float)
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(8, 4.5), layout="constrained")
    errors = step_error_curves(fn, x, hs, methods)
    derivs = fn.derivatives(x)
    curves, defaults, model_lines = {}, {}, {}
    for m in methods:
        color = METHOD_COLORS[m]
        curves[m], = ax.loglog(hs, errors_for_plot(errors[m], derivs[1]), color=color, lw=1.8,
                               label=m, alpha=0.9, ls="-" if m != "backward" else (0, (4, 1.5)))
        h0 = float(numeric.default_step(m, x))
        with np.errstate(all="ignore"):
            e0 = errors_for_plot(numeric.step_errors(fn.f, x, derivs[1], [h0], m), derivs[1])[0]
        defaults[m], = ax.loglog([h0], [e0], "v", color=color, ms=8, mec="k", mew=0.6, zorder=5)
    for m in models:
        trunc, rnd = _model_data(m, hs, derivs)
        color = METHOD_COLORS[m]
        model_lines[m] = (ax.loglog(hs, trunc, ls="--", lw=1, color=color, alpha=0.7)[0],
                          ax.loglog(hs, rnd, ls=":", lw=1.2, color=color, alpha=0.8)[0])
    ax.set_xlim(hs.min(), hs.max())
    ax.set_ylim(ERROR_FLOOR / 3, 1e2)
    ax.set_xlabel("step h")
    ax.set_ylabel("|error| of the estimate of f'(x)")
    ax.grid(True, which="major", alpha=0.3)
    return StepErrorPlot(ax, hs, curves, defaults, model_lines, errors)


# ---------------------------------------------------------------------------------------------
# The step-size explorer
# ---------------------------------------------------------------------------------------------
class StepSizeExplorer(_CanvasExplorer):
    """Choose a function, a point, a method and the step h; see the U-curves with h marked,
    drawn by the page.

    Controls: ``function`` (dropdown of STEP_FUNCTIONS), ``x0``, ``method`` and ``log10_h``.
    Play walks the chosen method's curve from the largest h to the smallest. State after each
    update: ``fn`` (the compiled function), ``settings`` (``StepSettings``), ``scene``,
    ``frame`` (``experiments_calculus.step_frame``: layers labelled by method, "your h",
    "numeric.default_step", "truncation model", "rounding model", "h during Play"; points are
    (log10 h, error)).
    """

    static_title = "the error of a difference quotient against the step h"

    def __init__(self, function: str = next(iter(STEP_FUNCTIONS)), x0: float | None = None, *,
                 method: str = "central", h: float = 1e-3,
                 figsize: tuple[float, float] = (9.0, 4.3)) -> None:
        super().__init__()
        check.one_of("function", function, STEP_FUNCTIONS)
        method = check.one_of("method", method, METHODS)
        x0 = STEP_FUNCTIONS[function] if x0 is None else float(x0)
        if not (np.isfinite(x0) and -3 <= x0 <= 3):
            raise ValueError(f"x0 must lie in [-3, 3], got {x0!r}")
        if not (np.isfinite(h) and 1e-18 <= h <= 10**-0.5):
            raise ValueError(f"h must lie in [1e-18, 10**-0.5], got {h!r}")
        self.figsize = (float(figsize[0]), float(figsize[1]))
        self.controls["function"] = W.Dropdown(options=list(STEP_FUNCTIONS), value=function,
                                               description="f(x) =")
        self.controls["x0"] = W.FloatSlider(value=x0, min=-3, max=3, step=0.05, description="x\u2080",
                                            readout_format=".2f", continuous_update=False)
        self.controls["method"] = W.Dropdown(options=list(METHODS), value=method, description="method")
        self.controls["log10_h"] = W.FloatSlider(value=float(np.log10(h)), min=-18, max=-0.5,
                                                 step=0.25, description="log\u2081\u2080 h",
                                                 readout_format=".2f")
        self.fn = _function(function)
        self._start()
        self._wire()

    def current_settings(self) -> StepSettings:
        c = self.controls
        return StepSettings(c["function"].value, float(c["x0"].value), c["method"].value,
                            float(10 ** c["log10_h"].value), self.figsize)

    def _error_scene(self) -> Scene:
        return step_scene(self.figsize)

    def compute(self, settings: StepSettings) -> tuple[Scene, Frame]:
        return step_scene(settings.figsize), step_frame(settings)

    def update(self) -> None:
        super().update()
        if self.settings is not None:
            self.fn = _function(self.settings.function)          # compiled once per function

    def grid_specs(self) -> list[list[Any]]:
        """Menus of functions (this one, at its x0, and OTHER_FUNCTIONS at their points) and
        methods, and a slider of two steps (this h and one far from it)."""
        from .canvas import GridControl
        s = self.settings
        functions = (s.function, *[f for f in OTHER_FUNCTIONS if f != s.function])
        log_h = math.log10(s.h)
        hs = tuple(sorted({log_h, -8.0 if abs(log_h + 8.0) > 2 else -3.0}))
        f_menu = GridControl("function", "f(x) =", functions, kind="select")
        m_menu = GridControl("method", "method", METHODS, initial=s.method, kind="select")
        h_slider = GridControl("log10_h", "log\u2081\u2080 h", hs, initial=log_h,
                               labels=tuple(f"{v:.2f}" for v in hs))
        return [[f_menu, m_menu, h_slider], [m_menu, h_slider]]

    def _settings_with(self, values: dict[str, Any]) -> StepSettings:
        s = self.settings
        function = values.get("function", s.function)
        log_h = values.get("log10_h", math.log10(s.h))
        return replace(s, function=function,
                       x0=s.x0 if function == s.function else STEP_FUNCTIONS.get(function, s.x0),
                       method=values.get("method", s.method),
                       h=s.h if log_h == math.log10(s.h) else float(10 ** log_h))


def step_size_explorer(function: str = next(iter(STEP_FUNCTIONS)), x0: float | None = None,
                       **kwargs: Any) -> StepSizeExplorer:
    """The error of a difference quotient against the step h: pick a function (STEP_FUNCTIONS),
    a point, a method (forward, backward, central, complex) and h; the current h is marked on
    its U-shaped curve, with the rule-of-thumb ``numeric.default_step`` as a triangle. Play
    walks the chosen curve from large h to small.

    Keyword arguments: ``method``, ``h``, ``figsize``.
    """
    return StepSizeExplorer(function, x0, **kwargs)


# ---------------------------------------------------------------------------------------------
# Gradient checking: the relative-error bands (a static figure)
# ---------------------------------------------------------------------------------------------
class BandPlot(NamedTuple):
    """What ``plot_error_bands`` drew: the axes, one marker line, the band patches."""

    ax: Axes
    points: Line2D
    bands: list[Any]


def plot_error_bands(results: Mapping[str, float], ax: Axes | None = None, *,
                     xlim: tuple[float, float] = (1e-13, 1.0),
                     label: str = "largest per-entry relative error") -> BandPlot:
    """Relative errors of several gradient checks as dots over the colored ERROR_BANDS.

    ``results`` maps a label ("float32, h = 1e-6") to its relative error; one row each, top
    to bottom in the given order. The bands are CS231n's, stated for the per-entry error
    max_i |a_i - n_i| / max(|a_i|, |n_i|) (numeric.entry_rel_errors(a, n).max()), which is what
    the x-axis says. ``label`` names the dots (``points.get_label()``, for a legend). Errors of
    0 are drawn at the left edge.
    """
    if not isinstance(label, str) or not label:
        raise ValueError(f"label must be a non-empty string naming the dots, got {label!r}")
    if not isinstance(results, Mapping) or not results:
        raise ValueError(f"results must be a non-empty mapping label -> relative error, "
                         f"got {results!r}")
    values = np.array([float(v) for v in results.values()])
    if not (values >= 0).all():
        raise ValueError(f"results must hold relative errors >= 0, got {dict(results)!r}")
    lo, hi = check.interval("xlim", xlim)
    if lo <= 0:
        raise ValueError(f"xlim must be positive for a log axis, got {xlim!r}")
    if ax is None:
        import matplotlib.pyplot as plt
        _, ax = plt.subplots(figsize=(8, 0.6 + 0.45 * len(values)), layout="constrained")
    bands = []
    for name, b_lo, b_hi, color in ERROR_BANDS:
        left, right = max(b_lo, lo), min(b_hi, hi)
        bands.append(ax.axvspan(left, right, color=color, zorder=0))
        ax.text(np.sqrt(left * right), 1.01, textwrap.fill(name, 12), transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=8, linespacing=1.0)     # wrapped: never overlapping
    rows = np.arange(len(values))[::-1]
    shown = np.clip(values, lo, hi)
    points, = ax.semilogx(shown, rows, "o", color="k", ms=7, zorder=3, label=label)
    for value, row in zip(values, rows):
        ax.annotate(f"{value:.1e}", (min(max(value, lo), hi), row), xytext=(7, 0),
                    textcoords="offset points", va="center", fontsize=8)
    ax.set_yticks(rows, list(results))
    ax.set_ylim(-0.6, len(values) - 0.4)
    ax.set_xlim(lo, hi)
    ax.set_xlabel("per-entry relative error  |a - n| / max(|a|, |n|)   (a: analytic, n: numeric)")
    ax.grid(True, axis="x", alpha=0.3)
    return BandPlot(ax, points, bands)
