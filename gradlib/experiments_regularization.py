"""Regularization and input gradients, the pure part of notebooks 12 and 14 (no widgets imported).

    RegSettings(...), train_regularized(settings) -> RegRun   one regularized training run
    regularization_data(n_train, noise, n_val, seed, n_test)  nested training sets, a validation set
                                             and a held-out test set
    weight_vector(model), weight_histogram(model, edges), near_zero_fraction(model, tol)
    l2_step(w, grad, lr, l2)                 (1 - lr l2) w - lr grad: gradient descent on L + (l2/2)||w||^2
    weight_decay_paths(grad, x0, lr, weight_decay, steps)     Adam + L2 against AdamW, step by step
    digits_classifier(hidden, epochs, ...)   the small digits network of notebook 14 -> DigitsModel
    fgsm(model, X, y, eps)                   x + eps sign(dL/dx), clipped to the valid pixel range
    accuracy_vs_eps(model, X, y, eps_values) the accuracy on FGSM examples for each eps
    saliency(model, x, k)                    |d z_k / d x|: the pixels class k's score is most sensitive to

What the two explorers draw (gradlib.widgets.regularization; docs/explorers.md):

    regularization_frame(settings, resolution)   RegSettings -> Frame: the decision regions, the
                                             weight histogram and a cursor on the loss curves at
                                             SNAPSHOTS + 1 epochs (Play replays training)
    regularization_scene(xlim, ylim, figsize)    its static layer (rendered once per window)
    adversarial_problem(model, X, y, ...)    a checked FGSM problem with its accuracy curve
    adversarial_frame(problem, AdversarialSettings(eps, index)) -> Frame: the image, the
                                             perturbation, the adversarial image, the class
                                             probabilities and accuracy vs eps (Play sweeps eps
                                             from 0 to the chosen value)
    adversarial_scene(image_shape, eps_max, figsize)    its static layer

What regularization does and does not do (the notebooks say it with numbers): L2 and L1 shrink
weights and make a smaller training set overfit less; L2 adds l2 to every Hessian eigenvalue of
the penalized loss; dropout trains with random masks; early stopping keeps the best validation
epoch. None of them makes vanishing gradients reach the early layers of a deep sigmoid network:
initialisation, activations, normalization and residual connections do that.

The decision regions use ``gradlib.experiments_training`` (``decision_boundary_grid``,
``class_colors_image``, ``data_window``, ``CLASS_COLORS``), as notebook 09's explorer does.
"""
from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, NamedTuple

import numpy as np

from . import _checks as check
from . import data as gdata
from . import optim
from .experiments_training import (CLASS_COLORS, class_colors_image, data_window, decades,
                                   decision_boundary_grid)
from .mlp import MLP, History

__all__ = [
    "L2_OPTIONS", "L1_OPTIONS", "DROPOUT_OPTIONS", "N_TRAIN_OPTIONS", "HIST_EDGES",
    "RegData", "regularization_data", "TEST_SEED_OFFSET", "RegSettings", "RegRun", "train_regularized",
    "weight_vector", "weight_histogram", "near_zero_fraction",
    "l2_step", "DecayPaths", "weight_decay_paths",
    "DigitsModel", "digits_classifier", "fgsm", "accuracy_vs_eps", "saliency",
    "SNAPSHOTS", "snapshot_epochs", "regularization_window", "regularization_frame",
    "regularization_scene", "regularization_status", "region_palette", "stairs",
    "indexed_png",
    "AdversarialProblem", "AdversarialSettings", "adversarial_problem", "adversarial_sweep",
    "adversarial_frame", "adversarial_scene", "digit_png",
]

#: Stops of the L2 and L1 sliders (0 = off, then roughly half-decades).
L2_OPTIONS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1)
L1_OPTIONS = (0.0, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2)
#: Stops of the dropout slider (probability of zeroing a hidden unit while training).
DROPOUT_OPTIONS = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7)
#: Stops of the training-set-size slider; the sets are nested (each one extends the last).
N_TRAIN_OPTIONS = (15, 30, 60, 120, 240)
#: Bin edges of the weight histogram: 41 bins of width 0.05 on [-1.025, 1.025], one centred on 0.
HIST_EDGES = np.linspace(-1.025, 1.025, 42)
_POOL = max(N_TRAIN_OPTIONS)


# ---------------------------------------------------------------------------------------------
# validation helpers (messages name the argument, the rule and the value)
# ---------------------------------------------------------------------------------------------
def _model(model: Any, name: str = "model", classifier: bool = False) -> MLP:
    if not isinstance(model, MLP):
        raise ValueError(f"{name} must be a gradlib.mlp.MLP, got {type(model).__name__}")
    if classifier and model.output == "identity":
        raise ValueError(f"{name} must be a classifier (output 'softmax' or 'sigmoid'), got "
                         f"output='identity'")
    return model


def _clip_range(clip: Any) -> tuple[float, float] | None:
    return None if clip is None else check.interval("clip", clip)


def _inputs(model: MLP, X: Any, clip: tuple[float, float] | None) -> np.ndarray:
    """X as a float64 (m, d) array the model accepts, inside the clip range."""
    model.scores(X)                       # the model's own shape/finiteness check and message
    arr = np.asarray(X, dtype=np.float64)
    if clip is not None and (arr.min() < clip[0] or arr.max() > clip[1]):
        raise ValueError(f"X must lie inside clip=({clip[0]:g}, {clip[1]:g}) (the valid input "
                         f"range), got values from {arr.min():g} to {arr.max():g}")
    return arr


# ---------------------------------------------------------------------------------------------
# data and one regularized training run
# ---------------------------------------------------------------------------------------------
class RegData(NamedTuple):
    """A training set, a validation set and a test set from the same noisy two-moons
    distribution. Choices (lambda, the stopping epoch) are made on the validation set; the test
    set is touched only to report the chosen network's loss."""
    X_train: np.ndarray
    y_train: np.ndarray
    X_val: np.ndarray
    y_val: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray


#: The test set of data seed s is an independent draw with seed TEST_SEED_OFFSET + s.
TEST_SEED_OFFSET = 10_000


@lru_cache(maxsize=32)
def _moons_pool(n: int, noise: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    X, y = gdata.moons(n, noise=noise, seed=seed)
    X.flags.writeable = y.flags.writeable = False
    return X, y


def regularization_data(n_train: int = 30, noise: float = 0.3, n_val: int = 300,
                        seed: int = 1, n_test: int = 300) -> RegData:
    """Two moons with label noise from overlap: the first n_train points of a fixed pool of
    max(N_TRAIN_OPTIONS) training points, n_val validation points from the same draw, and
    n_test test points from an independent draw (seed TEST_SEED_OFFSET + seed).

    The training sets are nested: the set of size 60 contains the set of size 30, so "more data"
    changes one thing only.
    """
    n_train = check.integer("n_train", n_train, 2, _POOL)
    noise = check.nonnegative("noise", noise)
    n_val = check.integer("n_val", n_val, 1, 100_000)
    seed = check.integer("seed", seed, 0)
    n_test = check.integer("n_test", n_test, 2, 100_000)
    X, y = _moons_pool(_POOL + n_val, noise, seed)
    X_test, y_test = _moons_pool(n_test, noise, TEST_SEED_OFFSET + seed)
    return RegData(X[:n_train].copy(), y[:n_train].copy(), X[_POOL:].copy(), y[_POOL:].copy(),
                   X_test.copy(), y_test.copy())


@dataclass(frozen=True)
class RegSettings:
    """Everything the regularization explorer's controls say (hashable: runs are cached).

    A ReLU network 2 -> hidden x layers -> 2 trained full batch for ``epochs`` epochs by heavy-ball
    momentum (lr, beta 0.9) on L + l1 sum|W| + (l2/2) sum W^2, with inverted dropout ``dropout``
    on the hidden layers. Momentum rather than Adam on purpose: Adam divides every gradient,
    the penalty's too, by its running RMS, so its "L2" is not the L2 of the formula (notebook 12).
    ``seed`` seeds the weights and the dropout masks; ``data_seed`` the data (the test set of
    ``n_test`` points is an independent draw, used only to report, never to choose).
    """
    n_train: int = 30
    l2: float = 0.0
    l1: float = 0.0
    dropout: float = 0.0
    hidden: int = 32
    layers: int = 2
    epochs: int = 300
    lr: float = 0.05
    noise: float = 0.3
    n_val: int = 300
    seed: int = 0
    data_seed: int = 1
    n_test: int = 300

    def __post_init__(self) -> None:
        check.integer("n_train", self.n_train, 2, _POOL)
        check.nonnegative("l2", self.l2)
        check.nonnegative("l1", self.l1)
        check.real("dropout", self.dropout, "a probability in [0, 1)", lambda v: 0 <= v < 1)
        check.integer("hidden", self.hidden, 1, 512)
        check.integer("layers", self.layers, 1, 4)
        check.integer("epochs", self.epochs, 1, 20_000)
        check.positive("lr", self.lr)
        check.nonnegative("noise", self.noise)
        check.integer("n_val", self.n_val, 1, 100_000)
        check.integer("seed", self.seed, 0)
        check.integer("data_seed", self.data_seed, 0)
        check.integer("n_test", self.n_test, 2, 100_000)

    def data(self) -> RegData:
        return regularization_data(self.n_train, self.noise, self.n_val, self.data_seed,
                                   self.n_test)

    def network(self) -> MLP:
        """A fresh seeded network 2 -> hidden^layers -> 2 (He init, softmax output)."""
        return MLP([2] + [self.hidden] * self.layers + [2], "relu", "softmax", init="he",
                   seed=self.seed, dropout=self.dropout)


class RegRun(NamedTuple):
    """One regularized run: the trained network, its History (with validation), data, wall time,
    and (when asked for) the parameters at a few epochs: ``snapshot_params[j]`` is
    ``model.params`` after ``snapshot_epochs[j]`` epochs (0 = the initialization)."""
    settings: RegSettings
    model: MLP
    history: History
    data: RegData
    seconds: float
    snapshot_epochs: np.ndarray | None = None
    snapshot_params: np.ndarray | None = None

    def model_at(self, j: int) -> MLP:
        """A copy of the network with the parameters of snapshot ``j``."""
        if self.snapshot_params is None:
            raise ValueError("this run kept no snapshots: train_regularized(settings, snapshots=...)")
        j = check.integer("j", j, 0, len(self.snapshot_params) - 1)
        other = self.model.copy()
        other.params = self.snapshot_params[j]
        return other


def train_regularized(settings: RegSettings, snapshots: Sequence[int] | None = None) -> RegRun:
    """Train the network ``settings`` describes on its training set, watching the validation set.

        step:  g = dL/dparams + l1 sign(W) + l2 W;   b <- 0.9 b + g;   params <- params - lr b

    ``snapshots``: epochs (0 ... settings.epochs) after which to keep a copy of the parameters
    (``RegRun.snapshot_params``); a run that stops early (diverged) also keeps its last epoch.
    """
    if not isinstance(settings, RegSettings):
        raise ValueError(f"settings must be a RegSettings, got {type(settings).__name__}")
    wanted: set[int] = set()
    if snapshots is not None:
        wanted = {check.integer("snapshots[i]", e, 0, settings.epochs) for e in snapshots}
    d = settings.data()
    model = settings.network()
    marks: list[int] = []
    kept: list[np.ndarray] = []

    def keep(done: int) -> None:
        if done in wanted:
            marks.append(done)
            kept.append(model.params.copy())

    keep(0)
    t0 = time.perf_counter()
    history = model.fit(d.X_train, d.y_train, optim.momentum(settings.lr, 0.9), settings.epochs,
                        l1=settings.l1, l2=settings.l2, seed=settings.seed,
                        validation=(d.X_val, d.y_val),
                        callback=(lambda log: keep(log.epoch + 1)) if wanted else None)
    seconds = time.perf_counter() - t0
    if not wanted:
        return RegRun(settings, model, history, d, seconds)
    if not marks or marks[-1] != history.epochs:     # stopped early: the parameters it ended with
        marks.append(history.epochs)
        kept.append(model.params.copy())
    return RegRun(settings, model, history, d, seconds, np.array(marks), np.array(kept))


# ---------------------------------------------------------------------------------------------
# weights: histogram and sparsity
# ---------------------------------------------------------------------------------------------
def weight_vector(model: MLP) -> np.ndarray:
    """All weights W_0, W_1, ... of ``model`` in one new 1-D array (biases left out: L1 and L2
    penalise weights only)."""
    model = _model(model)
    return np.concatenate([W.ravel() for W in model.weights])


def weight_histogram(model: MLP, edges: Any = HIST_EDGES) -> np.ndarray:
    """Counts of the weights in the bins ``edges`` (increasing); weights beyond the first or
    last edge are counted in the first or last bin, so the counts add up to the number of
    weights."""
    e = np.asarray(edges, dtype=np.float64)
    if e.ndim != 1 or e.size < 2 or not np.isfinite(e).all() or np.any(np.diff(e) <= 0):
        raise ValueError(f"edges must be a finite, strictly increasing 1-D array of at least 2 "
                         f"edges, got {np.asarray(edges)!r}")
    w = np.clip(weight_vector(model), e[0], e[-1])
    return np.histogram(w, bins=e)[0]


def near_zero_fraction(model: MLP, tol: float = 1e-2) -> float:
    """The fraction of weights with |w| < tol (how sparse L1 has made the network).

    Subgradient steps leave L1-penalised weights hovering in a band around 0 whose width grows
    with the step size, rather than exactly at 0; tol = 0.01 counts that band as zero.
    """
    tol = check.positive("tol", tol)
    w = weight_vector(model)
    return float(np.count_nonzero(np.abs(w) < tol) / w.size)


# ---------------------------------------------------------------------------------------------
# L2 as weight decay, and why Adam + L2 is not AdamW
# ---------------------------------------------------------------------------------------------
def l2_step(w: Any, grad: Any, lr: float, l2: float) -> np.ndarray:
    """One gradient-descent step on L(w) + (l2/2)||w||^2, written as a decay:

        w - lr (grad + l2 w)  =  (1 - lr l2) w - lr grad          (grad = dL/dw, the data part)

    The penalty multiplies w by (1 - lr l2) < 1 at every step: "weight decay".
    """
    w_arr = np.asarray(w, dtype=np.float64)
    g_arr = np.asarray(grad, dtype=np.float64)
    if w_arr.shape != g_arr.shape:
        raise ValueError(f"grad must have the shape of w {w_arr.shape}, got shape {g_arr.shape}")
    lr = check.nonnegative("lr", lr)
    l2 = check.nonnegative("l2", l2)
    return (1.0 - lr * l2) * w_arr - lr * g_arr


class DecayPaths(NamedTuple):
    """Iterates of Adam on L + (wd/2)||x||^2 ("Adam + L2") and of AdamW on L with weight decay
    wd, from the same start: each (steps + 1, n), row 0 the start."""
    adam_l2: np.ndarray
    adamw: np.ndarray


def weight_decay_paths(grad: Callable[[np.ndarray], Any], x0: Any, lr: float,
                       weight_decay: float, steps: int, *, beta1: float = 0.9,
                       beta2: float = 0.999, eps: float = 1e-8) -> DecayPaths:
    """Adam + L2 against AdamW (torch.optim.Adam with weight_decay vs torch.optim.AdamW):

        Adam + L2:  g <- grad(x) + wd x, then Adam's step  x <- x - lr m_hat / (sqrt(v_hat) + eps)
                    (the decay goes through m and v: divided by the running RMS of g)
        AdamW:      x <- x - lr wd x, then Adam's step with g = grad(x)
                    (the decay is applied as is, the same relative shrink for every coordinate;
                    torch's convention, optim.adamw's default)

    Where they come to rest: Adam + L2 where grad L + wd x = 0 (the penalized minimizer); AdamW
    where wd x_i = -g_i / (|g_i| + eps), i.e. at a stationary point of L inside the box
    |x_i| < 1/wd, or on its edge with the gradient pointing outward (notebook 12).
    """
    if not callable(grad):
        raise ValueError(f"grad must be a function of x returning dL/dx, got {type(grad).__name__}")
    x = np.array(x0, dtype=np.float64)
    if x.ndim != 1 or x.size < 1 or not np.isfinite(x).all():
        raise ValueError(f"x0 must be a finite 1-D array, got shape {x.shape}")
    steps = check.integer("steps", steps, 1, 100_000)
    wd = check.nonnegative("weight_decay", weight_decay)
    plain = optim.adam(lr, beta1, beta2, eps)
    decoupled = optim.adamw(lr, beta1, beta2, eps, weight_decay=wd)
    out = []
    for opt, coupled in ((plain, True), (decoupled, False)):
        xs = [x.copy()]
        xi, state = x.copy(), opt.init(x)
        with np.errstate(all="ignore"):
            for _ in range(steps):
                g = np.asarray(grad(xi.copy()), dtype=np.float64)
                if g.shape != xi.shape:
                    raise ValueError(f"grad must return an array of the shape of x0 {xi.shape}, "
                                     f"got shape {g.shape}")
                xi, state = opt.update(xi, g + wd * xi if coupled else g, state)
                xs.append(xi)
        out.append(np.array(xs))
    return DecayPaths(*out)


# ---------------------------------------------------------------------------------------------
# derivatives with respect to the input: saliency and the fast gradient sign method
# ---------------------------------------------------------------------------------------------
class DigitsModel(NamedTuple):
    """A trained digits classifier with its data split and training record."""
    model: MLP
    data: gdata.Digits
    history: History


def digits_classifier(hidden: Sequence[int] = (32,), epochs: int = 30, lr: float = 0.01,
                      batch_size: int = 64, test_size: float = 0.25, seed: int = 0) -> DigitsModel:
    """The network of notebook 14: 64 pixels -> hidden -> 10 classes (ReLU, softmax), trained by
    Adam in seeded minibatches on scikit-learn's digits (pixels in [0, 1])."""
    try:
        widths = [check.integer("hidden[i]", h, 1, 4096) for h in hidden]
    except TypeError:
        raise ValueError(f"hidden must be a sequence of layer widths, got {hidden!r}") from None
    epochs = check.integer("epochs", epochs, 1, 10_000)
    lr = check.positive("lr", lr)
    seed = check.integer("seed", seed, 0)
    d = gdata.digits(test_size, seed)
    batch_size = check.integer("batch_size", batch_size, 1, d.X_train.shape[0])
    model = MLP([64, *widths, 10], "relu", "softmax", init="he", seed=seed)
    history = model.fit(d.X_train, d.y_train, optim.adam(lr), epochs, batch_size, seed=seed)
    return DigitsModel(model, d, history)


def fgsm(model: MLP, X: Any, y: Any, eps: float, *,
         clip: tuple[float, float] | None = (0.0, 1.0)) -> np.ndarray:
    """The fast gradient sign method (Goodfellow et al., 2015): a new array

        X_adv = clip(X + eps * sign(dL/dX), low, high)

    The sign of the loss's gradient with respect to each input, one step of size eps in the
    max-norm: every pixel moves by eps (less where the clip range stops it). L is the mean loss,
    whose gradient row i is (1/m) d loss_i / d x_i, so the sign is each example's own.
    sign(0) = 0: an input the loss does not depend on is left alone.
    """
    model = _model(model)
    eps = check.nonnegative("eps", eps)
    lims = _clip_range(clip)
    X_arr = _inputs(model, X, lims)
    g = model.input_gradient(X_arr, y)                 # dL/dX, checks y against X
    X_adv = X_arr + eps * np.sign(g)
    return X_adv if lims is None else np.clip(X_adv, *lims)


def accuracy_vs_eps(model: MLP, X: Any, y: Any, eps_values: Any, *,
                    clip: tuple[float, float] | None = (0.0, 1.0)) -> np.ndarray:
    """The accuracy of ``model`` on fgsm(model, X, y, eps) for each eps of ``eps_values``.

        accuracy[j] = mean_i [ predict(fgsm(X, y, eps_j))_i == y_i ]

    Entry j uses a single step of size eps_j from the clean inputs (not a run of steps).
    """
    model = _model(model, classifier=True)
    e = np.asarray(eps_values, dtype=np.float64)
    if e.ndim != 1 or e.size < 1 or not np.isfinite(e).all() or (e < 0).any():
        raise ValueError(f"eps_values must be a 1-D array of finite numbers >= 0, got "
                         f"{np.asarray(eps_values)!r}")
    lims = _clip_range(clip)
    X_arr = _inputs(model, X, lims)
    direction = np.sign(model.input_gradient(X_arr, y))
    y_arr = np.asarray(y)
    out = np.empty(e.size)
    for j, eps in enumerate(e):
        X_adv = X_arr + eps * direction
        if lims is not None:
            X_adv = np.clip(X_adv, *lims)
        out[j] = model.accuracy(X_adv, y_arr)
    return out


def saliency(model: MLP, x: Any, k: int | None = None) -> np.ndarray:
    """The saliency map of one input x for class k (Simonyan et al., 2013):

        s = |d z_k / d x|        z_k: class k's score (logit, before softmax), shape of x

    k defaults to the predicted class. Large entries are the inputs the score reacts to most.
    """
    model = _model(model)
    x_arr = np.asarray(x, dtype=np.float64)
    if x_arr.ndim != 1 or x_arr.size != model.sizes[0]:
        raise ValueError(f"x must be one input of shape ({model.sizes[0]},), got shape {x_arr.shape}")
    X = x_arr[None, :]
    if k is None:
        k = int(np.argmax(model.scores(X)[0]))
    return np.abs(model.class_score_gradient(X, k)[0])


# ---------------------------------------------------------------------------------------------
# pictures as small PNGs: an index per pixel into a palette (the page draws them as image layers)
# ---------------------------------------------------------------------------------------------
def indexed_png(index: Any, palette: Any, scale: int = 1) -> bytes:
    """PNG bytes of a palette picture: pixel (r, c) has colour ``palette[index[r, c]]``, row 0 at
    the top; ``scale`` repeats every pixel scale x scale times (sharp squares: the page smooths
    pictures it enlarges). Only the palette entries in use are stored."""
    from PIL import Image

    idx = np.asarray(index)
    pal = np.asarray(palette)
    if idx.ndim != 2 or idx.size == 0 or not np.issubdtype(idx.dtype, np.integer):
        raise ValueError(f"index must be a 2-D array of whole numbers, got {idx.dtype} of shape {idx.shape}")
    if pal.ndim != 2 or pal.shape[1] != 3 or not 1 <= len(pal) <= 256 or pal.dtype != np.uint8:
        raise ValueError(f"palette must be a (k <= 256, 3) uint8 array, got {pal.dtype} of shape {pal.shape}")
    if idx.min() < 0 or idx.max() >= len(pal):
        raise ValueError(f"index must lie in [0, {len(pal)}), got values from {idx.min()} to {idx.max()}")
    scale = check.integer("scale", scale, 1, 64)
    used, local = np.unique(idx, return_inverse=True)
    local = local.reshape(idx.shape).astype(np.uint8)
    if scale > 1:
        local = np.repeat(np.repeat(local, scale, axis=0), scale, axis=1)
    image = Image.fromarray(np.ascontiguousarray(local), "P")
    image.putpalette(pal[used].ravel().tolist())
    buffer = io.BytesIO()
    image.save(buffer, format="png")
    return buffer.getvalue()


def _lut_index(values: np.ndarray, lo: float, hi: float, n: int = 256) -> np.ndarray:
    """The colormap entry matplotlib's imshow(vmin=lo, vmax=hi) picks for each value:
    floor(n (v - lo) / (hi - lo)), kept in [0, n - 1] (values outside get the end colours)."""
    t = (np.asarray(values, dtype=np.float64) - lo) / (hi - lo) * n
    return np.clip(np.floor(t), 0, n - 1).astype(np.int64)


def _cmap_palette(name: str) -> np.ndarray:
    import matplotlib

    return np.asarray(matplotlib.colormaps[name](np.arange(256), bytes=True))[:, :3]


def digit_png(values: Any, shape: tuple[int, int], lo: float, hi: float, cmap: str = "gray_r",
              scale: int | None = None) -> bytes:
    """An image (one row of X, reshaped to ``shape``) as imshow(cmap, vmin=lo, vmax=hi) colours
    it, each pixel a scale x scale square (default: about 128 pixels across)."""
    v = np.asarray(values, dtype=np.float64).reshape(shape)
    if scale is None:
        scale = max(1, 128 // max(shape))
    return indexed_png(_lut_index(v, lo, hi), _cmap_palette(cmap), scale)


def stairs(counts: Any, edges: Any) -> np.ndarray:
    """A histogram's outline as one polyline -- bars drawn as a line:

        (e_0, 0), (e_0, c_0), (e_1, c_0), (e_1, c_1), ..., (e_n, c_{n-1}), (e_n, 0)

    with runs of equal counts merged into one step (the same outline, fewer points)."""
    c = np.asarray(counts, dtype=np.float64)
    e = np.asarray(edges, dtype=np.float64)
    if c.ndim != 1 or c.size < 1 or e.shape != (c.size + 1,):
        raise ValueError(f"edges must have one more entry than counts (at least 1), got "
                         f"{e.shape} and {c.shape}")
    starts = np.flatnonzero(np.concatenate([[True], c[1:] != c[:-1]]))   # first bin of each run
    left = e[starts]
    right = e[np.append(starts[1:], c.size)]
    top = np.stack([np.column_stack([left, c[starts]]), np.column_stack([right, c[starts]])],
                   axis=1).reshape(-1, 2)
    return np.vstack([[e[0], 0.0], top, [e[-1], 0.0]])


# ---------------------------------------------------------------------------------------------
# the regularization explorer's frame: RegSettings -> Frame (Play replays training)
# ---------------------------------------------------------------------------------------------
#: Play steps of the regularization explorer: the run is shown at epoch 0 (the initialization)
#: and at up to SNAPSHOTS epochs spaced geometrically from 1 to the last (the boundary moves most
#: early; overfitting shows late).
SNAPSHOTS = 10
#: Colours of the loss curves (tab10 blue and orange) and of the histogram.
TRAIN_COLOR, VAL_COLOR, HIST_COLOR = "#1f77b4", "#ff7f0e", "#333333"
#: Levels of P(class 1) the decision-region pictures distinguish.
_REGION_LEVELS = 64
#: Axes boxes (figure fractions) of the explorer's three panels.
_REGIONS_AX = (0.035, 0.13, 0.25, 0.74)
_LOSS_AX = (0.37, 0.15, 0.27, 0.70)
_WEIGHTS_AX = (0.71, 0.15, 0.27, 0.70)


def snapshot_epochs(epochs: int, n: int = SNAPSHOTS) -> np.ndarray:
    """The epochs Play shows: 0, then round(geomspace(1, epochs, n)) without repeats."""
    epochs = check.integer("epochs", epochs, 1)
    n = check.integer("n", n, 1, 1000)
    later = (np.array([epochs]) if n == 1
             else np.unique(np.round(np.geomspace(1, epochs, n)).astype(np.int64)))
    return np.concatenate([[0], later])


def regularization_window(settings: RegSettings) -> tuple[tuple[float, float], tuple[float, float]]:
    """The decision-region window: every point of the largest training set and of the
    validation set, with 5 % margins (the same window for every training-set size)."""
    pool = regularization_data(_POOL, settings.noise, settings.n_val, settings.data_seed)
    return data_window(np.concatenate([pool.X_train, pool.X_val]), margin=0.05)


#: Tint where a network's class probabilities are not finite (a diverged run's last parameters).
UNDEFINED_RGB = (217, 217, 217)


@lru_cache(maxsize=1)
def region_palette() -> np.ndarray:
    """Entry i < _REGION_LEVELS: the colour of P(class 1) = i / (_REGION_LEVELS - 1), i.e.
    ``class_colors_image`` of (1 - p, p); the last entry: ``UNDEFINED_RGB``."""
    p = np.linspace(0.0, 1.0, _REGION_LEVELS)
    rgb = class_colors_image(np.column_stack([1.0 - p, p])[None, :, :])[0]
    out = np.vstack([np.round(rgb * 255), [UNDEFINED_RGB]]).astype(np.uint8)
    out.flags.writeable = False
    return out


def _region_picture(model: MLP, xlim: tuple[float, float], ylim: tuple[float, float],
                    resolution: int) -> tuple[Any, bytes]:
    """(BoundaryGrid, PNG): the grid's P(class 1) in _REGION_LEVELS steps (a palette picture,
    half the bytes of the RGB one), top row = ylim[1]; the grey ``UNDEFINED_RGB`` where it is
    not finite."""
    with np.errstate(all="ignore"):                   # overflowing scores: NaN, drawn grey
        grid = decision_boundary_grid(model, xlim, ylim, resolution)
    p = grid.proba[::-1, :, 1]
    ok = np.isfinite(p)
    index = np.where(ok, np.round(np.where(ok, p, 0.0) * (_REGION_LEVELS - 1)), _REGION_LEVELS)
    return grid, indexed_png(index.astype(np.int64), region_palette())


def _region_extent(xlim: Sequence[float], ylim: Sequence[float], resolution: int) -> np.ndarray:
    """Corners of the picture whose pixel centres are the grid's points (half a pixel beyond)."""
    dx = (xlim[1] - xlim[0]) / (resolution - 1)
    dy = (ylim[1] - ylim[0]) / (resolution - 1)
    return np.array([[xlim[0] - dx / 2, ylim[0] - dy / 2], [xlim[1] + dx / 2, ylim[1] + dy / 2]])


def _loss_text(v: float) -> str:
    """A loss for the status line: 3 decimals, or 3 significant digits when it has blown up."""
    return f"{v:.3f}" if abs(v) < 1000 else f"{v:.3g}"


def regularization_status(run: RegRun) -> tuple[str, str]:
    """(status line, kind) of a run: final losses and their gap, the best validation epoch.

    Kind "diverged" when fit stopped on a non-finite loss, or when the training loss ended
    above where it started (the step size is too large for the loss to go down); else "info".
    """
    s, h = run.settings, run.history
    what = (f"{s.n_train} training points; L2 {s.l2:g}, L1 {s.l1:g}, dropout {s.dropout:g}")
    if h.status == "diverged" or h.epochs == 0:
        return (f"{what}: diverged after {h.epochs} of {s.epochs} epochs (the loss became "
                f"non-finite; lr = {s.lr:g} is too large); the pictures show the last finite "
                f"parameters", "diverged")
    if h.loss[-1] > h.loss[0]:
        return (f"{what}: diverged: the training loss rose from {_loss_text(h.loss[0])} to "
                f"{_loss_text(h.loss[-1])} in {h.epochs} epochs (lr = {s.lr:g} is too large)",
                "diverged")
    best = int(h.best_epoch) + 1
    gap = float(h.val_loss[-1] - h.loss[-1])
    return (f"{what}: final training loss {_loss_text(h.loss[-1])}, validation loss "
            f"{_loss_text(h.val_loss[-1])} (gap {_loss_text(gap)}); lowest validation loss "
            f"{_loss_text(h.val_loss.min())} after {best} epoch{'s' if best != 1 else ''} (where "
            f"early stopping would stop). ▶ Play replays training.", "info")


def regularization_frame(settings: RegSettings, resolution: int = 60,
                         run: RegRun | None = None) -> Any:
    """What the regularization explorer draws (a ``gradlib.scene.Frame``) over
    ``regularization_scene``. Play steps through the run's snapshots: step j shows the network
    after ``run.snapshot_epochs[j]`` epochs (``snapshot_epochs(settings.epochs)``).

        "regions"  P(class | x) as a picture per snapshot (``decision_boundary_grid`` on a
                   resolution^2 grid of the window, coloured like ``class_colors_image``), the
                   training points (large, white edge) and validation points (small) per class,
                   and per snapshot "epoch e: training a%, validation b%" (accuracies)
        "loss"     training and validation loss per epoch (log scale, floored at 1e-6: the data
                   term, without the penalty), the best validation epoch (dashed), a cursor and
                   markers at the shown epoch
        "weights"  ``weight_histogram`` per snapshot as bars (|w| > 1 in the end bins), the
                   initialization's for reference, and per snapshot the share |w| < 0.01
                   (``near_zero_fraction``)

    ``run``: a ``train_regularized(settings, snapshot_epochs(settings.epochs))`` to reuse.
    Status and kind: ``regularization_status``.
    """
    from .scene import Frame, Layer

    if not isinstance(settings, RegSettings):
        raise ValueError(f"settings must be a RegSettings, got {type(settings).__name__}")
    resolution = check.integer("resolution", resolution, 10, 300)
    if run is None:
        run = train_regularized(settings, snapshot_epochs(settings.epochs))
    elif run.settings != settings or run.snapshot_params is None:
        raise ValueError("run must be train_regularized(settings, snapshots=...) of these settings")
    xlim, ylim = regularization_window(settings)
    d, h = run.data, run.history
    marks = run.snapshot_epochs
    pictures, texts, hists, shares = [], [], [], []
    for j in range(len(marks)):
        net = run.model_at(j)
        pictures.append(_region_picture(net, xlim, ylim, resolution)[1])
        texts.append(f"epoch {int(marks[j])}: training {100 * net.accuracy(d.X_train, d.y_train):.0f}%, "
                     f"validation {100 * net.accuracy(d.X_val, d.y_val):.0f}%")
        hists.append(stairs(weight_histogram(net), HIST_EDGES))
        shares.append(f"{100 * near_zero_fraction(net):.0f}% have |w| < 0.01")
    n = len(marks) - 1
    w, hgt = xlim[1] - xlim[0], ylim[1] - ylim[0]

    layers = [Layer("regions", _region_extent(xlim, ylim, resolution), "image", "at",
                    {"label": "background: predicted class"}, images=pictures)]
    for k in (0, 1):
        layers.append(Layer("regions", d.X_val[d.y_val == k], "points", "all",
                            {"marker": "o", "size": 3, "fill": CLASS_COLORS[k], "alpha": 0.6,
                             "label": f"class {k}, validation"}))
    for k in (0, 1):
        layers.append(Layer("regions", d.X_train[d.y_train == k], "points", "all",
                            {"marker": "o", "size": 7, "fill": CLASS_COLORS[k], "edge": "#ffffff",
                             "label": f"class {k}, training"}))
    layers.append(Layer("regions", np.tile([[xlim[0] + 0.02 * w, ylim[0] + 0.05 * hgt]], (n + 1, 1)),
                        "text", "at", {"size": 11, "align": "left", "box": "#ffffff",
                                       "label": "accuracies at the shown epoch"}, texts=texts))

    epochs = np.arange(1, h.epochs + 1, dtype=np.float64)
    train = np.maximum(h.loss, 1e-6)
    val = np.maximum(h.val_loss, 1e-6) if h.val_loss is not None else np.zeros(0)
    lo, hi = decades([train, val], floor=1e-6)
    at = np.where((marks >= 1) & (marks <= h.epochs), marks - 1, -1)
    pick = lambda v: np.where(at >= 0, v[np.maximum(at, 0)] if v.size else np.nan, np.nan)  # noqa: E731
    cursor = np.column_stack([np.repeat(marks, 3).astype(float),
                              np.tile([lo, hi, np.nan], n + 1)])
    layers += [
        Layer("loss", np.column_stack([epochs, train]), "line", "all",
              {"color": TRAIN_COLOR, "width": 1.4, "label": "training loss"}),
        Layer("loss", np.column_stack([epochs, val]), "line", "all",
              {"color": VAL_COLOR, "width": 1.4, "label": "validation loss"}),
        Layer("loss", np.column_stack([marks.astype(float), pick(train)]), "points", "at",
              {"marker": "o", "size": 7, "fill": TRAIN_COLOR, "edge": "#000000",
               "label": "training loss"}),
        Layer("loss", np.column_stack([marks.astype(float), pick(val)]), "points", "at",
              {"marker": "o", "size": 7, "fill": VAL_COLOR, "edge": "#000000",
               "label": "validation loss"}),
        Layer("loss", cursor, "segments-per-step", "at",
              {"color": "#777777", "width": 1.0, "label": "shown epoch"},
              offsets=np.arange(0, 3 * (n + 1) + 1, 3)),
    ]
    if h.best_epoch is not None:
        best = float(h.best_epoch + 1)
        layers.append(Layer("loss", np.array([[best, lo], [best, hi]]), "line", "all",
                            {"color": "#555555", "width": 1.0, "dash": [5, 3],
                             "label": "best validation epoch"}))

    top = 1.1 * max(float(np.max(c[:, 1])) for c in hists)
    layers += [
        Layer("weights", hists[0], "line", "all",
              {"color": "#999999", "width": 1.0, "dash": [4, 3], "label": "at initialization"}),
        Layer("weights", np.vstack(hists), "segments-per-step", "at",
              {"color": HIST_COLOR, "width": 1.4, "label": "at the shown epoch"},
              offsets=np.concatenate([[0], np.cumsum([len(c) for c in hists])])),
        Layer("weights", np.tile([[HIST_EDGES[0] + 0.05, 0.93 * top]], (n + 1, 1)), "text", "at",
              {"size": 11, "align": "left", "box": "#ffffff", "label": "share near zero"},
              texts=shares),
    ]
    status, kind = regularization_status(run)
    final = (f"final val. loss {_loss_text(h.val_loss[-1])}, best {_loss_text(h.val_loss.min())}"
             if h.epochs else "no finished epoch")
    charts = {"loss": {"ylog": True, "xlim": [0.0, float(settings.epochs)], "ylim": [lo, hi],
                       "title": final},
              "weights": {"xlim": [float(HIST_EDGES[0]), float(HIST_EDGES[-1])], "ylim": [0.0, top],
                          "title": f"histogram of the {weight_vector(run.model).size:,} weights"}}
    return Frame(tuple(layers), n, status, kind, charts)


def _chart(fig: Any, name: str, box: tuple[float, float, float, float], xlabel: str) -> Any:
    """A chart panel (the page draws its axes) at ``box`` = (left, bottom, width, height) in
    figure fractions, as ``fig.add_axes`` takes them."""
    from .scene import Panel

    width, height = fig.get_size_inches() * fig.dpi
    l, b, w, h = box
    return Panel(name, "chart", (l * width, (1 - b - h) * height, w * width, h * height),
                 xlabel=xlabel)


@lru_cache(maxsize=8)
def regularization_scene(xlim: tuple[float, float], ylim: tuple[float, float],
                         figsize: tuple[float, float] = (11.0, 3.8), dpi: int = 100) -> Any:
    """The regularization explorer's static layer, rendered once per window: the decision-region
    panel "regions" (an image panel over xlim x ylim, its title and a key to the colours) and
    the chart panels "loss" (epoch, log scale) and "weights" (weight value) the page draws."""
    from matplotlib.figure import Figure

    from .scene import scene_from_figure

    fig = Figure(figsize=figsize, dpi=dpi)
    ax = fig.add_axes(_REGIONS_AX)
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_title("decision regions of the network", fontsize=10)
    ax.set_xlabel("background: predicted class (colours mixed where unsure)", fontsize=8)
    charts = [_chart(fig, "loss", _LOSS_AX, "epoch (loss: the data term, without the penalty)"),
              _chart(fig, "weights", _WEIGHTS_AX, "weight value (|w| > 1 in the end bins)")]
    alt = ("Decision regions of the network with its training and validation points (left), "
           "training and validation loss per epoch (middle), the histogram of its weights (right).")
    return scene_from_figure(fig, {"regions": ax}, charts, alt)


# ---------------------------------------------------------------------------------------------
# the adversarial explorer's frame: (problem, AdversarialSettings) -> Frame (Play sweeps eps)
# ---------------------------------------------------------------------------------------------
#: Colours: the clean image's probabilities, the adversarial one's; a wrong prediction's title.
CLEAN_COLOR, ADV_COLOR, WRONG_COLOR = "#1f77b4", "#ff7f0e", "#c00000"
#: Axes boxes (figure fractions): the three images, then the two chart panels.
_IMAGE_AXES = ((0.01, 0.14, 0.125, 0.70), (0.145, 0.14, 0.125, 0.70), (0.28, 0.14, 0.125, 0.70))
_PROBA_AX = (0.47, 0.18, 0.22, 0.66)
_ACC_AX = (0.765, 0.18, 0.22, 0.66)
#: Data rows above an image kept for its caption (the image fills rows -0.5 ... rows - 0.5).
_CAPTION_ROWS = 2.6


@dataclass(frozen=True, eq=False)
class AdversarialProblem:
    """A classifier, inputs X (one image per row, inside ``clip``) with labels y, the grid of
    eps values and what does not depend on eps: the FGSM directions sign(dL/dX) and the accuracy
    on all of X for every eps of the grid (``accuracy_vs_eps``). Build it with
    ``adversarial_problem`` (which checks everything)."""
    model: MLP
    X: np.ndarray
    y: np.ndarray
    eps_values: np.ndarray
    image_shape: tuple[int, int]
    clip: tuple[float, float] | None
    direction: np.ndarray
    curve: np.ndarray
    _pngs: dict = field(default_factory=dict, repr=False)

    @property
    def pixel_range(self) -> tuple[float, float]:
        """(low, high) of the grey scale: the clip range, else the range of X (widened to
        (low, low + 1) for a constant X)."""
        if self.clip is not None:
            return self.clip
        lo, hi = float(self.X.min()), float(self.X.max())
        return (lo, hi) if hi > lo else (lo, lo + 1.0)

    def perturbed(self, index: int, eps: Any) -> np.ndarray:
        """fgsm of row ``index`` for each eps: clip(x + eps sign(dL/dx)), shape (len(eps), d)."""
        e = np.atleast_1d(np.asarray(eps, dtype=np.float64))
        out = self.X[index] + e[:, None] * self.direction[index]
        return out if self.clip is None else np.clip(out, *self.clip)

    def accuracy_at(self, eps: float) -> float:
        """The accuracy on all of X after the FGSM step of size eps (as ``accuracy_vs_eps``)."""
        X_adv = self.X + float(eps) * self.direction
        if self.clip is not None:
            X_adv = np.clip(X_adv, *self.clip)
        return float(self.model.accuracy(X_adv, self.y))

    def png(self, key: tuple, make: Callable[[], bytes]) -> bytes:
        """A picture, computed once per key (at most 4096 kept)."""
        if key not in self._pngs:
            if len(self._pngs) >= 4096:
                self._pngs.clear()
            self._pngs[key] = make()
        return self._pngs[key]


def adversarial_problem(model: MLP, X: Any, y: Any, *, eps_values: Any = None,
                        image_shape: tuple[int, int] = (8, 8),
                        clip: tuple[float, float] | None = (0.0, 1.0)) -> AdversarialProblem:
    """Check and prepare an FGSM problem: ``model`` a softmax classifier, X inside ``clip``, y its
    labels, ``eps_values`` an increasing grid from 0 (default 0, 0.01, ..., 0.3), ``image_shape``
    (rows, cols) with rows * cols = the inputs per row of X."""
    model = _model(model, classifier=True)
    if model.output != "softmax":
        raise ValueError(f"model must have output='softmax' (one score per class), got "
                         f"output={model.output!r}")
    lims = _clip_range(clip)
    X_arr = _inputs(model, X, lims)
    y_arr = np.asarray(y)
    model.loss(X_arr, y_arr)                          # the model's check of y
    e = (np.linspace(0.0, 0.3, 31) if eps_values is None
         else np.asarray(eps_values, dtype=np.float64))
    if e.ndim != 1 or e.size < 2 or not np.isfinite(e).all() or e[0] != 0 \
            or np.any(np.diff(e) <= 0):
        raise ValueError(f"eps_values must be an increasing 1-D grid starting at 0 with at "
                         f"least 2 values, got {np.asarray(eps_values)!r}")
    try:
        shape = (int(image_shape[0]), int(image_shape[1]))
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"image_shape must be a pair (rows, cols), got {image_shape!r}") from None
    if shape[0] * shape[1] != X_arr.shape[1]:
        raise ValueError(f"image_shape must have rows * cols = {X_arr.shape[1]} (the inputs "
                         f"per row of X), got {image_shape!r}")
    curve = accuracy_vs_eps(model, X_arr, y_arr, e, clip=lims)
    direction = np.sign(model.input_gradient(X_arr, y_arr))
    return AdversarialProblem(model, X_arr, y_arr, e, shape, lims, direction, curve)


@dataclass(frozen=True)
class AdversarialSettings:
    """The adversarial explorer's controls: the step size ``eps`` and the row ``index`` of X."""
    eps: float = 0.05
    index: int = 0

    def validated(self, problem: AdversarialProblem) -> AdversarialSettings:
        e = problem.eps_values
        eps = check.real("eps", self.eps, f"in [0, {e[-1]:g}]", lambda v: 0 <= v <= e[-1])
        index = check.integer("index", self.index, 0, problem.X.shape[0] - 1)
        return AdversarialSettings(eps, index)


def adversarial_sweep(problem: AdversarialProblem, eps: float) -> np.ndarray:
    """The eps values Play shows: the grid's values below ``eps``, then ``eps`` itself."""
    e = problem.eps_values
    below = e[e < eps - 1e-12 * max(1.0, float(e[-1]))]
    return np.append(below, float(eps))


def _bars(p: np.ndarray, width: float, shift: float) -> np.ndarray:
    """Bars of height p[c] and ``width`` centred at c + shift, as one polyline per class joined
    along the axis (a bar chart drawn as a line)."""
    c = np.arange(p.size, dtype=np.float64) + shift
    left, right = c - width / 2, c + width / 2
    zero = np.zeros(p.size)
    pts = np.stack([np.column_stack([left, zero]), np.column_stack([left, p]),
                    np.column_stack([right, p]), np.column_stack([right, zero])], axis=1)
    return pts.reshape(-1, 2)


def _says(p: np.ndarray) -> str:
    k = int(np.argmax(p))
    return f"says {k} ({100 * p[k]:.0f}%)"


def adversarial_frame(problem: AdversarialProblem, settings: AdversarialSettings) -> Any:
    """What the adversarial explorer draws (a ``gradlib.scene.Frame``) over ``adversarial_scene``.
    Play sweeps eps over ``adversarial_sweep(problem, settings.eps)``: step t shows eps_t.

        "clean"        x = X[index] (grey scale over the pixel range) and "label y: says k (p%)"
        "change"       x_adv - x per step (RdBu_r over [-max eps, max eps]: red = more ink) and
                       "ε = eps_t"
        "adversarial"  x_adv = clip(x + eps_t sign(dL/dx)) per step (``fgsm``) and what the
                       network says (red when it is wrong)
        "proba"        the class probabilities of x (all steps) and of x_adv (per step) as bars,
                       a star over the true label
        "accuracy"     accuracy on all of X against eps (``problem.curve``), a cursor and a
                       marker at (eps_t, accuracy at eps_t)

    Status: the shown image's prediction before and after, and the accuracy on all of X at eps.
    """
    from .scene import Frame, Layer

    s = settings.validated(problem)
    i, eps = s.index, s.eps
    e = problem.eps_values
    sweep = adversarial_sweep(problem, eps)
    n = len(sweep) - 1
    x, label = problem.X[i], int(problem.y[i])
    X_adv = problem.perturbed(i, sweep)
    p_clean = problem.model.predict_proba(x[None, :])[0]
    p_adv = problem.model.predict_proba(X_adv)
    k_clean, k_adv = int(np.argmax(p_clean)), p_adv.argmax(axis=1)
    # accuracy on all of X: the grid's values (computed once), then at eps itself
    acc = np.append(problem.curve[:n], problem.accuracy_at(eps))
    rows, cols = problem.image_shape
    lo, hi = problem.pixel_range
    extent = np.array([[-0.5, rows - 0.5], [cols - 0.5, -0.5]])
    top = -0.5 - _CAPTION_ROWS / 2
    caption = np.array([[(cols - 1) / 2, top]])

    clean_png = problem.png(("clean", i), lambda: digit_png(x, problem.image_shape, lo, hi))
    change_png = [problem.png(("change", i, float(v)), lambda r=r: digit_png(
        r - x, problem.image_shape, -float(e[-1]), float(e[-1]), "RdBu_r"))
        for v, r in zip(sweep, X_adv)]
    adv_png = [problem.png(("adv", i, float(v)), lambda r=r: digit_png(r, problem.image_shape, lo, hi))
               for v, r in zip(sweep, X_adv)]
    wrong = k_adv != label
    says = [_says(p) for p in p_adv]
    text = {"size": 12, "align": "center"}
    layers = [
        Layer("clean", extent, "image", "all", {"label": "clean image"}, images=[clean_png]),
        Layer("clean", caption, "text", "all",
              {**text, "color": "#111111" if k_clean == label else WRONG_COLOR, "label": "clean caption"},
              texts=[f"label {label}\n{_says(p_clean)}"]),
        Layer("change", extent, "image", "at", {"label": "change"}, images=change_png),
        Layer("change", np.repeat(caption, n + 1, axis=0), "text", "at",
              {**text, "label": "change caption"}, texts=[f"ε = {v:.3f}" for v in sweep]),
        Layer("adversarial", extent, "image", "at", {"label": "adversarial image"}, images=adv_png),
        Layer("adversarial", np.where(wrong[:, None], np.nan, np.repeat(caption, n + 1, axis=0)),
              "text", "at", {**text, "color": "#111111", "label": "adversarial caption (right)"},
              texts=says),
        Layer("adversarial", np.where(~wrong[:, None], np.nan, np.repeat(caption, n + 1, axis=0)),
              "text", "at", {**text, "color": WRONG_COLOR, "weight": "bold",
                             "label": "adversarial caption (wrong)"}, texts=says),
    ]
    classes = p_clean.size
    width = 0.38
    bars_adv = np.vstack([_bars(p, width, +0.2) for p in p_adv])
    layers += [
        Layer("proba", _bars(p_clean, width, -0.2), "line", "all",
              {"color": CLEAN_COLOR, "width": 1.6, "label": "clean image"}),
        Layer("proba", bars_adv, "segments-per-step", "at",
              {"color": ADV_COLOR, "width": 1.6, "label": "adversarial image"},
              offsets=np.arange(0, len(bars_adv) + 1, len(bars_adv) // (n + 1))),
        Layer("proba", np.array([[float(label), 1.1]]), "points", "all",
              {"marker": "*", "size": 12, "fill": "#ffffff", "edge": "#000000",
               "label": "true label"}),
    ]
    cursor = np.column_stack([np.repeat(sweep, 3), np.tile([0.0, 1.0, np.nan], n + 1)])
    layers += [
        Layer("accuracy", np.column_stack([e, problem.curve]), "line", "all",
              {"color": CLEAN_COLOR, "width": 1.5, "marker": "o", "size": 3,
               "label": f"accuracy on all {problem.X.shape[0]} inputs"}),
        Layer("accuracy", cursor, "segments-per-step", "at",
              {"color": ADV_COLOR, "width": 1.0, "label": "shown ε"},
              offsets=np.arange(0, 3 * (n + 1) + 1, 3)),
        Layer("accuracy", np.column_stack([sweep, acc]), "points", "at",
              {"marker": "o", "size": 8, "fill": ADV_COLOR, "edge": "#000000", "label": "shown ε"}),
    ]
    flipped = int(k_adv[-1]) != k_clean
    status = (f"image {i} (label {label}): prediction {'flipped' if flipped else 'kept'} "
              f"({k_clean} → {int(k_adv[-1])}) at ε = {eps:.3f}; accuracy on all "
              f"{problem.X.shape[0]} inputs {100 * acc[-1]:.1f}%"
              + (". ▶ Play sweeps ε from 0." if n else ". Raise ε, then ▶ Play sweeps it from 0."))
    # limits the page keeps as they are (its ticks: multiples of 0.25 and 0.5)
    charts = {"proba": {"xlim": [-0.7, classes - 0.3], "ylim": [0.0, 1.5],
                        "title": f"class probabilities: {k_clean} → {int(k_adv[-1])}"},
              "accuracy": {"xlim": [0.0, float(e[-1])], "ylim": [0.0, 1.0],
                           "title": f"accuracy {100 * acc[-1]:.1f}% at ε = {eps:.3f}"}}
    return Frame(tuple(layers), n, status, "info", charts)


@lru_cache(maxsize=8)
def adversarial_scene(image_shape: tuple[int, int] = (8, 8), eps_max: float = 0.3,
                      figsize: tuple[float, float] = (11.0, 3.4), dpi: int = 100) -> Any:
    """The adversarial explorer's static layer: three image panels "clean", "change",
    "adversarial" (pixel (r, c) at x = c, y = r, rows growing downwards, with room above each
    image for its caption), the colour bar of the change (RdBu_r over [-eps_max, eps_max]) and
    the chart panels "proba" (class) and "accuracy" (eps) the page draws."""
    import matplotlib
    from matplotlib.cm import ScalarMappable
    from matplotlib.colors import Normalize
    from matplotlib.figure import Figure

    from .scene import scene_from_figure

    rows, cols = int(image_shape[0]), int(image_shape[1])
    eps_max = check.positive("eps_max", eps_max)
    fig = Figure(figsize=figsize, dpi=dpi)
    width, height = fig.get_size_inches() * dpi
    axes = {}
    titles = {"clean": "clean x", "change": "change x_adv − x", "adversarial": "adversarial x_adv"}
    for (name, title), (l, b, w, _) in zip(titles.items(), _IMAGE_AXES):
        h = min(0.74, w * width * (rows + _CAPTION_ROWS) / cols / height)
        ax = fig.add_axes((l, b + 0.74 - h, w, h))
        ax.set_xlim(-0.5, cols - 0.5)
        ax.set_ylim(rows - 0.5, -0.5 - _CAPTION_ROWS)
        ax.set_axis_off()
        ax.set_title(title, fontsize=10)
        axes[name] = ax
    l, b, w, _ = _IMAGE_AXES[1]
    bar = fig.add_axes((l + 0.01, b - 0.03, w - 0.02, 0.04))
    mappable = ScalarMappable(Normalize(-eps_max, eps_max), matplotlib.colormaps["RdBu_r"])
    cbar = fig.colorbar(mappable, cax=bar, orientation="horizontal")
    cbar.set_ticks([-eps_max, 0.0, eps_max])
    cbar.ax.tick_params(labelsize=7)
    cbar.set_label("red: more ink, blue: less", fontsize=8)
    fig.text(_IMAGE_AXES[0][0] + 0.0625, 0.06, "dark = ink", ha="center", fontsize=8)
    charts = [_chart(fig, "proba", _PROBA_AX, "class"),
              _chart(fig, "accuracy", _ACC_AX, "ε (largest change per input)")]
    alt = ("The clean image, the FGSM change and the adversarial image with what the network "
           "says about each; the class probabilities before and after; the accuracy on all "
           "inputs against ε.")
    return scene_from_figure(fig, axes, charts, alt)
