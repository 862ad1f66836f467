"""Explorers for notebooks 07 and 09: training an MLP, batch size and gradient noise, schedules.

    training_explorer()       moons/spirals/blobs: width, depth, activation, optimizer, lr (log),
                              epochs, batch size, seed -> the decision regions as training goes
                              (Play runs over snapshots of them), the loss and accuracy curves
    batch_size_explorer()     full batch ... minibatch ... SGD on one slider: the noisy loss
                              curve, the cloud of minibatch gradients around the full gradient
                              (Play adds the draws one by one) and E||g_B - g||^2 against B with
                              the exact (1 - B/N)/B S^2 curve
    schedule_explorer()       constant, inverse time, step, exponential, cosine and warm-up
                              schedules side by side: lr(t) and the training loss each gives
                              (Play runs over the epochs)

Drawn by the browser renderer (gradlib.widgets.canvas): controls -> settings -> the pure frame
functions of ``gradlib.experiments_training`` (``training_frame``, ``batch_frame``,
``schedule_frame``) -> Canvas. Training runs are cached by their settings there. The exported
page shows frames precomputed over a few values of two controls (``canvas.grid_static_html``).

The pure functions (data sets, boundaries, training runs, gradient noise, schedules) live in
``gradlib.experiments_training`` and are re-exported here under their old names. Also here:

    boundary_animation(snapshots, X, y)         training snapshots as a kernel-free HTML5 video
    check_dense_backward(backward)              re-exported from gradlib.exercises.backprop
    draw_graph(nodes, edges, labels)            a computational graph as a picture (notebook 07)
"""
from __future__ import annotations

import html
from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, NamedTuple

import ipywidgets as W
import numpy as np
from matplotlib.axes import Axes

from .. import _checks as check
from ..experiments_training import (  # noqa: F401 - the pure part, re-exported
    CLASS_COLORS, DATASETS, FRAMES, RESOLUTION, SCHEDULE_COLORS, SCHEDULE_NAMES,
    TRAIN_OPTIMIZERS, BatchProbe, BatchSettings, BoundaryGrid, ScheduleRun, ScheduleSettings,
    Snapshots, Trained, TrainingRun, TrainSettings, batch_cloud, batch_frame, batch_probe,
    batch_scene, batch_size_options, boundary_image, class_colors_image, data_window,
    decision_boundary_grid, gradient_cloud, gradient_noise, gradient_noise_exact, make_dataset,
    make_schedules, minibatch_run, noise_basis, per_example_gradients, run_schedules,
    schedule_frame, schedule_run, schedule_scene, train, training_frame, training_run,
    training_scene, training_snapshots,
)
from ..experiments_training import decades as _decades  # noqa: F401 - used by regularization.py
from ..mlp import ACTIVATIONS, History
from ._base import new_figure
from .canvas import CanvasDashboard, GridControl, status_html

if TYPE_CHECKING:
    from ..animate import HTMLAnimation
    from ..scene import Frame, Scene

__all__ = [
    "DATASETS", "CLASS_COLORS", "TRAIN_OPTIMIZERS", "SCHEDULE_NAMES", "SCHEDULE_COLORS",
    "make_dataset", "data_window", "BoundaryGrid", "decision_boundary_grid", "class_colors_image",
    "TrainSettings", "Trained", "train", "Snapshots", "training_snapshots", "boundary_animation",
    "per_example_gradients", "gradient_noise", "gradient_noise_exact", "noise_basis",
    "gradient_cloud", "batch_size_options", "make_schedules", "ScheduleRun", "run_schedules",
    "check_dense_backward", "GraphArtists", "draw_graph",
    "TrainingExplorer", "BatchSizeExplorer", "ScheduleExplorer",
    "training_explorer", "batch_size_explorer", "schedule_explorer",
]


# ---------------------------------------------------------------------------------------------
# the decision boundary during training, as a kernel-free video (a static figure of notebook 09)
# ---------------------------------------------------------------------------------------------
def boundary_animation(snapshots: Snapshots, X: Any, y: Any, *, figsize: tuple[float, float] = (8.0, 3.6),
                       dpi: int = 72, interval: float = 150.0, title: str = "") -> HTMLAnimation:
    """The snapshots as a kernel-free animation (gradlib.animate: an HTML5 video): the decision
    regions on the left, the training loss on the right with a dot at the current epoch."""
    from .. import animate

    if not isinstance(snapshots, Snapshots):
        raise ValueError(f"snapshots must be the result of training_snapshots, got "
                         f"{type(snapshots).__name__}")
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim != 2 or X.shape[1] != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must have shape (m, 2) and y shape (m,), got {X.shape} and {y.shape}")
    dpi = check.integer("dpi", dpi, 20, 300)
    fig = new_figure(figsize, dpi=dpi)
    ax = fig.add_axes((0.06, 0.12, 0.40, 0.76))
    ax_loss = fig.add_axes((0.58, 0.15, 0.39, 0.73))
    xs, ys = snapshots.xs, snapshots.ys
    image = ax.imshow(class_colors_image(snapshots.proba[0]), origin="lower", aspect="auto",
                      extent=(xs[0], xs[-1], ys[0], ys[-1]), interpolation="bilinear")
    points = ax.scatter(X[:, 0], X[:, 1], c=[CLASS_COLORS[int(c) % len(CLASS_COLORS)] for c in y],
                        s=10, edgecolors="white", linewidths=0.4)
    ax.set_xlim(xs[0], xs[-1])
    ax.set_ylim(ys[0], ys[-1])
    ax.tick_params(labelsize=8)
    head = ax.set_title("", fontsize=10)
    e = np.maximum(snapshots.epochs, 0)
    loss = np.maximum(snapshots.loss, 1e-12)
    ax_loss.plot(e, loss, color="0.6", linewidth=1.0)
    (dot,) = ax_loss.plot([e[0]], [loss[0]], "o", color="#d62728", markersize=6)
    ax_loss.set_yscale("log")
    ax_loss.set_xlabel("epoch", fontsize=9)
    ax_loss.set_ylabel("training loss", fontsize=9)
    ax_loss.tick_params(labelsize=8)
    ax_loss.grid(alpha=0.25)
    if title:
        fig.suptitle(title, fontsize=10)

    def update(i: int) -> list[Any]:
        image.set_data(class_colors_image(snapshots.proba[i]))
        dot.set_data([e[i]], [loss[i]])
        head.set_text(f"epoch {int(e[i])}: loss {snapshots.loss[i]:.3f}, "
                      f"accuracy {100 * snapshots.accuracy[i]:.0f}%")
        return [image, points, dot, head]      # the points are redrawn over the new image

    return animate.animate_frames(fig, update, len(e), interval=interval, blit=True)



# ---------------------------------------------------------------------------------------------
# exercise: the backward pass of one dense ReLU layer -- its checker now lives with the other
# notebook checkers (issue 12); re-exported here so the old name keeps working
# ---------------------------------------------------------------------------------------------
from ..exercises.backprop import check_dense_backward  # noqa: E402


# ---------------------------------------------------------------------------------------------
# a computational graph as a picture
# ---------------------------------------------------------------------------------------------
class GraphArtists(NamedTuple):
    """What draw_graph drew: the axes, one text box per node and one per node's note
    (name -> Text), and the arrows."""
    ax: Axes
    nodes: dict[str, Any]
    notes: dict[str, Any]
    arrows: list[Any]


def draw_graph(nodes: Mapping[str, Sequence[float]], edges: Sequence[tuple[str, str]],
               labels: Mapping[str, str] | None = None, notes: Mapping[str, str] | None = None,
               ax: Axes | None = None, *, node_color: str = "#e8eef7",
               note_color: str = "#c0392b") -> GraphArtists:
    """A computational graph: a rounded box per node at its (x, y), an arrow per edge (from,
    to), the node's label inside its box and an optional note (e.g. its gradient) under it.
    Returns the artists, so notes can be changed later (``set_text``) for an animation."""
    import matplotlib.pyplot as plt

    if not isinstance(nodes, Mapping) or not nodes:
        raise ValueError("nodes must be a non-empty mapping name -> (x, y)")
    pos = {}
    for name, xy in nodes.items():
        p = np.asarray(xy, dtype=np.float64)
        if p.shape != (2,) or not np.isfinite(p).all():
            raise ValueError(f"nodes[{name!r}] must be a finite (x, y) pair, got {xy!r}")
        pos[name] = p
    for edge in edges:
        if len(edge) != 2 or edge[0] not in pos or edge[1] not in pos:
            raise ValueError(f"edges must be pairs of node names, got {edge!r}")
    if ax is None:
        _, ax = plt.subplots(figsize=(8.0, 3.5))
    labels = dict(labels or {})
    notes = dict(notes or {})
    texts, note_texts = {}, {}
    for name, p in pos.items():
        texts[name] = ax.text(p[0], p[1], labels.get(name, name), ha="center", va="center",
                              fontsize=9, zorder=2,
                              bbox=dict(boxstyle="round,pad=0.35", fc=node_color, ec="0.5", lw=0.8))
        # the note hangs just under the box, however many lines the label has
        note_texts[name] = ax.annotate(notes.get(name, ""), xy=(0.5, 0.0), xycoords=texts[name],
                                       xytext=(0, -6), textcoords="offset points", ha="center",
                                       va="top", fontsize=8, color=note_color, zorder=3)
    # arrows run from box edge to box edge: each end is clipped by its node's box (the boxes
    # are drawn first, zorder 2 < 3, so their positions are current when the arrows are drawn)
    arrows = [ax.annotate("", xy=pos[v], xytext=pos[u], zorder=3,
                          arrowprops=dict(arrowstyle="-|>", color="0.45", linewidth=1.0,
                                          shrinkA=2, shrinkB=2,
                                          patchA=texts[u].get_bbox_patch(),
                                          patchB=texts[v].get_bbox_patch()))
              for u, v in edges]
    xy = np.array(list(pos.values()))
    ax.set_xlim(xy[:, 0].min() - 0.6, xy[:, 0].max() + 0.6)
    ax.set_ylim(xy[:, 1].min() - 0.7, xy[:, 1].max() + 0.5)
    ax.set_axis_off()
    return GraphArtists(ax, texts, note_texts, arrows)



# ---------------------------------------------------------------------------------------------
# shared helpers (``_Cache``, ``_decades`` and ``_status`` are also used by regularization.py)
# ---------------------------------------------------------------------------------------------
def _status(text: str, kind: str = "ok") -> str:
    """``text`` as HTML in the colour of its ``kind``: ok, warn, diverged or info."""
    colors = {"ok": "#1a7f37", "warn": "#b35900", "diverged": "#c00", "info": "#333"}
    color = colors.get(kind, "#333")
    return f'<span style="color:{color}">{html.escape(text)}</span>'


class _Cache:
    """A small least-recently-used cache: key -> value, at most ``size`` entries."""

    def __init__(self, size: int = 16) -> None:
        self.size = size
        self.items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self.items:
            self.items.move_to_end(key)
            return self.items[key]
        value = self.items[key] = make()
        if len(self.items) > self.size:
            self.items.popitem(last=False)
        return value


def _log_slider(name: str, value: float, lo: int, hi: int, description: str) -> W.FloatLogSlider:
    """A log-scale slider from 10**lo to 10**hi; a start value outside that range is refused
    (a slider would silently clamp it)."""
    check.real(name, value, f"a number in [1e{lo}, 1e{hi}] (the slider's range)",
               lambda v: 10.0 ** lo <= v <= 10.0 ** hi)
    return W.FloatLogSlider(value=float(value), base=10, min=lo, max=hi, step=0.05,
                            description=description, readout_format=".1e", continuous_update=False)



# ---------------------------------------------------------------------------------------------
# what the three explorers share: controls -> settings -> (scene, frame) -> the page, and a
# kernel-free copy precomputed over a few values of two controls
# ---------------------------------------------------------------------------------------------
class _TrainingCanvas(CanvasDashboard):
    """An explorer of this module: subclasses fill ``controls`` and implement ``_compute()``
    (the controls -> (settings, scene, frame)), ``_accept(settings)`` (keep what the update
    computed as attributes) and ``static_controls()`` / ``static_frame(values)`` (the grid
    of the kernel-free copy: the controls' values -> (scene, frame))."""

    def _start(self) -> None:
        from .canvas import Canvas
        self.canvas = Canvas()
        self.scene: Scene | None = None
        self.frame: Frame | None = None
        self._wire()

    def _compute(self) -> tuple[Any, Scene, Frame]:  # pragma: no cover - every subclass has one
        raise NotImplementedError

    def _accept(self, settings: Any) -> None:
        """Keep what the update computed (subclasses add their attributes)."""

    def update(self) -> None:
        """Controls -> settings -> frame -> the page. A refused input keeps the last picture
        and the status line says why; nothing is raised out of an update."""
        try:
            settings, scene, frame = self._compute()
        except (ValueError, ArithmeticError) as e:
            self._show_error(str(e))
            return
        self.scene = scene
        self.status.value = status_html(frame.status, frame.kind)
        self.canvas.show(scene, frame)
        self.frame, self.settings = frame, settings
        self._accept(settings)



def _grid_values(defaults: Sequence[Any], current: Any, order: Sequence[Any] | None = None) -> tuple:
    """The values a static control offers: ``defaults`` plus the explorer's current value, in
    ``order`` (default: sorted)."""
    values = {*defaults, current}
    return tuple(v for v in order if v in values) if order is not None else tuple(sorted(values))


# ---------------------------------------------------------------------------------------------
# the training explorer
# ---------------------------------------------------------------------------------------------
_HIDDEN_OPTIONS = (2, 3, 4, 6, 8, 12, 16, 24, 32, 48, 64)
#: Batch-size slider stops: label -> value; 0 stands for "full batch" (the slider needs an int).
_BATCH_OPTIONS = ((" 4", 4), (" 8", 8), ("16", 16), ("32", 32), ("64", 64), ("128", 128),
                  ("full", 0))


class TrainingExplorer(_TrainingCanvas):
    """Train a small MLP on a 2-D toy set and watch its decision regions form, with its loss
    and accuracy (``experiments_training.training_frame``; Play runs over the snapshots).

    Controls: ``dataset`` (moons, spirals, blobs), ``hidden`` (units per hidden layer),
    ``layers`` (hidden layers), ``activation``, ``optimizer``, ``lr`` (log slider), ``epochs``,
    ``batch_size`` (4 ... 128 or full), ``seed`` (initial weights and shuffling).
    State after each update: ``settings``, ``run`` (TrainingRun), ``trained`` (Trained: the
    network, its History, the data, ``seconds`` of training), ``grid`` (the final
    BoundaryGrid), ``scene`` / ``frame`` (what was sent). ``figure``: a matplotlib snapshot.
    """

    static_title = "training an MLP: decision regions as training goes"

    def __init__(self, dataset: str = "moons", *, hidden: int = 16, layers: int = 1,
                 activation: str = "relu", optimizer: str = "adam", lr: float = 0.01,
                 epochs: int = 100, batch_size: int | None = 32, seed: int = 0,
                 resolution: int = RESOLUTION, frames: int = FRAMES,
                 figsize: tuple[float, float] = (10.0, 4.4)) -> None:
        super().__init__()
        first = TrainSettings(dataset=dataset, hidden=hidden, layers=layers, activation=activation,
                              optimizer=optimizer, lr=lr, epochs=epochs, batch_size=batch_size,
                              seed=seed)
        self.resolution = check.integer("resolution", resolution, 10, 400)
        self.frames = check.integer("frames", frames, 2, 200)
        self.figsize = (float(figsize[0]), float(figsize[1]))
        if hidden not in _HIDDEN_OPTIONS:
            raise ValueError(f"hidden must be one of {list(_HIDDEN_OPTIONS)}, got {hidden!r}")
        if batch_size not in (4, 8, 16, 32, 64, 128, None):
            raise ValueError(f"batch_size must be one of 4, 8, 16, 32, 64, 128 or None, "
                             f"got {batch_size!r}")
        # start values of IntSliders, which would silently clamp them
        check.integer("epochs", epochs, 10, 500)
        check.integer("layers", layers, 1, 3)
        check.integer("seed", seed, 0, 9)
        c = self.controls
        c["dataset"] = W.Dropdown(options=list(DATASETS), value=first.dataset, description="data")
        c["hidden"] = W.SelectionSlider(options=list(_HIDDEN_OPTIONS), value=first.hidden,
                                        description="width", continuous_update=False)
        c["layers"] = W.IntSlider(value=first.layers, min=1, max=3, description="layers",
                                  continuous_update=False)
        c["activation"] = W.Dropdown(options=list(ACTIVATIONS), value=first.activation,
                                     description="activation")
        c["optimizer"] = W.Dropdown(options=list(TRAIN_OPTIMIZERS), value=first.optimizer,
                                    description="optimizer")
        c["lr"] = _log_slider("lr", first.lr, -4, 1, "lr")
        c["epochs"] = W.IntSlider(value=first.epochs, min=10, max=500, step=10,
                                  description="epochs", continuous_update=False)
        c["batch_size"] = W.SelectionSlider(options=list(_BATCH_OPTIONS),
                                            value=first.batch_size or 0, description="batch",
                                            continuous_update=False)
        c["seed"] = W.IntSlider(value=first.seed, min=0, max=9, description="seed",
                                continuous_update=False)
        self.settings: TrainSettings | None = first
        self.run: TrainingRun | None = None
        self.trained: Trained | None = None
        self.grid: BoundaryGrid | None = None
        self._start()

    def current_settings(self) -> TrainSettings:
        """The TrainSettings the controls describe now."""
        c = self.controls
        return TrainSettings(dataset=c["dataset"].value, hidden=int(c["hidden"].value),
                             layers=int(c["layers"].value), activation=c["activation"].value,
                             optimizer=c["optimizer"].value, lr=float(c["lr"].value),
                             epochs=int(c["epochs"].value),
                             batch_size=int(c["batch_size"].value) or None,
                             seed=int(c["seed"].value))

    def _compute(self) -> tuple[TrainSettings, Scene, Frame]:
        s = self.current_settings()
        run = training_run(s, self.frames, self.resolution)
        return s, training_scene(s, self.figsize), training_frame(s, self.frames,
                                                                  self.resolution, run=run)

    def _accept(self, settings: TrainSettings) -> None:
        self.run = training_run(settings, self.frames, self.resolution)
        self.trained, self.grid = self.run.trained, self.run.grid

    def static_controls(self) -> list[GridControl]:
        """Width (4, 16, 64 and the current one) x activation (relu, tanh, sigmoid and the
        current one): 9 runs for the default explorer."""
        s = self.settings or self.current_settings()
        return [GridControl("hidden", "width", _grid_values((4, 16, 64), s.hidden),
                            initial=s.hidden),
                GridControl("activation", "activation",
                            _grid_values(("relu", "tanh", "sigmoid"), s.activation, list(ACTIVATIONS)),
                            initial=s.activation, kind="select")]

    def static_frame(self, values: dict[str, Any]) -> tuple[Scene, Frame]:
        s = replace(self.settings or self.current_settings(), hidden=int(values["hidden"]),
                    activation=str(values["activation"]))
        return training_scene(s, self.figsize), training_frame(s, self.frames, self.resolution)


def training_explorer(dataset: str = "moons", **kwargs: Any) -> TrainingExplorer:
    """Train an MLP on moons/spirals/blobs with controls for the architecture and the optimizer.
    Keyword arguments: hidden, layers, activation, optimizer, lr, epochs, batch_size, seed,
    resolution, frames, figsize."""
    return TrainingExplorer(dataset, **kwargs)


# ---------------------------------------------------------------------------------------------
# the batch-size explorer
# ---------------------------------------------------------------------------------------------
class BatchSizeExplorer(_TrainingCanvas):
    """Full batch, minibatch and SGD on one slider (``experiments_training.batch_frame``).

    Left: the minibatch losses of every step against the epoch (the x axis counts passes over
    the data), with full-batch descent at the same lr in black. Middle: ``draws`` minibatch
    gradients of the current batch size at one fixed point of training (the probe: the network
    after ``warm_epochs`` of full-batch Adam), projected on (the full gradient's direction, the
    direction of largest spread); the star is the full gradient, and a gradient left of the
    dashed line points uphill for the full training loss. Play adds the draws one by one, with
    the mean of those drawn so far. Right: the measured E||g_B - g||^2 against B (dots), the
    exact (1 - B/N)/B S^2 (line), the current B (ring). Every mark is named in a legend.

    Controls: ``batch_size`` (1, 2, 4, ..., N), ``lr`` (log), ``epochs``, ``optimizer``.
    State: ``history`` (the run at the current B), ``cloud`` (draws, 2), ``noise`` and
    ``noise_exact`` (one entry per option of the slider), ``sizes``, ``probe`` (the network
    where gradients are measured), ``basis``, ``full_gradient``, ``settings`` (BatchSettings).
    """

    static_title = "batch size and gradient noise"

    def __init__(self, dataset: str = "moons", *, n: int = 200, hidden: int = 16,
                 optimizer: str = "gd", lr: float = 0.1, epochs: int = 20, batch_size: int = 16,
                 warm_epochs: int = 30, draws: int = 100, seed: int = 0,
                 figsize: tuple[float, float] = (11.0, 4.2)) -> None:
        super().__init__()
        check.integer("epochs", epochs, 1, 60)                 # an IntSlider would clamp it
        lr_slider = _log_slider("lr", lr, -3, 0, "lr")            # checked before the slow part
        first = BatchSettings(dataset=dataset, n=n, hidden=hidden, optimizer=optimizer, lr=lr,
                              epochs=epochs, batch_size=batch_size, warm_epochs=warm_epochs,
                              draws=draws, seed=seed)
        self.base = first.train_settings()
        self.draws, self.warm_epochs = first.draws, first.warm_epochs
        self.figsize = (float(figsize[0]), float(figsize[1]))
        p = batch_probe(first)                                  # the slow part (cached)
        self.X, self.y, self.sizes = p.X, p.y, list(p.sizes)
        if batch_size not in self.sizes:
            raise ValueError(f"batch_size must be one of {self.sizes}, got {batch_size!r}")
        self.probe, self.basis, self.full_gradient = p.model, p.basis, p.full_gradient
        self.noise, self.noise_exact = p.noise, p.noise_exact
        N = len(self.y)
        labels = [(f"{b} (SGD)" if b == 1 else f"{b} (full)" if b == N else str(b), b)
                  for b in self.sizes]
        c = self.controls
        c["batch_size"] = W.SelectionSlider(options=labels, value=batch_size, description="batch",
                                            continuous_update=False)
        c["lr"] = lr_slider
        c["epochs"] = W.IntSlider(value=epochs, min=1, max=60, description="epochs",
                                  continuous_update=False)
        c["optimizer"] = W.Dropdown(options=list(TRAIN_OPTIMIZERS), value=first.optimizer,
                                    description="optimizer")
        self._first = first
        self.settings: BatchSettings | None = first
        self.history: History | None = None
        self.cloud: np.ndarray | None = None
        self._start()

    def current_settings(self) -> BatchSettings:
        """The BatchSettings the controls describe now."""
        c = self.controls
        return replace(self._first, batch_size=int(c["batch_size"].value),
                       lr=float(c["lr"].value), epochs=int(c["epochs"].value),
                       optimizer=c["optimizer"].value)

    def _compute(self) -> tuple[BatchSettings, Scene, Frame]:
        s = self.current_settings()
        return s, batch_scene(s, self.figsize), batch_frame(s)

    def _accept(self, settings: BatchSettings) -> None:
        self.history = minibatch_run(settings.train_settings(settings.batch_size))
        self.cloud = batch_cloud(settings)

    def static_controls(self) -> list[GridControl]:
        """Every batch size of the slider x optimizer (gd, adam and the current one)."""
        s = self.settings or self.current_settings()
        N = len(self.y)
        labels = tuple(f"{b} (SGD)" if b == 1 else f"{b} (full)" if b == N else str(b)
                       for b in self.sizes)
        return [GridControl("batch_size", "batch", tuple(self.sizes), initial=s.batch_size,
                            labels=labels),
                GridControl("optimizer", "optimizer",
                            _grid_values(("gd", "adam"), s.optimizer, TRAIN_OPTIMIZERS),
                            initial=s.optimizer, kind="select")]

    def static_frame(self, values: dict[str, Any]) -> tuple[Scene, Frame]:
        s = replace(self.settings or self.current_settings(),
                    batch_size=int(values["batch_size"]), optimizer=str(values["optimizer"]))
        return batch_scene(s, self.figsize), batch_frame(s)


def batch_size_explorer(dataset: str = "moons", **kwargs: Any) -> BatchSizeExplorer:
    """Full batch vs minibatch vs SGD on one slider: the noisy loss curve, the cloud of minibatch
    gradients, and the 1/B law of their spread. Keyword arguments: n, hidden, optimizer, lr,
    epochs, batch_size, warm_epochs, draws, seed, figsize."""
    return BatchSizeExplorer(dataset, **kwargs)


# ---------------------------------------------------------------------------------------------
# the schedule explorer
# ---------------------------------------------------------------------------------------------
class ScheduleExplorer(_TrainingCanvas):
    """Six learning-rate schedules (make_schedules) train the same network from the same start
    (``experiments_training.schedule_frame``; Play runs over the epochs).

    Left: lr(t) of each schedule over the run's steps, with a marker at the shown epoch. Right:
    the training-set loss at the start and at the end of every epoch. Controls: ``lr0`` (log),
    ``final`` (every decaying schedule ends at final·lr0; log), ``warmup`` (fraction of the
    steps spent warming up), ``epochs``, ``optimizer``, ``show`` (which schedules to draw and
    train). State: ``schedules`` (name -> Schedule), ``run`` (ScheduleRun of the shown ones),
    ``settings`` (ScheduleSettings), ``steps_per_epoch``.
    """

    static_title = "learning-rate schedules"

    def __init__(self, dataset: str = "moons", *, n: int = 200, hidden: int = 16,
                 optimizer: str = "gd", lr0: float = 2.0, final: float = 0.05,
                 warmup: float = 0.1, epochs: int = 40, batch_size: int = 16, seed: int = 0,
                 figsize: tuple[float, float] = (10.0, 4.0)) -> None:
        super().__init__()
        check.integer("epochs", epochs, 5, 200)                # an IntSlider would clamp it
        check.real("warmup", warmup, "in [0, 0.5] (the slider's range)", lambda v: 0 <= v <= 0.5)
        c = self.controls
        c["lr0"] = _log_slider("lr0", lr0, -3, 1, "lr₀")
        c["final"] = _log_slider("final", final, -3, 0, "final/lr₀")
        first = ScheduleSettings(dataset=dataset, n=n, hidden=hidden, optimizer=optimizer,
                                 lr0=lr0, final=final, warmup=warmup, epochs=epochs,
                                 batch_size=batch_size, seed=seed)
        self.base = first.train_settings()
        self.steps_per_epoch = first.steps_per_epoch
        self.figsize = (float(figsize[0]), float(figsize[1]))
        c["warmup"] = W.FloatSlider(value=warmup, min=0.0, max=0.5, step=0.05,
                                    description="warm-up", continuous_update=False)
        c["epochs"] = W.IntSlider(value=epochs, min=5, max=200, step=5, description="epochs",
                                  continuous_update=False)
        c["optimizer"] = W.Dropdown(options=list(TRAIN_OPTIMIZERS), value=optimizer,
                                    description="optimizer")
        c["show"] = W.SelectMultiple(options=list(SCHEDULE_NAMES), value=list(SCHEDULE_NAMES),
                                     description="show", rows=len(SCHEDULE_NAMES))
        self._first = first
        self.settings: ScheduleSettings | None = first
        self.schedules: dict[str, Any] = {}
        self.run: ScheduleRun | None = None
        self._start()

    def current_settings(self) -> ScheduleSettings:
        """The ScheduleSettings the controls describe now."""
        c = self.controls
        return replace(self._first, lr0=float(c["lr0"].value), final=float(c["final"].value),
                       warmup=float(c["warmup"].value), epochs=int(c["epochs"].value),
                       optimizer=c["optimizer"].value, show=tuple(c["show"].value))

    def _compute(self) -> tuple[ScheduleSettings, Scene, Frame]:
        s = self.current_settings()
        if not s.show:
            raise ValueError("choose at least one schedule under 'show'")
        return s, schedule_scene(self.figsize), schedule_frame(s)

    def _accept(self, settings: ScheduleSettings) -> None:
        self.schedules = settings.schedules()
        runs = {name: schedule_run(settings, name) for name in settings.show}
        self.run = ScheduleRun({k: h for k, (h, _) in runs.items()},
                               {k: e for k, (_, e) in runs.items()})

    def static_controls(self) -> list[GridControl]:
        """lr0 (0.5 and 4, the two rates notebook 09 compares, and the current one) x optimizer
        (gd, momentum and the current one)."""
        s = self.settings or self.current_settings()
        lrs = _grid_values((0.5, 4.0), float(s.lr0))
        return [GridControl("lr0", "lr₀", lrs, initial=float(s.lr0),
                            labels=tuple(f"{v:.3g}" for v in lrs)),
                GridControl("optimizer", "optimizer",
                            _grid_values(("gd", "momentum"), s.optimizer, TRAIN_OPTIMIZERS),
                            initial=s.optimizer, kind="select")]

    def static_frame(self, values: dict[str, Any]) -> tuple[Scene, Frame]:
        s = replace(self.settings or self.current_settings(), lr0=float(values["lr0"]),
                    optimizer=str(values["optimizer"]))
        if not s.show:
            s = replace(s, show=SCHEDULE_NAMES)
        return schedule_scene(self.figsize), schedule_frame(s)


def schedule_explorer(dataset: str = "moons", **kwargs: Any) -> ScheduleExplorer:
    """Compare learning-rate schedules on one training task: lr(t) and the loss each gives.
    Keyword arguments: n, hidden, optimizer, lr0, final, warmup, epochs, batch_size, seed,
    figsize."""
    return ScheduleExplorer(dataset, **kwargs)
