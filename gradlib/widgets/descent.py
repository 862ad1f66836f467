"""Explorers for notebooks 03 and 06: a descent path on a loss surface, and a race of optimizers.

    descent_explorer("rosenbrock", "gd")   surface (or your own f(x, y)), optimizer and its
                                           hyper-parameters, lr on a log slider whose 2/lambda_max
                                           is marked, schedule, steps, start (sliders or a click),
                                           Play; the path on the contours, the loss, a status line
    optimizer_race("rosenbrock")           several optimizers from one start, each with its own lr,
                                           animated together, with a leaderboard
    quadratic_explorer(a=2.0)              f = a/2 x^2: one lr slider shows the monotone,
                                           oscillating and divergent regimes around lr = 2/a

The descent explorer is drawn by the browser renderer (``gradlib.widgets.canvas``): its controls
feed the pure function ``gradlib.experiments.descent_frame(settings)``, whose frame (the path as
float64 numbers, styles, the status line) goes to the page once per settings change; the
contours are a picture rendered by matplotlib once per surface (``descent_scene``). Play and the
step slider run in the page. Exported without a kernel (handouts, nbviewer), the explorer still
works: its ``text/html`` carries the same module, the surfaces' f, grad f and Hessian as
JavaScript (``gradlib.jsmath``) and plain HTML controls, and computes paths in the page with the
update rules of ``gradlib.optim`` (tested against ``optim.descend``).

The pure functions (settings, paths, limits, status lines, default learning rates, races,
basins, the 1-D quadratic) live in ``gradlib.experiments``; they are re-exported here for
notebooks and older code:

    Settings, resolve_surface, learning_rate, make_optimizer, run_descent, lr_limits,
    stability_factor, describe, default_lr, race, steps_to_tolerance, quadratic_path,
    quadratic_regime, basin_map, surface_names

The race and the 1-D explorer still draw with matplotlib (ipympl): a figure built once whose
static part is cached (``_CachedFigure``), moving artists redrawn on each update.
"""
from __future__ import annotations

import html
import math
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import ipywidgets as W
import numpy as np
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backend_bases import DrawEvent
from matplotlib.backends.backend_agg import RendererAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

from .. import _checks as check
from .. import optim, plots
from ..experiments import (  # noqa: F401 - re-exported for notebooks and older code
    CUSTOM, DEFAULT_FORMULA, EXPLORER_TOL, HYPER, LIMIT_FACTORS, LR_EXP_RANGE, SCHEDULE_CHOICES,
    Basins, LRLimits, RaceEntry, Settings, _default_lr, _eigenvalues_at, _gap, _HYPER_DEFAULTS,
    _log_mode, _family, _round_lr, basin_map, default_lr, describe, descent_frame, descent_scene,
    learning_rate, lr_limits, make_optimizer, quadratic_path, quadratic_regime, race,
    resolve_surface, run_descent, stability_factor, steps_to_tolerance, surface_names,
)
from ..optim import Optimizer, Path
from ..surfaces import Surface
from ._base import Dashboard, new_figure, wrap_layout

__all__ = [
    "CUSTOM", "DEFAULT_FORMULA", "SCHEDULE_CHOICES", "HYPER", "LIMIT_FACTORS",
    "Settings", "LRLimits", "RaceEntry", "Basins",
    "surface_names", "resolve_surface", "learning_rate", "make_optimizer", "run_descent",
    "lr_limits", "stability_factor", "describe", "default_lr", "race", "steps_to_tolerance",
    "leaderboard_html", "lr_strip_html", "quadratic_path", "quadratic_regime", "basin_map",
    "RACERS", "EXPLORER_TOL", "LR_EXP_RANGE",
    "DescentExplorer", "RaceExplorer", "QuadraticExplorer",
    "descent_explorer", "optimizer_race", "quadratic_explorer",
]

def _ranking(entries: Sequence[RaceEntry], gap: bool = True) -> list[int]:
    """Indices best first. With f* known: reached tol sooner, then lower final f - f*, diverged
    runs last. Without (a surface unbounded below, such as a saddle): lower final f first,
    whether or not the run left the window (escaping downhill is the point there)."""
    def key(i: int) -> tuple:
        e = entries[i]
        final = e.final_gap if math.isfinite(e.final_gap) else math.inf
        if not gap:
            return (final,)
        reached = e.steps_to_tol if e.steps_to_tol is not None else math.inf
        return (e.path.status == "diverged", reached, final)
    return sorted(range(len(entries)), key=key)


def leaderboard_html(entries: Sequence[RaceEntry], tol: float, *, gap: bool = True,
                     colors: Sequence[str] | None = None) -> str:
    """The race as an HTML table, best first: steps to reach f - f* <= tol, final f - f*
    (final f when ``gap`` is False), status."""
    colors = list(colors) if colors is not None else plots.path_colors(len(entries))
    head = "f − f*" if gap else "f"
    rows = []
    for rank, i in enumerate(_ranking(entries, gap), start=1):
        e = entries[i]
        reached = "—" if e.steps_to_tol is None else str(e.steps_to_tol)
        swatch = (f'<span style="display:inline-block;width:10px;height:10px;'
                  f'background:{colors[i]};margin-right:4px"></span>')
        rows.append(f"<tr><td>{rank}</td><td>{swatch}{html.escape(e.name)}</td>"
                    f"<td style='text-align:right'>{reached}</td>"
                    f"<td style='text-align:right'>{e.final_gap:.3g}</td>"
                    f"<td>{html.escape(e.path.status)}</td></tr>")
    return ("<table style='border-collapse:collapse;font-size:90%'>"
            f"<tr><th>#</th><th>optimizer</th><th>steps to {head} ≤ {tol:g}</th>"
            f"<th>final {head}</th><th>status</th></tr>" + "".join(rows) + "</table>")



# ---------------------------------------------------------------------------------------------
# Drawing helpers shared by the explorers (fixed ticks: cheap redraws)
# ---------------------------------------------------------------------------------------------
_LEFT = (0.075, 0.13, 0.40, 0.78)
_RIGHT = (0.585, 0.13, 0.395, 0.78)


def _plain_log_format(value: float, _pos: Any = None) -> str:
    return f"{value:.0e}".replace("e-0", "e-").replace("e+0", "e")


def _fix_ticks(ax: Axes, xlim: Sequence[float], ylim: Sequence[float]) -> None:
    """Few tick positions, computed once for these limits, so draws skip the tick locator
    (tick labels are most of the cost of a redraw)."""
    for axis, lim in ((ax.xaxis, xlim), (ax.yaxis, ylim)):
        ticks = MaxNLocator(4).tick_values(*lim)
        axis.set_major_locator(FixedLocator([t for t in ticks if lim[0] <= t <= lim[1]]))


def _fixed_labels(ax: Axes, xlabel: str, ylabel: str, ypos: float = -0.1) -> None:
    """Axis labels at fixed positions (matplotlib otherwise measures every tick label per draw),
    the y label upright (rotated text costs several milliseconds per draw)."""
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel, rotation=0, ha="right", va="center")
    ax.xaxis.set_label_coords(0.5, -0.085)
    ax.yaxis.set_label_coords(ypos, 0.5)


class _LossAxes:
    """The right panel: loss curves against the step, with limits updated cheaply.

    With f* known the y axis shows f(x_t) - f* on a log scale (clipped at 1e-16 of its largest
    value), else f(x_t) on a linear scale. Limits snap to whole decades (log) or 'nice' numbers
    and are only touched when they change, so most updates leave this panel's frame, ticks and
    labels as they were (and `_CachedFigure` can reuse their pixels).
    """

    def __init__(self, ax: Axes) -> None:
        self.ax = ax
        self.scale = ""
        self.steps = -1
        self.ylim: tuple[float, float, tuple[float, ...]] | None = None
        ax.tick_params(labelsize=8)
        ax.grid(alpha=0.25)
        ax.set_xlabel("step t")
        ax.xaxis.set_label_coords(0.5, -0.085)
        self.title = ax.set_title("loss", y=1.0, pad=4, fontsize=10)

    def set_mode(self, log: bool, ylabel: str) -> None:
        """Log or linear y axis; ``ylabel`` goes into the title (no rotated text to draw)."""
        scale = "log" if log else "linear"
        if scale != self.scale:
            self.ax.set_yscale(scale)
            if log:
                self.ax.yaxis.set_minor_locator(NullLocator())
                self.ax.yaxis.set_major_formatter(FuncFormatter(_plain_log_format))
            self.scale = scale
            self.ylim = None
        self.title.set_text(f"loss {ylabel}" + (" (log scale)" if log else ""))

    def set_steps(self, steps: int) -> None:
        if steps != self.steps:
            self.ax.set_xlim(0, steps)
            self.ax.xaxis.set_major_locator(FixedLocator(MaxNLocator(4, integer=True)
                                                         .tick_values(0, steps)))
            self.steps = steps

    def values(self, losses: np.ndarray, gap: np.ndarray | None) -> np.ndarray:
        """What is plotted: f - f* (floored at 1e-16 of its largest value) or f."""
        if gap is None or self.scale != "log":
            return np.asarray(losses, dtype=float)
        top = float(np.max(gap)) if gap.size else 1.0
        return np.maximum(gap, max(top, 1e-300) * 1e-16)

    def set_ylim(self, values: Iterable[np.ndarray]) -> None:
        v = np.concatenate([np.asarray(a, dtype=float).ravel() for a in values])
        v = v[np.isfinite(v)]
        if self.scale == "log":
            v = v[v > 0]
        if v.size == 0:
            return
        if self.scale == "log":
            lo = 10.0 ** math.floor(math.log10(v.min()))
            hi = max(10.0 ** math.ceil(math.log10(v.max())), 10 * lo)
            exps = np.arange(round(math.log10(lo)), round(math.log10(hi)) + 1)
            every = max(1, math.ceil(len(exps) / 5))
            ticks = tuple(float(10.0**e) for e in exps[::-1][::every])
        else:
            lo, hi = float(v.min()), float(v.max())
            if hi - lo <= 1e-12 * max(1.0, abs(hi)):
                lo, hi = lo - 1, hi + 1
            ticks = tuple(float(t) for t in MaxNLocator(4).tick_values(lo, hi))
            lo, hi = ticks[0], ticks[-1]
        if (lo, hi, ticks) != self.ylim:
            self.ax.set_ylim(lo, hi)
            self.ax.yaxis.set_major_locator(FixedLocator(ticks))
            self.ylim = (lo, hi, ticks)


# ---------------------------------------------------------------------------------------------
# The descent explorer
# ---------------------------------------------------------------------------------------------
def _pct(value: float, lo: float, hi: float) -> float:
    """Position of value on a log slider from 10**lo to 10**hi, in percent (clipped)."""
    if not (math.isfinite(value) and value > 0):
        return 100.0 if value == math.inf else 0.0
    return float(np.clip((math.log10(value) - lo) / (hi - lo) * 100.0, 0.0, 100.0))


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    if math.isinf(value):
        return "∞ (no upward curvature)"
    return f"{value:.3g}"


def lr_strip_html(lr: float, limits: LRLimits, factor: float | None,
                  exp_range: tuple[float, float] = LR_EXP_RANGE) -> str:
    """A strip under the lr slider on the same log scale: green where gradient descent is
    stable at the start (lr < 2/lambda_max), red beyond; a red tick at 2/lambda_max of the start,
    an orange tick at the smallest 2/lambda_max along the path, a blue dot at the current lr."""
    lo, hi = exp_range
    p_start, p_path, p_lr = (_pct(v, lo, hi) for v in (limits.start, limits.along_path, lr))
    bar = ("position:relative;height:12px;margin:2px 10px 0 90px;border-radius:3px;"
           f"background:linear-gradient(to right,#d9f0d3 0%,#d9f0d3 {p_start:.1f}%,"
           f"#f4cccc {p_start:.1f}%,#f4cccc 100%)")
    tick = "position:absolute;top:-3px;width:2px;height:18px;margin-left:-1px;"
    dot = ("position:absolute;top:1px;width:10px;height:10px;margin-left:-5px;"
           "border-radius:5px;background:#1f77b4")
    parts = [f'<div style="{bar}">',
             f'<div title="2/λmax at the start" '
             f'style="{tick}left:{p_start:.1f}%;background:#c00"></div>']
    if math.isfinite(limits.along_path):
        parts.append(f'<div title="smallest 2/λmax along the path" '
                     f'style="{tick}left:{p_path:.1f}%;background:#e69f00"></div>')
    parts.append(f'<div title="lr" style="{dot};left:{p_lr:.1f}%"></div></div>')
    ratio = lr / limits.start if math.isfinite(limits.start) and limits.start > 0 else math.nan
    note = (f"lr = {ratio:.2g} × that" if math.isfinite(ratio) else "")
    text = (f'<div style="font-size:85%;margin-left:90px;line-height:1.3">'
            f'<b style="color:#c00">2/λmax at the start = {_fmt(limits.start)}</b> · '
            f'<b style="color:#b07800">smallest along the path = {_fmt(limits.along_path)}</b>'
            f'{" · " + note if note else ""}')
    if factor is not None and factor != 2.0:
        text += f" · this method is stable up to {factor:.3g}/λmax"
    elif factor is None:
        text += " · (the plain-GD line: adaptive methods and Newton rescale the step)"
    return "".join(parts) + text + "</div>"


def _learner_error(err: Exception, surface: str) -> str:
    """The status-line text for an error while exploring; re-raises what is not the learner's.

    A ValueError is a refused input (its message says why). With a typed formula, anything else
    SymPy or NumPy raise (a derivative NumPy cannot evaluate, say) is the formula's fault too and
    is reported, never shown as a traceback; with a catalogue surface it is a bug and propagates.
    """
    if isinstance(err, ValueError):
        return f"cannot run: {err}"
    if surface == CUSTOM:
        return f"cannot explore this f(x, y): {type(err).__name__}: {err}"
    raise err


def _status_html(text: str, kind: str) -> str:
    color = {"converged": "#1a7f37", "diverged": "#c00", "max_steps": "#555",
             "error": "#c00"}.get(kind, "#333")
    return f'<span style="color:{color}">{html.escape(text)}</span>'


def _wide() -> W.Layout:
    """A fresh Layout per control (a shared one would hide every control at once)."""
    return W.Layout(width="300px")


class _CachedFigure(Figure):
    """A Figure that keeps the pixels of its static part and redraws only its moving artists.

    The artists registered with ``set_dynamic`` are marked animated, so matplotlib leaves them
    out of the normal draw and - this is the key - changes to them do not make the figure stale.
    On an Agg renderer ``draw`` then works like blitting, but inside a plain ``canvas.draw()``:

        figure stale, or a new renderer size/dpi -> draw the static part, copy its pixels,
                                                   then draw the moving artists on top
        otherwise                                -> paste the copied pixels, draw the moving
                                                   artists on top

    Any change to a static artist (limits, ticks, titles, a new contour set) makes the figure
    stale through matplotlib's own bookkeeping, so the copy is never out of date. Other
    renderers (PDF, SVG when saving) get an ordinary full draw with every artist.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._dynamic: list[Artist] = []
        self._background: Any = None
        self._background_key: tuple | None = None

    def set_dynamic(self, artists: Iterable[Artist]) -> None:
        """Declare the artists that move on updates (drawn over the cached background)."""
        self._dynamic = sorted(artists, key=lambda a: a.get_zorder())
        for a in self._dynamic:
            a.set_animated(True)
        self._background = None

    def draw(self, renderer: Any) -> None:
        if not self._dynamic or not isinstance(renderer, RendererAgg):
            for a in self._dynamic:
                a.set_animated(False)
            try:
                super().draw(renderer)
            finally:
                for a in self._dynamic:
                    a.set_animated(True)
            return
        key = (id(renderer), renderer.width, renderer.height, self.dpi)
        fresh = self.stale or self._background is None or key != self._background_key
        if fresh:
            super().draw(renderer)                       # the static part (dynamic are animated)
            self._background = renderer.copy_from_bbox(self.bbox)
            self._background_key = key
        else:
            renderer.restore_region(self._background)
        for a in self._dynamic:
            if a.get_visible():
                a.draw(renderer)
        self.stale = False
        if not fresh:
            DrawEvent("draw_event", self.canvas, renderer)._process()


def _owner(change: Any) -> Any:
    return change.get("owner") if isinstance(change, dict) else getattr(change, "owner", None)


class _SurfaceDashboard(Dashboard):
    """What the descent explorer and the race share: a contour panel on the left whose surface
    can change (only its contour set is replaced), a loss panel on the right, start sliders
    ``x0``/``y0``, a ``step`` slider linked to a Play control, and control changes made by the
    dashboard itself that do not trigger updates (``_quietly``)."""

    def __init__(self, figsize: tuple[float, float], levels: int) -> None:
        super().__init__()
        self.levels = check.integer("levels", levels, 2, 100)
        self._quiet = False
        self._drawn: Surface | None = None
        self.contour: plots.ContourResult | None = None
        fig = self.figure = new_figure(figsize, FigureClass=_CachedFigure)
        self.ax = fig.add_axes(_LEFT)
        self.ax.tick_params(labelsize=8)
        self.title = self.ax.set_title("", y=1.0, pad=4, fontsize=10)
        self.loss_axes = _LossAxes(fig.add_axes(_RIGHT))
        self.minima = plots.minima(_NoMinima(), self.ax, size=12)
        self.play = W.Play(value=0, min=0, max=1, step=1, interval=40, show_repeat=False,
                           description="play")

    def _start_controls(self, steps: int) -> None:
        for key, label in (("x0", "x₀"), ("y0", "y₀")):
            self.controls[key] = W.FloatSlider(description=label, readout_format=".2f",
                                               layout=_wide())
        self.controls["step"] = W.IntSlider(value=0, min=0, max=int(steps), description="step",
                                            layout=W.Layout(width="230px"))
        self.play.max = int(steps)
        W.jslink((self.play, "value"), (self.controls["step"], "value"))

    def _quietly(self, fn: Callable[[], Any]) -> None:
        """Run fn (which sets controls) without triggering updates."""
        self._quiet = True
        try:
            fn()
        finally:
            self._quiet = False

    def _set_window(self, surface: Surface, start: Sequence[float] | None) -> None:
        """x0/y0 sliders span the surface's window and sit at its start (or ``start``)."""
        x0 = np.asarray(surface.start if start is None else start, dtype=float)
        if x0.shape != (2,) or not np.all(np.isfinite(x0)):
            raise ValueError(f"start must be two finite numbers, got {start!r}")
        for key, lim, v in (("x0", surface.xlim, x0[0]), ("y0", surface.ylim, x0[1])):
            s = self.controls[key]
            s.min, s.max = -1e300, 1e300   # widen first: moving min/max clamps the value
            s.step = (lim[1] - lim[0]) / 200
            s.value = float(np.clip(v, *lim))
            s.min, s.max = float(lim[0]), float(lim[1])

    def _draw_surface(self, surface: Surface) -> None:
        """Replace the contour set of the left axes (only that) and reset its window."""
        old = self.contour
        result = plots.contour(surface, self.ax, levels=self.levels, resolution=160)
        if old is not None:
            for cs in (old.filled, old.lines):
                if cs is not None:
                    cs.remove()
        self.contour = result
        self.ax.set_xlim(surface.xlim)
        self.ax.set_ylim(surface.ylim)
        _fix_ticks(self.ax, surface.xlim, surface.ylim)
        names = [str(v) for v in surface.variables]
        _fixed_labels(self.ax, names[0], names[1], ypos=-0.1)
        minima = np.asarray(surface.minima, dtype=float).reshape(-1, 2)
        self.minima.set_data(minima[:, 0], minima[:, 1])
        title = surface.title
        self.title.set_text(title if len(title) <= 60 else title[:57] + "...")
        self._drawn = surface

    def _set_step_range(self, last: int) -> None:
        """The step slider (and Play) run over 0..last and jump to the end."""
        def apply() -> None:
            step = self.controls["step"]
            step.max = max(last, 1)
            self.play.max = max(last, 1)
            self.play.step = max(1, last // 150)     # a whole run plays in about 6 s
            step.value = last
        self._quietly(apply)

    def _on_step(self, change: Any) -> bool:
        """Handle a change of the step slider alone (cheap: no recomputation). True if it was."""
        if _owner(change) is not self.controls["step"]:
            return False
        if not self._holding:
            self._show_step()
            self.redraw()
        return True

    def _show_step(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _view(self) -> W.Widget:
        if self._canvas_is_widget:
            return self.figure.canvas
        w, h = self.figure.get_size_inches() * self.figure.dpi
        self._output = W.Output(layout=W.Layout(height=f"{int(h) + 10}px",
                                                width=f"{int(w) + 10}px"))
        return self._output

    def _layout(self, panel: list[W.Widget], below: list[W.Widget]) -> W.Widget:
        if self._box is None:
            view = self._view()
            self._box = W.VBox([W.HBox([W.VBox(panel, layout=W.Layout(min_width="320px")), view],
                                       layout=wrap_layout()),
                                *below])
            if self._output is not None:
                self.redraw()
        return self._box

    def close(self) -> None:
        self.play.close()
        super().close()


class _NoMinima:
    """Stand-in surface for drawing an empty minima marker line before any surface is drawn."""
    minima = np.empty((0, 2))


# ---------------------------------------------------------------------------------------------
# The descent explorer: controls -> experiments.descent_frame -> the browser renderer
# ---------------------------------------------------------------------------------------------
#: Embedded data budget of one explorer's kernel-free copy (issue 11: <= 1 MB per explorer).
STATIC_BUDGET = 1_000_000


def _error_frame(text: str, previous: Any = None) -> Any:
    """A frame for a refused input: the previous picture stays (never a blank canvas), the
    status line says what went wrong."""
    from ..scene import Frame
    layers = previous.layers if previous is not None else ()
    n = previous.n_steps if previous is not None else 0
    charts = previous.charts if previous is not None else {}
    return Frame(layers, n, text, "error", charts)


class DescentExplorer(Dashboard):
    """One descent path on a loss surface, driven by controls, drawn by the browser renderer.

    Controls (``controls[name]``): ``surface`` (catalogue or CUSTOM), ``formula`` (shown for
    CUSTOM), ``optimizer``, ``lr`` (log slider), the optimizer's hyper-parameters ``beta``,
    ``rho``, ``beta1``, ``beta2``, ``weight_decay``, ``damping`` (each shown only where it
    applies), ``schedule`` with ``decay`` / ``rate``, ``steps``, ``x0``, ``y0``. Play and the
    step slider are drawn by the page (``canvas``; ``canvas.step`` is the step shown, -1 the
    last). A click on the contour plot moves the start.

    Switching the surface resets the start and the learning rate to the surface's defaults;
    switching between optimizer families (GD-like, adaptive, Newton) recalls the lr last used
    in that family. ``lr_strip`` (HTML under the lr slider) marks 2/lambda_max at the start and
    the smallest one along the path on the slider's log scale.

    State after each update: ``path`` (the Path drawn), ``frame`` (what was sent: a
    ``gradlib.scene.Frame``), ``scene`` (the static layer), ``surface``, ``limits`` (LRLimits),
    ``settings``, ``error`` (a refused formula). ``figure`` draws the current frame with
    matplotlib (a snapshot for images and documents).
    """

    def __init__(self, surface: str = "rosenbrock", optimizer: str = "gd", *,
                 lr: float | None = None, schedule: str = "constant", steps: int = 200,
                 start: Sequence[float] | None = None, formula: str = DEFAULT_FORMULA,
                 figsize: tuple[float, float] = (9.0, 4.0), levels: int = 20) -> None:
        from .canvas import Canvas

        names = surface_names()
        if surface not in names and surface != CUSTOM:
            raise ValueError(f"surface must be one of {', '.join(names)} or {CUSTOM!r}, "
                             f"got {surface!r}")
        check.one_of("optimizer", optimizer, optim.OPTIMIZERS)
        check.one_of("schedule", schedule, SCHEDULE_CHOICES)
        check.integer("steps", steps, 10, 1000)
        self.levels = check.integer("levels", levels, 2, 100)
        figsize = (float(figsize[0]), float(figsize[1]))
        if not all(math.isfinite(v) and 2 <= v <= 30 for v in figsize):
            raise ValueError(f"figsize must be two numbers in [2, 30] (inches), got {figsize!r}")
        self.figsize = figsize
        super().__init__()
        self.surface = resolve_surface(surface, formula if surface == CUSTOM else "")
        first_lr = float(lr) if lr is not None else default_lr(self.surface, optimizer)
        if not (math.isfinite(first_lr) and first_lr > 0):
            raise ValueError(f"lr must be a positive finite number, got {lr!r}")
        self.cache: OrderedDict[Settings, Path] = OrderedDict()
        self.cache_size = 64
        self._family_lr = {_family(optimizer): first_lr}
        self._quiet = False
        self.path: Path | None = None
        self.settings: Settings | None = None
        self.frame: Any = None
        self.scene: Any = None
        self.limits = LRLimits(math.nan, math.nan)
        self.error = ""
        self.canvas = Canvas()
        self.canvas.on_click(self._on_click)

        c = self.controls
        c["surface"] = W.Dropdown(options=[(n, n) for n in names]
                                  + [("type your own f(x, y)", CUSTOM)],
                                  value=surface, description="surface", layout=_wide())
        c["formula"] = W.Text(value=formula, description="f(x, y) =", continuous_update=False,
                              layout=_wide())
        c["optimizer"] = W.Dropdown(options=list(optim.OPTIMIZERS), value=optimizer,
                                    description="optimizer", layout=_wide())
        c["lr"] = W.FloatLogSlider(value=first_lr, base=10, min=LR_EXP_RANGE[0],
                                   max=LR_EXP_RANGE[1], step=0.01, description="lr",
                                   readout_format=".2e", continuous_update=True, layout=_wide())
        c["beta"] = W.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="β",
                                  layout=_wide())
        c["rho"] = W.FloatSlider(value=0.99, min=0.0, max=0.999, step=0.001, description="ρ",
                                 readout_format=".3f", layout=_wide())
        c["beta1"] = W.FloatSlider(value=0.9, min=0.0, max=0.99, step=0.01, description="β1",
                                   layout=_wide())
        c["beta2"] = W.FloatSlider(value=0.999, min=0.9, max=0.9999, step=0.0001,
                                   description="β2", readout_format=".4f", layout=_wide())
        c["weight_decay"] = W.FloatSlider(value=0.01, min=0.0, max=0.2, step=0.005,
                                          description="weight decay", readout_format=".3f",
                                          layout=_wide())
        c["damping"] = W.FloatSlider(value=0.0, min=0.0, max=20.0, step=0.1,
                                     description="damping", layout=_wide())
        c["schedule"] = W.Dropdown(options=[(lab, key) for key, lab in SCHEDULE_CHOICES.items()],
                                   value=schedule, description="schedule", layout=_wide())
        c["decay"] = W.FloatLogSlider(value=0.01, base=10, min=-4, max=0, step=0.05,
                                      description="decay", readout_format=".3g", layout=_wide())
        c["rate"] = W.FloatSlider(value=0.99, min=0.9, max=1.0, step=0.001, description="rate",
                                  readout_format=".3f", layout=_wide())
        c["steps"] = W.IntSlider(value=int(steps), min=10, max=1000, step=10, description="steps",
                                 layout=_wide())
        for key, label in (("x0", "x₀"), ("y0", "y₀")):
            c[key] = W.FloatSlider(description=label, readout_format=".2f", layout=_wide())
        self.lr_strip = W.HTML()
        self._set_window(self.surface, start)
        self._wire()

    # -- events ----------------------------------------------------------------------------
    def _on_change(self, change: Any = None) -> None:
        if self._quiet:
            return
        owner = _owner(change)
        c = self.controls
        if owner is c["surface"] or owner is c["formula"]:
            self._surface_changed()
        elif owner is c["optimizer"]:
            self._optimizer_changed()
        if not self._holding:
            self.update()

    def _quietly(self, fn: Callable[[], Any]) -> None:
        """Run fn (which sets controls) without triggering updates."""
        self._quiet = True
        try:
            fn()
        finally:
            self._quiet = False

    def _set_window(self, surface: Surface, start: Sequence[float] | None) -> None:
        """x0/y0 sliders span the surface's window and sit at its start (or ``start``)."""
        x0 = np.asarray(surface.start if start is None else start, dtype=float)
        if x0.shape != (2,) or not np.all(np.isfinite(x0)):
            raise ValueError(f"start must be two finite numbers, got {start!r}")
        for key, lim, v in (("x0", surface.xlim, x0[0]), ("y0", surface.ylim, x0[1])):
            s = self.controls[key]
            s.min, s.max = -1e300, 1e300   # widen first: moving min/max clamps the value
            s.step = (lim[1] - lim[0]) / 200
            s.value = float(np.clip(v, *lim))
            s.min, s.max = float(lim[0]), float(lim[1])

    def _surface_changed(self) -> None:
        """A new surface: window, start and learning rate follow it (at once, even in hold())."""
        name = self.controls["surface"].value
        formula = self.controls["formula"].value if name == CUSTOM else ""
        try:
            surface = resolve_surface(name, formula)
        except ValueError as err:
            self.error = f"f(x, y) not accepted: {err}"
            return
        if surface is self.surface and not self.error:
            return
        opt = self.controls["optimizer"].value
        try:
            lr = default_lr(surface, opt)         # runs descend: fails if f is undefined there
        except Exception as err:  # noqa: BLE001 - reported in the status line, see _learner_error
            self.error = _learner_error(err, name)
            return
        self.error = ""
        self.surface = surface
        self._family_lr = {}

        def reset() -> None:
            self._set_window(surface, None)
            self.controls["lr"].value = lr
        self._quietly(reset)

    def _optimizer_changed(self) -> None:
        """Switching between families (GD-like, adaptive, Newton) recalls that family's lr."""
        opt = self.controls["optimizer"].value
        lr = self._family_lr.get(_family(opt), default_lr(self.surface, opt))
        self._quietly(lambda: setattr(self.controls["lr"], "value", lr))

    def _on_click(self, panel: str, x: float, y: float) -> None:
        """A click on the contour plot (panel "surface") moves the start there."""
        if panel != "surface" or not (math.isfinite(x) and math.isfinite(y)):
            return
        with self.hold():
            self.controls["x0"].value = float(x)
            self.controls["y0"].value = float(y)

    # -- state -----------------------------------------------------------------------------
    def current_settings(self) -> Settings:
        """The Settings the controls describe right now."""
        c = self.controls
        opt = c["optimizer"].value
        name = c["surface"].value
        return Settings(surface=name, formula=c["formula"].value if name == CUSTOM else "",
                        optimizer=opt, lr=float(c["lr"].value),
                        hyper=tuple((k, float(c[k].value)) for k in HYPER[opt]),
                        schedule=c["schedule"].value, decay=float(c["decay"].value),
                        rate=float(c["rate"].value), steps=int(c["steps"].value),
                        start=(float(c["x0"].value), float(c["y0"].value)))

    def compute(self, settings: Settings) -> Path:
        """run_descent(settings), remembered for the last ``cache_size`` settings."""
        path = self.cache.get(settings)
        if path is None:
            path = run_descent(settings)
            self.cache[settings] = path
            while len(self.cache) > self.cache_size:
                self.cache.popitem(last=False)
        else:
            self.cache.move_to_end(settings)
        return path

    def _sync_visibility(self) -> None:
        c = self.controls
        shown = set(HYPER[c["optimizer"].value])
        for key in _HYPER_DEFAULTS:
            c[key].layout.display = None if key in shown else "none"
        c["formula"].layout.display = None if c["surface"].value == CUSTOM else "none"
        c["decay"].layout.display = None if c["schedule"].value == "inverse_time_decay" else "none"
        c["rate"].layout.display = None if c["schedule"].value == "exponential_decay" else "none"

    # -- update ----------------------------------------------------------------------------
    def update(self) -> None:
        """Controls -> settings -> path -> frame -> the page (one message per change)."""
        self._sync_visibility()
        if self.error:
            self._show_error(self.error)
            return
        settings = self.current_settings()
        try:
            path = self.compute(settings)
            if path is not self.path:
                surface = self.surface
                self.limits = lr_limits(surface, path)
                opt = make_optimizer(settings)
                self.lr_strip.value = lr_strip_html(settings.lr, self.limits,
                                                    stability_factor(opt.name, opt.hyper))
                frame = descent_frame(settings, path)
                self.scene = descent_scene(surface, self.figsize, self.levels)
                self.status.value = _status_html(frame.status, path.status)
                self.canvas.show(self.scene, frame)
                self.frame, self.path, self.settings = frame, path, settings
        except Exception as err:  # noqa: BLE001 - reported in the status line, see _learner_error
            self._show_error(_learner_error(err, settings.surface))
            return
        self._family_lr[_family(settings.optimizer)] = settings.lr

    def _show_error(self, text: str) -> None:
        """The status line says what is wrong; the last picture stays (never a blank canvas)."""
        self.status.value = _status_html(text, "error")
        scene = self.scene
        if scene is None:
            try:
                scene = self.scene = descent_scene(self.surface, self.figsize, self.levels)
            except Exception:  # noqa: BLE001 - a surface matplotlib cannot contour
                scene = None
        if scene is not None:
            self.canvas.show(scene, _error_frame(text, self.frame))
        self.path = None

    @property
    def drawn_path(self) -> np.ndarray:
        """The (k+1, 2) points of the path in the frame last sent to the page."""
        if self.frame is None:
            return np.empty((0, 2))
        return next(layer.xy for layer in self.frame.layers
                    if layer.panel == "surface" and layer.kind == "line")

    @property
    def figure(self) -> Figure:
        """The current frame drawn by matplotlib (a snapshot for images and documents), at
        ``canvas.step`` (-1: the whole path)."""
        from ..scene import snapshot
        if self.scene is None or self.frame is None:
            raise ValueError("no frame to draw: the explorer has no valid settings yet")
        return snapshot(self.scene, self.frame, int(self.canvas.step))

    # -- layout and export ----------------------------------------------------------------
    def redraw(self) -> None:
        """Nothing to do: the page redraws when a frame arrives."""

    def layout(self) -> W.Widget:
        """Controls grouped on the left (lr with its 2/lambda_max strip), the canvas on the
        right with Play, the step slider and the status line under it."""
        if self._box is None:
            c = self.controls
            panel = W.VBox([c["surface"], c["formula"], c["optimizer"], c["lr"], self.lr_strip,
                            c["beta"], c["rho"], c["beta1"], c["beta2"], c["weight_decay"],
                            c["damping"], c["schedule"], c["decay"], c["rate"], c["steps"],
                            c["x0"], c["y0"]], layout=W.Layout(min_width="320px"))
            self._box = W.VBox([W.HBox([panel, self.canvas], layout=wrap_layout())])
        return self._box

    def static_data(self, budget: int = STATIC_BUDGET) -> tuple[dict[str, Any], dict[str, str]]:
        """What the kernel-free copy embeds: (data, surface name -> JavaScript source).

        Every catalogue surface whose f, grad f and Hessian JavaScript can compute, the current
        one first, while the embedded data stays within ``budget`` bytes; each with its static
        picture, window, start, minima, f* and default learning rates per optimizer.
        """
        from .. import jsmath
        from ..scene import to_plain_json
        settings = self.settings or self.current_settings()
        order = [settings.surface] + [n for n in surface_names() if n != settings.surface]
        surfaces: dict[str, Any] = {}
        code: dict[str, str] = {}
        used = 0
        for name in order:
            surface = self.surface if name == settings.surface else resolve_surface(name)
            try:
                js = jsmath.surface_js(surface)
            except jsmath.JSMathError:
                continue
            scene = descent_scene(surface, self.figsize, self.levels)
            entry = {"scene": scene.to_json(), "info": {
                "xlim": list(surface.xlim), "ylim": list(surface.ylim),
                "start": [float(v) for v in surface.start],
                "minima": np.asarray(surface.minima, dtype=float).reshape(-1, 2).tolist(),
                "global_min": surface.global_min, "title": surface.title},
                "default_lr": {opt: default_lr(surface, opt) for opt in optim.OPTIMIZERS}}
            size = len(_json_dumps(to_plain_json(entry))) + len(js)
            if surfaces and used + size > budget - 120_000:      # room for the module itself
                break
            key = name if name != CUSTOM else "custom"
            surfaces[key], code[key] = entry, js
            used += size
        data = {"surfaces": surfaces, "schedules": SCHEDULE_CHOICES, "lr_range": LR_EXP_RANGE,
                "settings": {"surface": settings.surface if settings.surface in surfaces
                             else next(iter(surfaces)),
                             "optimizer": settings.optimizer, "lr": settings.lr,
                             "hyper": dict(settings.hyper), "schedule": settings.schedule,
                             "decay": settings.decay, "rate": settings.rate,
                             "steps": settings.steps,
                             "start": list(settings.start or self.surface.start),
                             "tol": settings.tol}}
        return data, code

    def static_html(self) -> str:
        """The explorer for a page with no kernel (see ``gradlib.widgets.canvas.static_html``)."""
        from .canvas import static_html
        data, code = self.static_data()
        return static_html(data, code, css_class="gradlib-descentexplorer-static",
                           title="descent explorer")

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The live widget view, plus ``text/html``: the same explorer working without a kernel
        (front-ends with a kernel rank the widget view first; handouts drop it)."""
        box = self.layout()
        box.add_class("gradlib-dashboard")
        box.add_class("gradlib-descentexplorer")
        bundle = dict(box._repr_mimebundle_(include=include, exclude=exclude) or {})
        bundle["text/html"] = self.static_html()
        bundle["text/plain"] = ("<DescentExplorer: an interactive explorer; its controls work "
                                "in JupyterLab and in the exported HTML page>")
        return bundle

    def to_html(self, frames: int = 60, **kwargs: Any) -> Any:
        """The current path as a kernel-free animation (``gradlib.animate.html_animation``)."""
        from .. import animate
        if self.path is None or self.settings is None:
            raise ValueError("no path to animate: the explorer has no valid settings yet")
        kwargs.setdefault("labels", [f"{self.settings.optimizer}, lr = {self.settings.lr:.3g}"])
        return animate.html_animation(self.surface, [self.path],
                                      frames=min(frames, self.path.steps + 1), **kwargs)

    def close(self) -> None:
        for w in (self.lr_strip, self.canvas, self.status):
            w.close()
        for control in self.controls.values():
            control.close()
        if self._box is not None:
            self._box.close()


def _json_dumps(value: Any) -> str:
    import json
    return json.dumps(value, separators=(",", ":"))

def descent_explorer(surface: str = "rosenbrock", optimizer: str = "gd",
                     **kwargs: Any) -> DescentExplorer:
    """A descent path on a loss surface, with everything a learner may want to turn.

    Keyword arguments: ``lr`` (default: ``default_lr`` for the surface), ``schedule``, ``steps``,
    ``start``, ``formula`` (for surface="custom"), ``figsize``, ``levels``.
    """
    return DescentExplorer(surface, optimizer, **kwargs)


# ---------------------------------------------------------------------------------------------
# The optimizer race
# ---------------------------------------------------------------------------------------------
RACERS = ("gd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")


class RaceExplorer(_SurfaceDashboard):
    """Several optimizers from the same start, each with its own learning rate.

    Controls: ``surface``, ``steps``, ``x0``, ``y0``, ``lr_<name>`` for each optimizer, and
    ``step`` (the frame; ``play`` animates it). ``entries`` holds the race (``race``'s result),
    ``leaderboard`` the HTML table; artists ``trails``, ``heads``, ``loss_lines``.
    """

    def __init__(self, surface: str = "rosenbrock", optimizers: Sequence[str] = RACERS,
                 lrs: Mapping[str, float] | None = None, *, steps: int = 300, tol: float = 1e-4,
                 start: Sequence[float] | None = None, figsize: tuple[float, float] = (9.0, 4.0),
                 levels: int = 20) -> None:
        names = surface_names()
        check.one_of("surface", surface, names)
        optimizers = list(optimizers)
        if not optimizers or any(o not in optim.OPTIMIZERS for o in optimizers) \
                or len(set(optimizers)) != len(optimizers):
            raise ValueError(f"optimizers must be distinct names among "
                             f"{', '.join(optim.OPTIMIZERS)}, got {optimizers!r}")
        lrs = dict(lrs or {})
        extra = [k for k in lrs if k not in optimizers]
        if extra:
            raise ValueError(f"lrs: {extra[0]!r} is not one of the racing optimizers {optimizers}")
        check.real("tol", tol, "a positive number", lambda v: v > 0)
        check.integer("steps", steps, 10, 1000)
        super().__init__(figsize, levels)
        self.optimizers, self.tol = optimizers, float(tol)
        self.surface = resolve_surface(surface)
        self.colors = plots.path_colors(len(optimizers))
        self.entries: list[RaceEntry] = []
        self._key: tuple | None = None
        self._values: list[np.ndarray] = []

        c = self.controls
        c["surface"] = W.Dropdown(options=names, value=surface, description="surface",
                                  layout=_wide())
        c["steps"] = W.IntSlider(value=int(steps), min=10, max=1000, step=10, description="steps",
                                 layout=_wide())
        for name in optimizers:
            value = float(lrs.get(name, default_lr(self.surface, name)))
            c[f"lr_{name}"] = W.FloatLogSlider(value=value, base=10, min=LR_EXP_RANGE[0],
                                               max=LR_EXP_RANGE[1], step=0.01,
                                               description=f"lr {name}", readout_format=".2e",
                                               layout=_wide())
        self._start_controls(steps)
        self._set_window(self.surface, start)
        self.leaderboard = W.HTML()

        ax = self.ax
        x0 = np.asarray(self.surface.start, dtype=float)
        (self.start_marker,) = ax.plot([x0[0]], [x0[1]], linestyle="none", marker="o",
                                       markersize=9, markerfacecolor="white",
                                       markeredgecolor="k", markeredgewidth=2, zorder=6)
        self.trails: list[Line2D] = []
        self.heads: list[Line2D] = []
        self.loss_lines: list[Line2D] = []
        for name, color in zip(optimizers, self.colors):
            (trail,) = ax.plot([], [], color=color, marker="o", markersize=2, linewidth=1.3,
                               label=name, zorder=5)
            (head,) = ax.plot([], [], linestyle="none", marker="o", markersize=7,
                              markerfacecolor=color, markeredgecolor="k", zorder=7)
            (loss,) = self.loss_axes.ax.plot([], [], color=color, linewidth=1.4)
            self.trails.append(trail)
            self.heads.append(head)
            self.loss_lines.append(loss)
        legend = ax.legend(handles=self.trails, loc="upper right", fontsize=7, framealpha=0.8)
        legend.set_zorder(10)              # moving, so it is drawn over the trails
        self.figure.set_dynamic([self.start_marker, *self.trails, *self.heads, *self.loss_lines,
                                 legend])
        self._wire()

    def _on_change(self, change: Any = None) -> None:
        if self._quiet or self._on_step(change):
            return
        c = self.controls
        if _owner(change) is c["surface"]:
            surface = self.surface = resolve_surface(c["surface"].value)

            def reset() -> None:
                self._set_window(surface, None)
                for name in self.optimizers:
                    c[f"lr_{name}"].value = default_lr(surface, name)
            self._quietly(reset)
        if not self._holding:
            self.update()

    def specs(self) -> dict[str, Optimizer]:
        """label -> optimizer, as the lr sliders say (other hyper-parameters at defaults)."""
        return {name: optim.make(name, lr=float(self.controls[f"lr_{name}"].value))
                for name in self.optimizers}

    def start(self) -> tuple[float, float]:
        """The start the sliders say."""
        return float(self.controls["x0"].value), float(self.controls["y0"].value)

    def update(self) -> None:
        steps = int(self.controls["steps"].value)
        specs = self.specs()
        key = (self.surface, steps, self.start(), tuple((k, repr(v)) for k, v in specs.items()))
        if self._drawn is not self.surface:
            self._draw_surface(self.surface)
        if key != self._key:
            self.entries = race(self.surface, specs, steps, self.tol, self.start())
            self._key = key
            self._show_race(steps)
        self._show_step()
        self.redraw()

    def _show_race(self, steps: int) -> None:
        surface, entries = self.surface, self.entries
        gap_known = getattr(surface, "global_min", None) is not None
        self.leaderboard.value = leaderboard_html(entries, self.tol, gap=gap_known,
                                                  colors=self.colors)
        la = self.loss_axes
        la.set_mode(_log_mode(surface, np.concatenate([e.path.losses for e in entries])),
                    "f(x_t) − f*" if gap_known else "f(x_t)")
        la.set_steps(steps)
        self._values = [la.values(e.path.losses, _gap(surface, e.path.losses)) for e in entries]
        la.set_ylim(self._values)
        x0 = entries[0].path.xs[0]
        self.start_marker.set_data([x0[0]], [x0[1]])
        where = f"{len(entries)} optimizers from ({x0[0]:.2f}, {x0[1]:.2f})"
        self.status.value = html.escape(f"{where}; target f − f* ≤ {self.tol:g}" if gap_known
                                        else f"{where}; f* unknown: ranked by final f")
        self._set_step_range(max(e.path.steps for e in entries))

    def _show_step(self) -> None:
        t = int(self.controls["step"].value)
        for e, trail, head, loss, values in zip(self.entries, self.trails, self.heads,
                                                self.loss_lines, self._values):
            k = min(t, e.path.steps)
            xs = e.path.xs
            trail.set_data(xs[: k + 1, 0], xs[: k + 1, 1])
            head.set_data(xs[k : k + 1, 0], xs[k : k + 1, 1])
            head.set_marker("X" if e.path.status == "diverged" and k == e.path.steps else "o")
            loss.set_data(np.arange(k + 1), values[: k + 1])

    def layout(self) -> W.Widget:
        c = self.controls
        return self._layout([c["surface"], c["steps"], c["x0"], c["y0"],
                             *(c[f"lr_{name}"] for name in self.optimizers),
                             W.HBox([self.play, c["step"]])], [self.leaderboard, self.status])

    def to_html(self, frames: int = 60, **kwargs: Any) -> Any:
        """The race as a kernel-free animation (``gradlib.animate.html_animation``)."""
        from .. import animate
        paths = [e.path for e in self.entries]
        kwargs.setdefault("labels", [e.name for e in self.entries])
        kwargs.setdefault("colors", self.colors)
        return animate.html_animation(self.surface, paths,
                                      frames=min(frames, max(p.steps for p in paths) + 1), **kwargs)

    def close(self) -> None:
        self.leaderboard.close()
        super().close()


def optimizer_race(surface: str = "rosenbrock", optimizers: Sequence[str] = RACERS,
                   lrs: Mapping[str, float] | None = None, **kwargs: Any) -> RaceExplorer:
    """Several optimizers from the same start, animated together, with a leaderboard.

    ``lrs`` maps optimizer name -> learning rate (default: ``default_lr`` for the surface).
    Keyword arguments: ``steps``, ``tol`` (the leaderboard's f - f* target), ``start``,
    ``figsize``, ``levels``.
    """
    return RaceExplorer(surface, optimizers, lrs, **kwargs)


# ---------------------------------------------------------------------------------------------
# The 1-D quadratic explorer
# ---------------------------------------------------------------------------------------------
_REGIME_TEXT = {
    "frozen": "lr = 0: the iterate never moves",
    "monotone": "0 < lr·a < 1: each step shrinks x by the same factor, from one side",
    "one step": "lr·a = 1: the first step lands exactly on the minimum",
    "oscillating": "1 < lr·a < 2: x jumps across the minimum and the jumps shrink",
    "bouncing": "lr·a = 2: x jumps between x₀ and −x₀ forever",
    "divergent": "lr·a > 2: x jumps across the minimum and the jumps grow: divergence",
}


class QuadraticExplorer(Dashboard):
    """Gradient descent on f(x) = a/2 x^2: the iterates on the parabola, and x_k against k with
    the closed form (1 - lr a)^k x0 dotted over it.

    Controls: ``a`` (the curvature f''), ``lr``, ``steps``. The status line names the regime
    (``quadratic_regime``). Artists: ``iterates`` (x_k, f(x_k)) on the left, ``xk`` (k, x_k)
    and ``closed_form`` on the right; ``path`` is the last Path.
    """

    def __init__(self, a: float = 2.0, lr: float = 0.3, x0: float = 1.5, steps: int = 20,
                 figsize: tuple[float, float] = (9.0, 3.6)) -> None:
        super().__init__()
        a = check.positive("a", a)
        check.real("lr", lr, "a number in [0, 2]", lambda v: 0 <= v <= 2)
        check.integer("steps", steps, 1, 60)
        check.real("x0", x0, "a finite non-zero number", lambda v: v != 0)
        self.x0 = float(x0)
        c = self.controls
        c["a"] = W.FloatSlider(value=a, min=0.5, max=5.0, step=0.05, description="a")
        c["lr"] = W.FloatSlider(value=float(lr), min=0.0, max=2.0, step=0.005, description="lr",
                                readout_format=".3f")
        c["steps"] = W.IntSlider(value=int(steps), min=1, max=60, description="steps")
        self.path: Path | None = None
        fig = self.figure = new_figure(figsize)
        left = self.ax = fig.add_axes((0.08, 0.15, 0.39, 0.74))
        right = self.ax_k = fig.add_axes((0.58, 0.15, 0.40, 0.74))
        span = 2.2 * abs(self.x0)
        self.s = np.linspace(-span, span, 200)
        (self.parabola,) = left.plot(self.s, 0 * self.s, color="0.4", linewidth=1.5)
        (self.iterates,) = left.plot([], [], color="#d62728", marker="o", markersize=4,
                                     linewidth=1.0)
        left.set_xlim(-span, span)
        _fixed_labels(left, "x", "f", ypos=-0.08)
        left.tick_params(labelsize=8)
        self.left_title = left.set_title("", y=1.0, pad=4, fontsize=10)
        (self.xk,) = right.plot([], [], color="#1f77b4", marker="o", markersize=4, linewidth=1.0,
                                label="descend")
        (self.closed_form,) = right.plot([], [], color="k", linestyle=":", linewidth=1.5,
                                         label="(1 − lr·a)^k x₀")
        right.axhline(0, color="0.6", linewidth=0.8)
        lim = 1.6 * abs(self.x0)
        right.set_ylim(-lim, lim)
        _fix_ticks(right, (0, 1), (-lim, lim))
        _fixed_labels(right, "step k", "xₖ", ypos=-0.1)
        right.tick_params(labelsize=8)
        right.legend(loc="upper right", fontsize=7)
        self.right_title = right.set_title("", y=1.0, pad=4, fontsize=10)
        self._steps = -1
        self._a = math.nan
        self._wire()

    def update(self) -> None:
        c = self.controls
        a, lr, steps = float(c["a"].value), float(c["lr"].value), int(c["steps"].value)
        path = self.path = quadratic_path(a, lr, self.x0, steps)
        xs = path.xs[:, 0]
        if a != self._a:
            self.parabola.set_ydata(0.5 * a * self.s**2)
            top = 0.5 * a * self.s[-1] ** 2
            self.ax.set_ylim(-0.05 * top, top)
            _fix_ticks(self.ax, self.ax.get_xlim(), (0, top))
            self._a = a
        self.iterates.set_data(xs, 0.5 * a * xs**2)
        self.xk.set_data(np.arange(len(xs)), xs)
        kk = np.arange(steps + 1)
        self.closed_form.set_data(kk, _closed_form(a, lr, self.x0, kk))
        if steps != self._steps:
            self.ax_k.set_xlim(0, steps)
            self.ax_k.xaxis.set_major_locator(
                FixedLocator(MaxNLocator(5, integer=True).tick_values(0, steps)))
            self._steps = steps
        regime = quadratic_regime(a, lr)
        self.left_title.set_text(f"lr·a = {lr * a:.3f}: "
                                 f"each step multiplies x by {1 - lr * a:.3f}")
        self.right_title.set_text(f"x_k against k   (threshold lr = 2/a = {2 / a:.3f})")
        verdict = {"divergent": "diverged", "bouncing": "max_steps",
                   "frozen": "max_steps"}.get(regime, "converged")
        self.status.value = _status_html(f"{regime}: {_REGIME_TEXT[regime]}", verdict)
        self.redraw()


def _closed_form(a: float, lr: float, x0: float, k: np.ndarray) -> np.ndarray:
    """(1 - lr a)^k x0, capped at +-1e6 (off the chart) so a divergent run draws no overflow."""
    r = 1.0 - lr * a
    with np.errstate(all="ignore"):
        logs = k * math.log(abs(r)) if r != 0 else np.where(k == 0, 0.0, -np.inf)
        mag = np.exp(np.minimum(logs + math.log(abs(x0)), math.log(1e6)))
    sign = np.sign(x0) * np.where(k % 2 == 1, np.sign(r) if r != 0 else 1.0, 1.0)
    return sign * mag


def quadratic_explorer(a: float = 2.0, lr: float = 0.3, **kwargs: Any) -> QuadraticExplorer:
    """Gradient descent on f = a/2 x^2 with an lr slider: monotone below lr = 1/a, oscillating
    between 1/a and 2/a, divergent above 2/a. Keyword arguments: ``x0``, ``steps``, ``figsize``."""
    return QuadraticExplorer(a, lr, **kwargs)
