"""Explorer for notebook 06: heavy-ball (or Nesterov) momentum on a quadratic, beside its rate map.

    momentum_explorer(kappa=100, angle=30)   sliders lr, beta, kappa, steps and a method choice;
                                             left: the path on the level sets of the quadratic;
                                             middle: the convergence rate over the (lr, beta)
                                             plane with a marker at the current settings, the
                                             best settings starred and the stability limit;
                                             right: the loss f(x_k) on a log scale

Drawn by the browser renderer (gradlib.widgets.canvas): controls -> MomentumSettings ->
experiments_momentum.momentum_frame -> Canvas. The rate map is static per (method, kappa), so it
is rendered once into the scene's picture (``momentum_scene``, cached); the path, the markers
and the loss curve travel as numbers. Play and the step slider run in the page, and the exported
page computes the same frame itself (canvas.js ``momentumFrame``).

The pure functions (rate maps, optima, stability limits, measured rates, the frame) live in
``gradlib.experiments_momentum`` and are re-exported here under their old names.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Any

import ipywidgets as W
import numpy as np

from .. import _checks as check
from .. import curvature
from ..curvature import Tuning
from ..experiments_momentum import (  # noqa: F401 - the pure part, re-exported
    DIVERGED_COLOR, METHODS, START, MomentumSettings, Quadratic, RateGrid, RateMapArtists,
    best_on_grid, distances, draw_rate_map, level_set, measured_rate, momentum_describe,
    momentum_frame, momentum_scene, momentum_static_info, optimal_nesterov, optimum,
    quadratic_hessian, rate_grid, rate_map, run_momentum, set_rate_map, stability_limit,
    steps_per_decade,
)
from ..optim import Path
from ._base import wrap_layout
from .canvas import CanvasDashboard, status_html as _status_html

__all__ = ["METHODS", "START", "RateGrid", "Quadratic", "quadratic_hessian", "level_set",
           "rate_map", "rate_grid", "best_on_grid", "optimal_nesterov", "optimum",
           "stability_limit", "measured_rate", "distances", "steps_per_decade",
           "RateMapArtists", "draw_rate_map", "set_rate_map", "MomentumSettings",
           "momentum_frame", "momentum_scene", "MomentumExplorer", "momentum_explorer"]

#: Condition numbers the kernel-free copy offers (each one a rendered rate map), besides the
#: explorer's own.
STATIC_KAPPAS = (10.0, 100.0, 1000.0)


class MomentumExplorer(CanvasDashboard):
    """Momentum on f = 1/2 x^T H x: the path, where (lr, beta) sits on the rate map, the loss.

    Controls: ``method`` (momentum / nesterov), ``kappa`` (condition number), ``lr``, ``beta``,
    ``steps``; the button ``optimum_button`` sets lr and beta to the best values. State after
    each update: ``path`` (the run), ``rate`` (from the iteration matrix), ``measured`` (from the
    run, ``measured_rate``), ``best`` (``optimum``), ``grid`` (the map, ``rate_grid``),
    ``problem`` (the ``Quadratic``), ``settings``, ``scene`` / ``frame`` (what was sent).
    ``figure`` draws the current frame with matplotlib (a snapshot).
    """

    static_title = "momentum on a quadratic and its rate map"

    def __init__(self, kappa: float = 100.0, angle: float = 30.0, *, lr: float | None = None,
                 beta: float = 0.5, steps: int = 150, method: str = "momentum",
                 figsize: tuple[float, float] = (11.0, 3.8)) -> None:
        from .canvas import Canvas

        super().__init__()
        method = check.one_of("method", method, METHODS)
        H = quadratic_hessian(kappa, angle)
        self.angle = float(angle)
        beta = check.real("beta", beta, "a finite number in [0, 0.99]", lambda v: 0 <= v <= 0.99)
        check.integer("steps", steps, 20, 500)
        if lr is None:
            lr = curvature.optimal_gd(H).lr
        lr = check.real("lr", lr, "a finite number in [1e-4, 1]", lambda v: 1e-4 <= v <= 1.0)
        self.figsize = (float(figsize[0]), float(figsize[1]))

        c = self.controls
        c["method"] = W.Dropdown(options=[(v, k) for k, v in METHODS.items()], value=method,
                                 description="method", layout=W.Layout(width="300px"))
        c["kappa"] = W.FloatLogSlider(value=float(kappa), base=10, min=0, max=3, step=0.01,
                                      description="κ", readout_format=".3g",
                                      layout=W.Layout(width="300px"))
        c["lr"] = W.FloatLogSlider(value=lr, base=10, min=-4, max=0, step=0.01, description="lr",
                                   readout_format=".3g", layout=W.Layout(width="300px"))
        c["beta"] = W.FloatSlider(value=beta, min=0.0, max=0.99, step=0.01, description="β",
                                  readout_format=".2f", layout=W.Layout(width="300px"))
        c["steps"] = W.IntSlider(value=int(steps), min=20, max=500, step=10, description="steps",
                                 layout=W.Layout(width="300px"))
        self.optimum_button = W.Button(description="use the best (lr, β)",
                                       layout=W.Layout(width="200px"))
        self.optimum_button.on_click(self._use_optimum)

        self.canvas = Canvas()
        self._map_key: tuple | None = None
        self.path: Path | None = None
        self.rate = self.measured = math.nan
        self.best: Tuning | None = None
        self.grid: RateGrid | None = None
        self.problem: Quadratic | None = None
        self.scene: Any = None
        self.frame: Any = None
        self.settings: MomentumSettings | None = None
        self._wire(extra={"optimum": self.optimum_button})

    # -- computations ----------------------------------------------------------------------
    def current_settings(self) -> MomentumSettings:
        """The controls as a ``MomentumSettings``."""
        c = self.controls
        return MomentumSettings(c["method"].value, float(c["kappa"].value), self.angle,
                                float(c["lr"].value), float(c["beta"].value),
                                int(c["steps"].value))

    def _use_optimum(self, _button: Any = None) -> None:
        s = self.current_settings()
        best = optimum([1.0, s.kappa], s.method)
        c = self.controls
        with self.hold():
            c["lr"].value = float(np.clip(best.lr, 1e-4, 1.0))
            c["beta"].value = float(np.clip(best.beta, 0.0, 0.99))

    def update(self) -> None:
        """Controls -> MomentumSettings -> frame -> the page (one message per change). The
        scene (level sets, rate map) is rendered only when method or kappa change (cached)."""
        s = self.current_settings()
        key = (s.method, s.kappa)
        if key != self._map_key:
            self.scene = momentum_scene(s.method, s.kappa, self.angle, self.figsize)
            self.grid = _grid(s.method, s.kappa)
            self.best = optimum([1.0, s.kappa], s.method)
            self._map_key = key
        self.problem, self.path = run = run_momentum(s)
        frame = momentum_frame(s, run)
        self.rate = float(rate_map([1.0, s.kappa], s.lr, s.beta, s.method))
        e = distances(self.path)
        self.measured = measured_rate(e) if e.size >= 8 else math.nan
        self.status.value = _status_html(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)
        self.frame, self.settings = frame, s

    def describe(self) -> str:
        """The status line: rates predicted and measured, and the best settings."""
        return self.frame.status

    def layout(self) -> W.Widget:
        if self._box is None:
            c = self.controls
            panel = W.VBox([*c.values(), self.optimum_button], layout=W.Layout(min_width="300px"))
            self._box = W.VBox([W.HBox([panel, self.canvas], layout=wrap_layout())])
        return self._box

    # -- the kernel-free copy --------------------------------------------------------------
    def static_data(self) -> dict[str, Any]:
        """What the page embeds: one scene per (method, kappa) for ``STATIC_KAPPAS`` and the
        explorer's own kappa (the page's kappa menu snaps to them), H and the start per kappa,
        and the current settings. The page computes every frame itself (``momentumFrame``)."""
        s = self.settings or self.current_settings()
        kappas = sorted({*STATIC_KAPPAS, float(s.kappa)})
        scenes = {f"{m}|{k!r}": momentum_scene(m, k, self.angle, self.figsize).to_json()
                  for m in METHODS for k in kappas}
        infos = {repr(k): momentum_static_info(k, self.angle) for k in kappas}
        return {"scenes": scenes, "infos": infos, "kappas": [repr(k) for k in kappas],
                "methods": [[k, v] for k, v in METHODS.items()],
                "settings": {"method": s.method, "kappa": repr(float(s.kappa)), "angle": s.angle,
                             "lr": s.lr, "beta": s.beta, "steps": s.steps}}

    def static_html(self) -> str:
        """The explorer for a page with no kernel (``gradlib.widgets.canvas.static_html``)."""
        return self.page_html(self.static_data(), {}, "mountStaticMomentum")

    def _own_widgets(self) -> tuple[Any, ...]:
        return (self.optimum_button,)


@lru_cache(maxsize=16)
def _grid(method: str, kappa: float) -> RateGrid:
    """The rate map the scene shows (``rate_grid`` on 140 x 90 pixel centres), cached."""
    return rate_grid([1.0, kappa], method, n_lr=140, n_beta=90)


def momentum_explorer(kappa: float = 100.0, angle: float = 30.0, **kwargs: Any) -> MomentumExplorer:
    """Momentum on an ill-conditioned quadratic beside its (lr, beta) rate map.

    Keyword arguments: ``lr`` (default: plain GD's best), ``beta``, ``steps``, ``method``
    ("momentum" or "nesterov"), ``figsize``.
    """
    return MomentumExplorer(kappa, angle, **kwargs)
