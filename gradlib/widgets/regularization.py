"""Explorers for notebooks 12 and 14: regularization, and derivatives with respect to the input.

    regularization_explorer()   L2, L1, dropout and training-set size on four sliders: the
                                decision regions, training vs validation loss, the weight
                                histogram; Play replays training (the regions and the histogram
                                at SNAPSHOTS + 1 epochs, denser early; a cursor on the loss curves)
    adversarial_explorer(model, X, y)   an eps slider and an image slider: the image, its FGSM
                                perturbation and the adversarial image with what the network says,
                                the class probabilities before and after, accuracy against eps;
                                Play sweeps eps from 0 to the chosen value

Drawn by the browser renderer (gradlib.widgets.canvas): controls -> RegSettings /
AdversarialSettings -> experiments_regularization.regularization_frame / adversarial_frame ->
Canvas. Pictures (decision regions, digits) travel as small PNGs in image layers, everything
else as numbers; the exported page shows frames precomputed over a few values of the controls.

The pure functions (data, training runs, weights, FGSM, saliency, the frames and scenes) live in
``gradlib.experiments_regularization`` and are re-exported here under their old names;
``check_l2_step`` and ``check_fgsm`` are re-exported from gradlib.exercises.regularization.
"""
from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import ipywidgets as W
import numpy as np

from .. import _checks as check
from ..exercises.regularization import check_fgsm, check_l2_step  # noqa: F401 (old import path)
from ..experiments_regularization import (  # noqa: F401 - the pure part, re-exported
    _POOL, DROPOUT_OPTIONS, HIST_EDGES, L1_OPTIONS, L2_OPTIONS, N_TRAIN_OPTIONS, SNAPSHOTS,
    TEST_SEED_OFFSET, AdversarialProblem, AdversarialSettings, DecayPaths, DigitsModel, RegData,
    RegRun, RegSettings, accuracy_vs_eps, adversarial_frame, adversarial_problem,
    adversarial_scene, adversarial_sweep, digits_classifier, fgsm, l2_step, near_zero_fraction,
    regularization_data, regularization_frame, regularization_scene, regularization_window,
    saliency, snapshot_epochs, train_regularized, weight_decay_paths, weight_histogram,
    weight_vector,
)
from ..experiments_training import BoundaryGrid, decision_boundary_grid
from ..mlp import MLP
from ..scene import Frame, Scene
from .canvas import CanvasDashboard, GridControl, snapshot_fallback, status_html
from .training import _Cache

__all__ = [
    "L2_OPTIONS", "L1_OPTIONS", "DROPOUT_OPTIONS", "N_TRAIN_OPTIONS", "HIST_EDGES",
    "RegData", "regularization_data", "TEST_SEED_OFFSET", "RegSettings", "RegRun", "train_regularized",
    "weight_vector", "weight_histogram", "near_zero_fraction",
    "l2_step", "DecayPaths", "weight_decay_paths",
    "DigitsModel", "digits_classifier", "fgsm", "accuracy_vs_eps", "saliency",
    "check_l2_step", "check_fgsm",
    "regularization_frame", "regularization_scene", "adversarial_frame", "adversarial_scene",
    "RegularizationExplorer", "AdversarialExplorer",
    "regularization_explorer", "adversarial_explorer",
]

#: Values the kernel-free copy of the regularization explorer precomputes, most wanted first
#: (the explorer's own value replaces the last when it is not among them; dropout stays at the
#: explorer's value): 2 x 2 x 3 = 12 runs, about 0.9 MB with the module and the snapshot.
STATIC_REG_VALUES: dict[str, tuple[float, ...]] = {
    "l2": (0.0, 1e-2), "l1": (0.0, 3e-3), "n_train": (240, 15, 30)}


def _static_values(wanted: Sequence[Any], own: Any, level: int) -> tuple[Any, ...]:
    """The explorer's own value and the first of the other ``wanted`` values, as many as make
    len(wanted) - level values in all (at least the own one), in increasing order."""
    keep = max(1, len(wanted) - level)
    others = [v for v in wanted if v != own][: keep - 1]
    return tuple(sorted({own, *others}))


def _strength(v: float) -> str:
    return "off" if v == 0 else f"{v:.0e}".replace("e-0", "e-")


def _selection(options: Sequence[float], value: float, description: str,
               fmt: Callable[[float], str]) -> W.SelectionSlider:
    if value not in options:
        raise ValueError(f"{description} must be one of {list(options)}, got {value!r}")
    return W.SelectionSlider(options=[(fmt(v), v) for v in options], value=value,
                             description=description, continuous_update=False)


class _CanvasExplorer(CanvasDashboard):
    """What the two explorers of this module share: the canvas beside the controls, the static
    copy (frames precomputed over ``static_controls()``), closing."""

    static_note = ""
    #: Most precomputed frames a static copy holds (fewer values per control beyond it).
    _max_static_frames = 12

    def static_controls(self, level: int = 0) -> list[GridControl]:  # pragma: no cover
        """The grid of the static copy; each ``level`` drops one value per control."""
        raise NotImplementedError

    def static_html(self) -> str:
        """The explorer for a page with no kernel (``canvas.grid_static_html``): the frame of
        every combination of ``static_controls(level)``, embedded (< 1 MB). The level starts at
        0 and goes up while the grid holds more than ``_max_static_frames`` frames or its data
        exceed the budget (a larger ``resolution``, say)."""
        fallback = snapshot_fallback(self.scene, self.frame)
        level = 0
        while True:
            controls = self.static_controls(level)
            last = all(len(c.values) == 1 for c in controls)
            if not last and math.prod(len(c.values) for c in controls) > self._max_static_frames:
                level += 1
                continue
            try:
                return self.grid_page(controls, self.static_frame, fallback=fallback)
            except ValueError as e:
                if last or "over the budget" not in str(e):
                    raise
                level += 1



# ---------------------------------------------------------------------------------------------
# the regularization explorer
# ---------------------------------------------------------------------------------------------
class RegularizationExplorer(_CanvasExplorer):
    """L2, L1, dropout and training-set size against overfitting, on a small noisy moons set.

    Left: the decision regions, training points (large, white edges) and validation points
    (small). Middle: training and validation loss per epoch (log scale) with the best
    validation epoch marked (where early stopping would stop). Right: the histogram of all
    weights (clipped to [-1, 1]) and the share |w| < 0.01. Play replays training: the regions,
    the histogram and a cursor on the loss curves at ``snapshot_epochs(epochs)``.

    Controls: ``l2``, ``l1``, ``dropout``, ``n_train`` (slider stops: L2_OPTIONS, L1_OPTIONS,
    DROPOUT_OPTIONS, N_TRAIN_OPTIONS). Each setting is trained once (tens of milliseconds) and
    its frame cached, so moving back to a setting is instant.
    State: ``settings``, ``run`` (RegRun with snapshots), ``grid`` (the final network's
    BoundaryGrid), ``counts`` (its weight histogram), ``scene`` / ``frame`` (what was sent).
    ``figure`` draws the current frame with matplotlib (a snapshot).
    """

    static_title = "regularization against overfitting"
    static_note = ("This page holds the runs for a few values of L2, L1 and the training-set size "
             "(the sliders snap to them; dropout stays as it was); ▶ Play replays training.")

    def __init__(self, n_train: int = 30, l2: float = 0.0, l1: float = 0.0, dropout: float = 0.0,
                 *, hidden: int = 32, layers: int = 2, epochs: int = 300, lr: float = 0.05,
                 noise: float = 0.3, seed: int = 0, resolution: int = 60,
                 figsize: tuple[float, float] = (11.0, 3.8)) -> None:
        from .canvas import Canvas

        super().__init__()
        self.base = RegSettings(n_train=n_train, l2=l2, l1=l1, dropout=dropout, hidden=hidden,
                                layers=layers, epochs=epochs, lr=lr, noise=noise, seed=seed)
        self.resolution = check.integer("resolution", resolution, 10, 300)
        self.figsize = (float(figsize[0]), float(figsize[1]))
        c = self.controls
        c["l2"] = _selection(L2_OPTIONS, l2, "L2 λ", _strength)
        c["l1"] = _selection(L1_OPTIONS, l1, "L1 λ", _strength)
        c["dropout"] = _selection(DROPOUT_OPTIONS, dropout, "dropout", lambda v: f"{v:.1f}")
        c["n_train"] = _selection(N_TRAIN_OPTIONS, n_train, "train size", lambda v: str(v))
        self._runs = _Cache(64)
        self.xlim, self.ylim = regularization_window(self.base)
        self.canvas = Canvas()
        self.settings: RegSettings | None = None
        self.run: RegRun | None = None
        self.grid: BoundaryGrid | None = None
        self.counts = np.zeros(HIST_EDGES.size - 1, dtype=np.int64)
        self._wire()

    def current_settings(self) -> RegSettings:
        """The RegSettings the controls describe now."""
        c = self.controls
        b = self.base
        return RegSettings(n_train=int(c["n_train"].value), l2=float(c["l2"].value),
                           l1=float(c["l1"].value), dropout=float(c["dropout"].value),
                           hidden=b.hidden, layers=b.layers, epochs=b.epochs, lr=b.lr,
                           noise=b.noise, n_val=b.n_val, seed=b.seed, data_seed=b.data_seed,
                           n_test=b.n_test)

    def _scene(self) -> Scene:
        return regularization_scene(self.xlim, self.ylim, self.figsize)

    _error_scene = _scene

    def shown(self, s: RegSettings) -> tuple[RegRun, Frame]:
        """(run, frame) of settings ``s``: trained and drawn once, then cached."""
        def make() -> tuple[RegRun, Frame]:
            run = train_regularized(s, snapshot_epochs(s.epochs))
            return run, regularization_frame(s, self.resolution, run)
        return self._runs.get(s, make)

    def update(self) -> None:
        """Controls -> RegSettings -> (cached) run and frame -> the page."""
        try:
            s = self.current_settings()
            run, frame = self.shown(s)
        except ValueError as e:
            self._show_error(f"cannot train: {e}")
            return
        self.scene = self._scene()
        self.run, self.settings, self.frame = run, s, frame
        self.grid = decision_boundary_grid(run.model, self.xlim, self.ylim, self.resolution)
        self.counts = weight_histogram(run.model)
        self.status.value = status_html(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)

    def describe(self) -> str:
        """The status line."""
        return self.frame.status if self.frame is not None else ""

    # -- the kernel-free copy --------------------------------------------------------------
    def static_controls(self, level: int = 0) -> list[GridControl]:
        """The grid the exported page precomputes: L2, L1 and the training-set size, each on
        the explorer's own value and the first others of ``STATIC_REG_VALUES`` (2, 2 and 3
        values at level 0; dropout stays at the explorer's value)."""
        s = self.settings or self.current_settings()
        out = []
        for name, label, fmt in (("l2", "L2 λ", _strength), ("l1", "L1 λ", _strength),
                                 ("n_train", "train size", str)):
            own = getattr(s, name)
            values = _static_values(STATIC_REG_VALUES[name], own, level)
            out.append(GridControl(name, label, values, initial=own,
                                   labels=tuple(fmt(v) for v in values)))
        return out

    def static_frame(self, values: dict[str, Any]) -> tuple[Scene, Frame]:
        s = self.settings or self.current_settings()
        other = replace(s, l2=float(values["l2"]), l1=float(values["l1"]),
                        n_train=int(values["n_train"]))
        return self._scene(), self.shown(other)[1]


def regularization_explorer(n_train: int = 30, **kwargs: Any) -> RegularizationExplorer:
    """Overfitting and its remedies: sliders for L2, L1, dropout and the training-set size;
    Play replays training. Keyword arguments: l2, l1, dropout, hidden, layers, epochs, lr,
    noise, seed, resolution, figsize."""
    return RegularizationExplorer(n_train, **kwargs)


# ---------------------------------------------------------------------------------------------
# the adversarial explorer
# ---------------------------------------------------------------------------------------------
class AdversarialExplorer(_CanvasExplorer):
    """The fast gradient sign method on one slider.

    Panels: the clean image with its label and what the network says, the perturbation
    X_adv - X (red: more ink, blue: less), the adversarial image with what the network says (red
    when wrong), the class probabilities of both as bars, and the accuracy on all of X against
    eps (computed once on ``eps_values``) with a cursor at the shown eps. Play sweeps eps over
    the grid from 0 up to the slider's value.

    Controls: ``eps`` (0 ... max(eps_values)) and ``index`` (which row of X).
    State: ``problem`` (AdversarialProblem), ``x``, ``x_adv``, ``accuracy`` (on all of X at the
    current eps), ``curve``, ``settings``, ``scene`` / ``frame`` (what was sent).
    ``figure`` draws the current frame with matplotlib (a snapshot).
    """

    static_title = "the fast gradient sign method"
    _max_static_frames = 20
    static_note = ("This page holds the frames for a few values of ε and a few images (the controls "
             "snap to them); ▶ Play sweeps ε from 0.")

    def __init__(self, model: MLP, X: Any, y: Any, *, eps_values: Any = None, eps: float = 0.05,
                 index: int = 0, image_shape: tuple[int, int] = (8, 8),
                 clip: tuple[float, float] | None = (0.0, 1.0),
                 figsize: tuple[float, float] = (11.0, 3.4)) -> None:
        from .canvas import Canvas

        super().__init__()
        p = self.problem = adversarial_problem(model, X, y, eps_values=eps_values,
                                               image_shape=image_shape, clip=clip)
        AdversarialSettings(eps, index).validated(p)            # clear errors, before widgets
        self.model, self.X, self.y, self.clip = p.model, p.X, p.y, p.clip
        self.eps_values, self.image_shape, self.curve = p.eps_values, p.image_shape, p.curve
        self.figsize = (float(figsize[0]), float(figsize[1]))
        e = p.eps_values
        self.controls["eps"] = W.FloatSlider(value=float(eps), min=0.0, max=float(e[-1]),
                                             step=float(np.min(np.diff(e))), description="ε",
                                             readout_format=".3f", continuous_update=True)
        self.controls["index"] = W.IntSlider(value=int(index), min=0, max=p.X.shape[0] - 1,
                                             description="image", continuous_update=True)
        self.canvas = Canvas()
        self.settings: AdversarialSettings | None = None
        self._wire()

    def current_settings(self) -> AdversarialSettings:
        """The controls as ``AdversarialSettings``."""
        return AdversarialSettings(float(self.controls["eps"].value),
                                   int(self.controls["index"].value))

    def _scene(self) -> Scene:
        return adversarial_scene(self.image_shape, float(self.eps_values[-1]), self.figsize)

    _error_scene = _scene

    def update(self) -> None:
        """Controls -> AdversarialSettings -> frame -> the page."""
        try:
            s = self.current_settings().validated(self.problem)
            frame = adversarial_frame(self.problem, s)
        except ValueError as e:
            self._show_error(f"cannot attack: {e}")
            return
        self.scene = self._scene()
        self.x = self.X[s.index]
        self.x_adv = self.problem.perturbed(s.index, s.eps)[0]
        self.accuracy = self.problem.accuracy_at(s.eps)
        self.settings, self.frame = s, frame
        self.status.value = status_html(frame.status, frame.kind)
        self.canvas.show(self.scene, frame)

    def describe(self) -> str:
        """The status line."""
        return self.frame.status if self.frame is not None else ""

    # -- the kernel-free copy --------------------------------------------------------------
    def static_controls(self, level: int = 0) -> list[GridControl]:
        """The grid the exported page precomputes: eps at the explorer's value and at about
        1/3, 2/3, 1/6 and 0 of the grid (5 values at level 0), and the shown image with the
        next three rows of X (a menu of 4)."""
        s = self.settings or self.current_settings()
        e = self.eps_values
        wanted = list(dict.fromkeys(float(e[int(round(f * (len(e) - 1)))])
                                    for f in (1 / 3, 2 / 3, 1 / 6, 0.0)))
        eps = _static_values([float(s.eps), *wanted], float(s.eps), level)
        m = self.X.shape[0]
        rows = _static_values(list(dict.fromkeys((s.index + k) % m for k in range(4))),
                              s.index, level)
        return [GridControl("eps", "ε", eps, initial=float(s.eps),
                            labels=tuple(f"{v:.3f}" for v in eps)),
                GridControl("index", "image", rows, initial=s.index, kind="select",
                            labels=tuple(f"image {i} (a {int(self.y[i])})" for i in rows))]

    def static_frame(self, values: dict[str, Any]) -> tuple[Scene, Frame]:
        s = AdversarialSettings(float(values["eps"]), int(values["index"]))
        return self._scene(), adversarial_frame(self.problem, s)


def adversarial_explorer(model: MLP, X: Any, y: Any, **kwargs: Any) -> AdversarialExplorer:
    """FGSM with an eps slider: an image, its perturbation, the adversarial image, the class
    probabilities and the accuracy-vs-eps curve with a cursor; Play sweeps eps. Keyword
    arguments: eps_values, eps, index, image_shape, clip, figsize."""
    return AdversarialExplorer(model, X, y, **kwargs)
