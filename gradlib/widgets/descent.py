"""Explorers for notebooks 03 and 06: a descent path on a loss surface, and a race of optimizers.

    descent_explorer("rosenbrock", "gd")   surface (or your own f(x, y)), optimizer and its
                                           hyper-parameters, lr on a log slider whose 2/lambda_max
                                           is marked, schedule, steps, start (sliders or a click),
                                           Play; the path on the contours, the loss, a status line
    optimizer_race("rosenbrock")           several optimizers from one start, each with its own lr,
                                           animated together, with a leaderboard
    quadratic_explorer(a=2.0)              f = a/2 x^2: one lr slider shows the monotone,
                                           oscillating and divergent regimes around lr = 2/a

Every explorer here is drawn by the browser renderer (``gradlib.widgets.canvas``): its controls
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

The race (``experiments.race_frame``) and the 1-D explorer (``experiments.quadratic_frame``)
are drawn the same way, and work in static pages too (the page runs the same math). Each
static copy opens with a snapshot <img> (alt text: the status line) that the module replaces,
so viewers that strip scripts (GitHub, nbviewer) still show a picture.
"""
from __future__ import annotations

import html
import math
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import ipywidgets as W
import numpy as np

from .. import _checks as check
from .. import optim, plots
from ..experiments import (  # noqa: F401 - re-exported for notebooks and older code
    CUSTOM, DEFAULT_FORMULA, EXPLORER_TOL, HYPER, LIMIT_FACTORS, LR_EXP_RANGE, SCHEDULE_CHOICES,
    Basins, LRLimits, RaceEntry, Settings, _default_lr, _eigenvalues_at, _gap, _HYPER_DEFAULTS,
    _log_mode, _family, _round_lr, basin_map, default_lr, describe, descent_frame, descent_scene,
    learning_rate, lr_limits, make_optimizer, quadratic_path, quadratic_regime, race,
    resolve_surface, run_descent, stability_factor, steps_to_tolerance, surface_names,
    RACERS, REGIME_TEXT, QuadraticSettings, RaceSettings, quadratic_closed_form, quadratic_frame,
    quadratic_scene, race_frame, race_ranking, race_status, run_race,
)
from ..optim import Optimizer, Path
from ..surfaces import Surface
from ._base import wrap_layout
from .canvas import CanvasDashboard, error_frame as _error_frame, status_html as _status_html

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

_ranking = race_ranking


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


def _wide() -> W.Layout:
    """A fresh Layout per control (a shared one would hide every control at once)."""
    return W.Layout(width="300px")


def _owner(change: Any) -> Any:
    return change.get("owner") if isinstance(change, dict) else getattr(change, "owner", None)


# ---------------------------------------------------------------------------------------------
# The descent explorer: controls -> experiments.descent_frame -> the browser renderer
# ---------------------------------------------------------------------------------------------
#: Embedded data budget of one explorer's kernel-free copy (issue 11: <= 1 MB per explorer).
STATIC_BUDGET = 1_000_000


class DescentExplorer(CanvasDashboard):
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

    static_title = "descent explorer"

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

    @property
    def drawn_path(self) -> np.ndarray:
        """The (k+1, 2) points of the path in the frame last sent to the page."""
        if self.frame is None:
            return np.empty((0, 2))
        return next(layer.xy for layer in self.frame.layers
                    if layer.panel == "surface" and layer.kind == "line")

    # -- layout and export ----------------------------------------------------------------
    def _error_scene(self) -> Any:
        return descent_scene(self.surface, self.figsize, self.levels)

    def _forget(self) -> None:
        self.path = None

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
            if surfaces and used + size > budget - 250_000:   # room for the module and the <img>
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
        data, code = self.static_data()
        return self.page_html(data, code)

    def to_html(self, frames: int = 60, **kwargs: Any) -> Any:
        """The current path as a kernel-free animation (``gradlib.animate.html_animation``)."""
        from .. import animate
        if self.path is None or self.settings is None:
            raise ValueError("no path to animate: the explorer has no valid settings yet")
        kwargs.setdefault("labels", [f"{self.settings.optimizer}, lr = {self.settings.lr:.3g}"])
        return animate.html_animation(self.surface, [self.path],
                                      frames=min(frames, self.path.steps + 1), **kwargs)

    def _own_widgets(self) -> tuple[Any, ...]:
        return (self.lr_strip,)


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
# The optimizer race: controls -> experiments.race_frame -> the browser renderer
# ---------------------------------------------------------------------------------------------
class RaceExplorer(CanvasDashboard):
    """Several optimizers from the same start, each with its own learning rate, drawn by the
    browser renderer (``canvas``; Play and the step slider run in the page).

    Controls: ``surface``, ``steps``, ``x0``, ``y0``, ``lr_<name>`` for each optimizer. A click
    on the contour plot moves the start. State after each update: ``entries`` (``race``'s
    result), ``frame`` / ``scene`` (what was sent), ``settings`` (RaceSettings), ``leaderboard``
    (an HTML table beside the canvas; the status line ranks the runners too, in static pages
    as well). ``figure`` draws the current frame with matplotlib (a snapshot).
    """

    static_title = "optimizer race"

    def __init__(self, surface: str = "rosenbrock", optimizers: Sequence[str] = RACERS,
                 lrs: Mapping[str, float] | None = None, *, steps: int = 300, tol: float = 1e-4,
                 start: Sequence[float] | None = None, figsize: tuple[float, float] = (9.0, 4.0),
                 levels: int = 20) -> None:
        from .canvas import Canvas

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
        self.levels = check.integer("levels", levels, 2, 100)
        self.figsize = (float(figsize[0]), float(figsize[1]))
        super().__init__()
        self.optimizers, self.tol = optimizers, float(tol)
        self.surface = resolve_surface(surface)
        self.colors = plots.path_colors(len(optimizers))
        self.entries: list[RaceEntry] = []
        self.settings: RaceSettings | None = None
        self.frame: Any = None
        self.scene: Any = None
        self._quiet = False
        self._runs: OrderedDict[tuple, RaceEntry] = OrderedDict()
        self.canvas = Canvas()
        self.canvas.on_click(self._on_click)

        c = self.controls
        c["surface"] = W.Dropdown(options=names, value=surface, description="surface",
                                  layout=_wide())
        c["steps"] = W.IntSlider(value=int(steps), min=10, max=1000, step=10, description="steps",
                                 layout=_wide())
        for key, label in (("x0", "x₀"), ("y0", "y₀")):
            c[key] = W.FloatSlider(description=label, readout_format=".2f", layout=_wide())
        for name in optimizers:
            value = float(lrs.get(name, default_lr(self.surface, name)))
            c[f"lr_{name}"] = W.FloatLogSlider(value=value, base=10, min=LR_EXP_RANGE[0],
                                               max=LR_EXP_RANGE[1], step=0.01,
                                               description=f"lr {name}", readout_format=".2e",
                                               layout=_wide())
        self._set_window(self.surface, start)
        self.leaderboard = W.HTML()
        self._wire()

    _quietly = DescentExplorer._quietly
    _set_window = DescentExplorer._set_window

    def _on_change(self, change: Any = None) -> None:
        if self._quiet:
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

    def _on_click(self, panel: str, x: float, y: float) -> None:
        """A click on the contour plot (panel "surface") moves the start there."""
        if panel != "surface" or not (math.isfinite(x) and math.isfinite(y)):
            return
        with self.hold():
            self.controls["x0"].value = float(x)
            self.controls["y0"].value = float(y)

    def specs(self) -> dict[str, Optimizer]:
        """label -> optimizer, as the lr sliders say (other hyper-parameters at defaults)."""
        return {name: optim.make(name, lr=float(self.controls[f"lr_{name}"].value))
                for name in self.optimizers}

    def start(self) -> tuple[float, float]:
        """The start the sliders say."""
        return float(self.controls["x0"].value), float(self.controls["y0"].value)

    def current_settings(self) -> RaceSettings:
        c = self.controls
        return RaceSettings(surface=c["surface"].value,
                            lrs=tuple((n, float(c[f"lr_{n}"].value)) for n in self.optimizers),
                            steps=int(c["steps"].value), start=self.start(), tol=self.tol)

    def update(self) -> None:
        """Controls -> RaceSettings -> race -> frame -> the page (one message per change)."""
        settings = self.current_settings()
        if settings == self.settings:
            return
        try:
            entries = self._run(settings)
            frame = race_frame(settings, entries)
        except ValueError as err:
            self._show_error(f"cannot run: {err}")
            return
        self.scene = descent_scene(self.surface, self.figsize, self.levels,
                                   what="the racing paths")
        gap_known = getattr(self.surface, "global_min", None) is not None
        self.leaderboard.value = leaderboard_html(entries, self.tol, gap=gap_known,
                                                  colors=self.colors)
        self.status.value = _status_html(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)
        self.entries, self.frame, self.settings = entries, frame, settings

    def _run(self, settings: RaceSettings) -> list[RaceEntry]:
        """``run_race(settings)``, each runner's entry remembered by (surface, optimizer, lr,
        steps, start, tol): moving one lr slider reruns one optimizer, not the whole field."""
        entries = []
        for name, lr in settings.lrs:
            key = (settings.surface, name, lr, settings.steps, settings.start, settings.tol)
            entry = self._runs.get(key)
            if entry is None:
                one = RaceSettings(settings.surface, ((name, lr),), settings.steps,
                                   settings.start, settings.tol)
                entry = self._runs[key] = run_race(one)[0]
                while len(self._runs) > 64:
                    self._runs.popitem(last=False)
            entries.append(entry)
        return entries

    def _error_scene(self) -> Any:
        return descent_scene(self.surface, self.figsize, self.levels, what="the racing paths")

    def layout(self) -> W.Widget:
        if self._box is None:
            c = self.controls
            panel = W.VBox([c["surface"], c["steps"], c["x0"], c["y0"],
                            *(c[f"lr_{name}"] for name in self.optimizers)],
                           layout=W.Layout(min_width="320px"))
            self._box = W.VBox([W.HBox([panel, self.canvas], layout=wrap_layout()),
                                self.leaderboard])
        return self._box

    def static_data(self, budget: int = STATIC_BUDGET) -> tuple[dict[str, Any], dict[str, str]]:
        """What the kernel-free copy embeds: (data, surface name -> JavaScript source); every
        catalogue surface JavaScript can compute, the current one first, within ``budget``."""
        from .. import jsmath
        from ..scene import to_plain_json
        settings = self.settings or self.current_settings()
        order = [settings.surface] + [n for n in surface_names() if n != settings.surface]
        surfaces: dict[str, Any] = {}
        code: dict[str, str] = {}
        used = 0
        for name in order:
            surface = resolve_surface(name)
            try:
                js = jsmath.surface_js(surface)
            except jsmath.JSMathError:
                continue
            scene = descent_scene(surface, self.figsize, self.levels, what="the racing paths")
            entry = {"scene": scene.to_json(), "info": {
                "xlim": list(surface.xlim), "ylim": list(surface.ylim),
                "start": [float(v) for v in surface.start],
                "minima": np.asarray(surface.minima, dtype=float).reshape(-1, 2).tolist(),
                "global_min": surface.global_min},
                "default_lr": {opt: default_lr(surface, opt) for opt in self.optimizers}}
            size = len(_json_dumps(to_plain_json(entry))) + len(js)
            if surfaces and used + size > budget - 250_000:   # room for the module and the <img>
                break
            surfaces[name], code[name] = entry, js
            used += size
        data = {"surfaces": surfaces, "lr_range": LR_EXP_RANGE,
                "settings": {"surface": settings.surface, "lrs": [list(p) for p in settings.lrs],
                             "steps": settings.steps,
                             "start": list(settings.start or self.surface.start),
                             "tol": settings.tol}}
        return data, code

    def static_html(self) -> str:
        """The race for a page with no kernel (``gradlib.widgets.canvas.static_html``)."""
        data, code = self.static_data()
        return self.page_html(data, code, "mountStaticRace")

    def to_html(self, frames: int = 60, **kwargs: Any) -> Any:
        """The race as a kernel-free animation (``gradlib.animate.html_animation``)."""
        from .. import animate
        paths = [e.path for e in self.entries]
        kwargs.setdefault("labels", [e.name for e in self.entries])
        kwargs.setdefault("colors", self.colors)
        return animate.html_animation(self.surface, paths,
                                      frames=min(frames, max(p.steps for p in paths) + 1), **kwargs)

    def _own_widgets(self) -> tuple[Any, ...]:
        return (self.leaderboard,)


def optimizer_race(surface: str = "rosenbrock", optimizers: Sequence[str] = RACERS,
                   lrs: Mapping[str, float] | None = None, **kwargs: Any) -> RaceExplorer:
    """Several optimizers from the same start, animated together, with a leaderboard.

    ``lrs`` maps optimizer name -> learning rate (default: ``default_lr`` for the surface).
    Keyword arguments: ``steps``, ``tol`` (the leaderboard's f - f* target), ``start``,
    ``figsize``, ``levels``.
    """
    return RaceExplorer(surface, optimizers, lrs, **kwargs)


# ---------------------------------------------------------------------------------------------
# The 1-D quadratic explorer: controls -> experiments.quadratic_frame -> the browser renderer
# ---------------------------------------------------------------------------------------------
_REGIME_TEXT = REGIME_TEXT


class QuadraticExplorer(CanvasDashboard):
    """Gradient descent on f(x) = a/2 x^2: the iterates on the parabola, and x_k against k with
    the closed form (1 - lr a)^k x0 dotted over it, drawn by the browser renderer.

    Controls: ``a`` (the curvature f''), ``lr``, ``steps``. The status line names the regime
    (``quadratic_regime``). State after each update: ``path`` (the Path), ``frame`` / ``scene``
    (what was sent, ``experiments.quadratic_frame``), ``settings``. ``figure``: a snapshot.
    """

    static_title = "gradient descent on a parabola"

    def __init__(self, a: float = 2.0, lr: float = 0.3, x0: float = 1.5, steps: int = 20,
                 figsize: tuple[float, float] = (9.0, 3.6)) -> None:
        from .canvas import Canvas

        super().__init__()
        a = check.positive("a", a)
        check.real("lr", lr, "a number in [0, 2]", lambda v: 0 <= v <= 2)
        check.integer("steps", steps, 1, 60)
        check.real("x0", x0, "a finite non-zero number", lambda v: v != 0)
        self.x0 = float(x0)
        self.figsize = (float(figsize[0]), float(figsize[1]))
        c = self.controls
        c["a"] = W.FloatSlider(value=a, min=0.5, max=5.0, step=0.05, description="a")
        c["lr"] = W.FloatSlider(value=float(lr), min=0.0, max=2.0, step=0.005, description="lr",
                                readout_format=".3f")
        c["steps"] = W.IntSlider(value=int(steps), min=1, max=60, description="steps")
        self.path: Path | None = None
        self.frame: Any = None
        self.settings: QuadraticSettings | None = None
        self.scene = quadratic_scene(self.figsize)
        self.canvas = Canvas()
        self._wire()

    def current_settings(self) -> QuadraticSettings:
        c = self.controls
        return QuadraticSettings(float(c["a"].value), float(c["lr"].value), self.x0,
                                 int(c["steps"].value))

    def update(self) -> None:
        """Controls -> QuadraticSettings -> frame -> the page (one message per change)."""
        settings = self.current_settings()
        try:
            frame = quadratic_frame(settings)
        except ValueError as err:
            text = f"cannot run: {err}"
            self.status.value = _status_html(text, "error")
            self.canvas.show(self.scene, _error_frame(text, self.frame))
            return
        self.path = quadratic_path(settings.a, settings.lr, settings.x0, settings.steps)
        self.status.value = _status_html(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)
        self.frame, self.settings = frame, settings

    @property
    def iterates(self) -> np.ndarray:
        """The (k+1, 2) points x_k, f(x_k) sent to the page."""
        return self.frame.layer("iterates (xₖ, f(xₖ))").xy

    @property
    def xk(self) -> np.ndarray:
        """The (k+1, 2) points k, x_k sent to the page."""
        return self.frame.layer("xₖ (descend)").xy

    def layout(self) -> W.Widget:
        if self._box is None:
            c = self.controls
            panel = W.VBox([c["a"], c["lr"], c["steps"]], layout=W.Layout(min_width="300px"))
            self._box = W.VBox([W.HBox([panel, self.canvas], layout=wrap_layout())])
        return self._box

    def static_html(self) -> str:
        """The 1-D explorer for a page with no kernel: the page computes the iterates."""
        s = self.settings or self.current_settings()
        data = {"scene": self.scene.to_json(),
                "settings": {"a": s.a, "lr": s.lr, "x0": s.x0, "steps": s.steps}}
        return self.page_html(data, {}, "mountStaticQuadratic")


def _closed_form(a: float, lr: float, x0: float, k: np.ndarray) -> np.ndarray:
    """(1 - lr a)^k x0, capped at +-1e6 (``experiments.quadratic_closed_form``)."""
    return quadratic_closed_form(a, lr, x0, k)


def quadratic_explorer(a: float = 2.0, lr: float = 0.3, **kwargs: Any) -> QuadraticExplorer:
    """Gradient descent on f = a/2 x^2 with an lr slider: monotone below lr = 1/a, oscillating
    between 1/a and 2/a, divergent above 2/a. Keyword arguments: ``x0``, ``steps``, ``figsize``."""
    return QuadraticExplorer(a, lr, **kwargs)
