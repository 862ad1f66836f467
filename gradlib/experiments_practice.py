"""Loss curves, the pure part of notebook 13's explorer (no widgets imported).

    CurvesSettings(lr, batch_size, l2, epochs)   the explorer's controls
    run_curves(settings) -> practice.Curves      the training run they describe (cached)
    initial_losses() -> (train, validation)      the losses before the first update (epoch 0)
    read_curves(curves, l2) -> Reading           which regime the curves show, and the status line
    describe(curves, l2)                         that status line alone
    curves_frame(settings) -> Frame              what the explorer draws: settings -> Frame
    curves_scene()                               its static layer (one chart panel)

The run is ``practice.loss_curves``: a fresh 64-64-10 tanh network trained with plain SGD on
300 digits, validated on 347 others after every epoch. The frame plots both losses against the
epoch (epoch 0: before training), on a log scale when they span more than a factor of 10, with a
cursor that Play moves over the epochs.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from . import _checks as check
from . import practice

__all__ = ["BATCH_SIZES", "L2_VALUES", "LOG_C", "CurvesSettings", "run_curves", "initial_losses",
           "Reading", "read_curves", "describe", "curves_limits", "curves_frame", "curves_scene"]

#: Batch sizes the explorer offers (300 = the whole training set: full-batch gradient descent).
BATCH_SIZES = (4, 16, 32, 64, 300)
#: L2 strengths the explorer offers (the penalty l2/2 |W|^2 adds l2 W to the gradient).
L2_VALUES = (0.0, 1e-4, 1e-3, 1e-2, 3e-2, 1e-1)
#: The cross-entropy of a uniform guess over the 10 classes: -log(1/10) = log 10.
LOG_C = math.log(10.0)
_BIG = float(np.finfo(float).max)

TRAIN_COLOR = "#1f77b4"    # tab:blue
VAL_COLOR = "#ff7f0e"      # tab:orange
NOW = {"marker": "o", "size": 7, "fill": "#ffd92f", "edge": "#000000", "label": "the shown epoch"}

# Thresholds of the regimes (read_curves); each is stated in the status line it produces.
ABOVE_START = 0.10  # an epoch's training loss > 10 % above the start: unstable
BARELY = 0.10       # the training loss ended < 10 % below the loss at the start: barely moved
WINDOW = 3          # means over 3 epochs (one epoch's loss is noisy with small batches)
RECENT = 10         # "at the end" = over the last 10 epochs
FALLING = 0.01      # both losses' means fell by more than 1 % over them: still improving
ROSE = 0.05         # the validation loss's mean ended > 5 % above its lowest: overfitting
HIGH = 1.0          # a training loss that levels off above 1.0: underfitting
GAP = 0.1           # validation - training > 0.1 at the end: a generalization gap


@dataclass(frozen=True)
class CurvesSettings:
    """The curves explorer's controls: the learning rate ``lr``, the ``batch_size`` (rows per
    SGD step), the ``l2`` strength and the number of ``epochs``."""

    lr: float = 0.3
    batch_size: int = 32
    l2: float = 0.0
    epochs: int = 60


@lru_cache(maxsize=128)
def run_curves(settings: CurvesSettings) -> practice.Curves:
    """``practice.loss_curves(lr, batch_size, l2, epochs=epochs)``, cached by the settings (a
    run costs 0.05-0.5 s; the explorer and its static page revisit the same ones)."""
    return practice.loss_curves(settings.lr, settings.batch_size, settings.l2,
                                epochs=settings.epochs)


@lru_cache(maxsize=1)
def initial_losses() -> tuple[float, float]:
    """(training loss, validation loss) of the freshly initialized network, before any update
    (``practice.initial_losses``: the runs' own network and data), cached."""
    return practice.initial_losses()


class Reading(NamedTuple):
    """What a run's curves say: ``regime`` (in ``read_curves``' order: "diverged", "unstable",
    "too low", "overfitting", "noisy", "generalization gap", "still improving", "underfitting",
    "good fit"; "empty" for a run without losses), the one-line ``status`` with its numbers,
    and the status ``kind`` for the renderer."""
    regime: str
    status: str
    kind: str


def _g(value: float) -> str:
    """A loss for the status line: 3 significant digits; never "nan" or "inf"."""
    return f"{value:.3g}" if math.isfinite(value) else "a non-finite value"


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def _means(values: np.ndarray) -> tuple[np.ndarray, int]:
    """Means of ``WINDOW`` consecutive epochs (fewer for a short run): entry j covers epochs
    j + 1 .. j + w (one epoch's loss is noisy with small batches and high rates)."""
    w = max(1, min(WINDOW, len(values)))
    return np.convolve(values, np.ones(w) / w, mode="valid"), w


def _change(fell: float) -> str:
    """A relative decrease in words: "fell 5%", "rose 2%"."""
    return f"fell {_pct(fell)}" if fell >= 0 else f"rose {_pct(-fell)}"


def _epochs(j: int, w: int) -> str:
    return f"epoch {j + 1}" if w == 1 else f"epochs {j + 1}-{j + w}"


def read_curves(curves: practice.Curves, l2: float | None = None,
                start: float | None = None) -> Reading:
    """Read a run's training and validation curves, in this order (the first that holds).
    "Mean" is the mean over 3 consecutive epochs (fewer in a shorter run):

    diverged            the run stopped: a loss became non-finite (``curves.status``);
    unstable            an epoch's training loss exceeded the loss at the start by more than
                        10 %, or the first epoch's (which holds the untrained steps): a jump or
                        a climb, the rate is too high;
    too low             the training loss ended less than 10 % below the loss at the start;
    overfitting         the validation loss's last mean is more than 5 % above its lowest mean,
                        while the training loss's mean fell since then and ends below the
                        validation loss;
    noisy               the same rise of the validation loss, the training loss not falling;
    generalization gap  validation - training > 0.1 at the last epoch;
    still improving     both losses' means fell by more than 1 % over the last 10 epochs: the
                        rate is too low for this batch size, or the run too short;
    underfitting        the training loss levels off above 1.0 (with L2 > 0: too strong);
    good fit            otherwise.

    ``start``: the training loss before training (``curves_frame`` passes the run's own,
    ``initial_losses``); None: log 10, about where any small initialization starts (notebook
    13's check 1), the value a uniform guess scores.

    Kinds: "diverged" for the first two, "max_steps" for "too low" and "still improving" (the
    run ended before it was done), "converged" for a good fit, else "info".
    """
    train = np.asarray(curves.train, dtype=float)
    val = np.asarray(curves.val, dtype=float)
    n = min(len(train), len(val))
    train, val = train[:n], val[:n]
    if curves.status == "diverged":
        what = curves.message.split(";")[0] if curves.message else "a loss became non-finite"
        last = (f"the last finite losses (epoch {n}): training {_g(train[-1])}, validation "
                f"{_g(val[-1])}" if n else "no epoch finished")
        return Reading("diverged", f"diverged: {what}. The rate is too high; {last}.", "diverged")
    if n == 0:
        return Reading("empty", "no epoch to read: the run has no losses.", "info")
    best = int(np.argmin(val))
    numbers = (f"After {n} epochs: training loss {_g(train[-1])}, validation loss {_g(val[-1])} "
               f"(lowest {_g(val[best])} at epoch {best + 1}).")
    if start is None:
        start, at_start = LOG_C, f"log 10 = {LOG_C:.2f}, about where a fresh network starts"
    else:
        start = float(start)
        at_start = f"the {_g(start)} at the start"
    k = int(np.argmax(train))
    if train[k] > (1.0 + ABOVE_START) * start:
        return Reading("unstable", f"unstable, the rate is too high: the training loss rose to "
                       f"{_g(train[k])} at epoch {k + 1}, above {at_start}. {numbers}", "diverged")
    if n >= 2 and train[1:].max() > train[0]:
        k = 1 + int(np.argmax(train[1:]))
        return Reading("unstable", f"unstable, the rate is too high: the training loss rose to "
                       f"{_g(train[k])} at epoch {k + 1}, above its first epoch's "
                       f"{_g(train[0])}. {numbers}", "diverged")
    drop = (start - train[-1]) / start
    if drop < BARELY:
        return Reading("too low", f"rate too low: the training loss barely moved, from "
                       f"{at_start} to {_g(train[-1])} after {n} epochs ({_pct(drop)} lower). "
                       f"{numbers}", "max_steps")
    val_m, w = _means(val)
    train_m, _ = _means(train)
    low = int(np.argmin(val_m))
    rise = (val_m[-1] - val_m[low]) / val_m[low]
    if rise > ROSE:
        where = (f"the validation loss rose from its lowest mean, {_g(val_m[low])} "
                 f"({_epochs(low, w)}), to {_g(val_m[-1])} ({_epochs(len(val_m) - 1, w)}), "
                 f"{_pct(rise)} higher")
        if train_m[-1] < train_m[low] and train[-1] < val[-1]:
            return Reading("overfitting", f"overfitting: {where}, while the training loss kept "
                           f"falling; stop early (around epoch {low + 1 + w // 2}) or add L2. "
                           f"{numbers}", "info")
        return Reading("noisy", f"noisy: {where}, while the training loss stopped falling; "
                       f"smaller steps (a lower rate or a bigger batch) would settle it. "
                       f"{numbers}", "info")
    gap = val[-1] - train[-1]
    if gap > GAP:
        return Reading("generalization gap", f"a generalization gap of {gap:.2f} (validation "
                       f"minus training loss): the network fits its 300 images better than new "
                       f"ones; try more L2. {numbers}", "info")
    recent = min(RECENT, len(val_m) - 1)
    if recent >= 1:
        fell_train = (train_m[-1 - recent] - train_m[-1]) / train_m[-1 - recent]
        fell_val = (val_m[-1 - recent] - val_m[-1]) / val_m[-1 - recent]
        if fell_train > FALLING and fell_val > FALLING:
            return Reading("still improving", f"still improving: over the last {recent} epochs "
                           f"the training loss {_change(fell_train)} and the validation loss "
                           f"{_change(fell_val)} ({w}-epoch means); the rate is too low for this "
                           f"batch size, or the run too short. {numbers}", "max_steps")
    if train[-1] > HIGH:
        why = (f"L2 = {l2:g} holds the weights too small: lower it" if l2 else
               "the network does not fit its 300 images at these settings")
        return Reading("underfitting", f"underfitting: the training loss levels off at "
                       f"{_g(train[-1])}, above {HIGH:g}; {why}. {numbers}", "info")
    return Reading("good fit", f"a good fit: both losses low and close (a gap of {gap:.2f}). "
                   f"{numbers}", "converged")


def describe(curves: practice.Curves, l2: float | None = None,
             start: float | None = None) -> str:
    """The explorer's status line (``read_curves``): the regime, then the numbers."""
    return read_curves(curves, l2, start).status


def curves_limits(values: np.ndarray) -> tuple[bool, tuple[float, float]]:
    """(log scale?, y limits) for losses ``values``: a log scale when the finite ones span more
    than a factor of 10, with limits at the decades around them; else linear from 0 to 5 % above
    the largest (a loss is >= 0, and a curve that barely moves then looks flat)."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v) & (v > 0)]
    if v.size == 0:
        return False, (0.0, 1.0)
    lo, hi = float(v.min()), float(v.max())
    if hi > 10 * lo:                                # decades within float64's normal range
        low, high = max(math.floor(math.log10(lo)), -307), min(math.ceil(math.log10(hi)), 308)
        return True, (10.0 ** low, 10.0 ** high)
    return False, (0.0, min(1.05 * hi, _BIG))


def _curve(first: float, values: np.ndarray) -> np.ndarray:
    """(epoch, loss) rows: epoch 0 (the start) then 1 .. len(values)."""
    y = np.concatenate([[first], np.asarray(values, dtype=float)])
    return np.column_stack([np.arange(len(y), dtype=float), y])


def curves_frame(settings: CurvesSettings, curves: practice.Curves | None = None) -> Any:
    """What the curves explorer draws (a ``gradlib.scene.Frame``) on ``curves_scene``'s chart
    panel "loss", against the epoch (0 = before training: ``initial_losses``):

        training loss (the mean over each epoch's minibatches) and validation loss (after each
        epoch), revealed up to the shown epoch; their values at it (markers) and a cursor
        there; the lowest validation loss (shown at the end); the line log 10 (a uniform guess)

    Play runs over the epochs: step t shows epoch t (n_steps = epochs run, at least 1). The
    y axis: ``curves_limits`` of everything plotted. Status and kind: ``read_curves``.
    """
    from .scene import Frame, Layer

    lr = check.positive("lr", settings.lr)
    l2 = check.nonnegative("l2", settings.l2)
    epochs = check.integer("epochs", settings.epochs, lo=1)
    if curves is None:
        curves = run_curves(settings)
    train0, val0 = initial_losses()
    train, val = _curve(train0, curves.train), _curve(val0, curves.val)
    n = max(len(train), len(val)) - 1
    n_steps = max(n, 1)
    ylog, (lo, hi) = curves_limits(np.concatenate([train[:, 1], val[:, 1], [LOG_C]]))
    top = min(hi * 10.0 if ylog else hi + 10.0 * (hi - lo), _BIG)    # past the top: clipped
    at = np.minimum(np.arange(n_steps + 1), n).astype(float)          # step t: epoch t
    cursor = np.column_stack([np.repeat(at, 2), np.tile([lo, top], n_steps + 1)])
    best = val[1 + int(np.argmin(val[1:, 1]))][None] if len(val) > 1 else val[:0]
    layers = (
        Layer("loss", [[0.0, LOG_C], [float(epochs), LOG_C]], "line", "all",
              {"color": "#555555", "width": 1.0, "dash": [2, 3],
               "label": "log 10 = 2.30: a uniform guess"}),
        Layer("loss", cursor, "segments-per-step", "at",
              {"color": "#777777", "width": 1.0, "dash": [4, 3], "label": NOW["label"]},
              offsets=np.arange(0, 2 * (n_steps + 2), 2)),
        Layer("loss", train, "line", "upto",
              {"color": TRAIN_COLOR, "width": 1.8, "label": "training loss (mean over the epoch)"}),
        Layer("loss", val, "line", "upto",
              {"color": VAL_COLOR, "width": 1.8, "label": "validation loss (after the epoch)"}),
        Layer("loss", best, "points", "end",
              {"marker": "*", "size": 13, "fill": VAL_COLOR, "edge": "#000000",
               "label": "lowest validation loss"}),
        Layer("loss", train, "points", "at", NOW),
        Layer("loss", val, "points", "at", NOW),
    )
    scale = "log scale" if ylog else "linear scale"
    charts = {"loss": {"ylog": ylog, "xlim": [0.0, float(epochs)], "ylim": [lo, hi],
                       "title": f"loss ({scale}): lr = {lr:.3g}, batch {settings.batch_size}, "
                                f"L2 {l2:g}"}}
    reading = read_curves(curves, l2, start=train0)
    return Frame(layers, n_steps, reading.status, reading.kind, charts)


#: The scene's size in pixels and the chart's box in it (x, y, width, height from the top left).
SIZE = (720, 380)
CHART_BOX = (62.0, 30.0, 638.0, 282.0)


@lru_cache(maxsize=1)
def curves_scene() -> Any:
    """The explorer's static layer, rendered once: a white picture with a caption (the data and
    the network) and the chart panel "loss" (epoch on x), whose axes the page draws."""
    from matplotlib.figure import Figure

    from .scene import Panel, scene_from_figure

    dpi = 100
    fig = Figure(figsize=(SIZE[0] / dpi, SIZE[1] / dpi), dpi=dpi)
    fig.text(0.01, 0.015, "digits: 300 training images, 347 validation images; a 64-64-10 tanh "
             "network, plain SGD", fontsize=8, color="#333333")
    panel = Panel("loss", "chart", CHART_BOX, xlabel="epoch (0: before training)")
    alt = ("Training and validation loss per epoch of a 64-64-10 tanh network trained with SGD "
           "on 300 digit images.")
    return scene_from_figure(fig, {}, [panel], alt)
