"""Explorers and helpers for notebooks 10-11: vanishing and exploding gradients, and sharpness
during training (the edge of stability).

    gradient_flow_explorer()   depth, activation, init and init scale on controls -> the gradient
                               norm of every layer at initialization, as bars on a log axis

Pure helpers, usable and tested without any widget:

    probe_data(n, seed)                      rows of the digits training set: a fixed probe batch
    layer_gradient_norms(depth, width, activation, init, init_scale, seed, X, y)
                                             ||dL/dW_l|| of every layer of a fresh MLP
    diagnose(norms)                          "vanishing" / "exploding" / "healthy", in words
    gradient_norm_table(depths, activations, inits, ...)  first- and last-layer norms against
                                             depth for each (activation, init): the heat map
    chain_weights(depth, width, init_scale, seed)         a toy deep chain of square layers
    chain_forward(x, weights, activation, ...)            h_{l+1} = f(W_l h_l) (+ h_l, residual)
    jacobian_gains(depth, width, activation, ...)         ||dh_L/dh_l|| / sqrt(n) for every l:
                                             how a gradient arriving at the top is scaled on its
                                             way down, with and without residual connections and
                                             normalization
    sharpness_trace(model_factory, X, y, lrs, steps, every)   full-batch gradient descent for
                                             several learning rates, the top Hessian eigenvalue
                                             measured every ``every`` steps -> SharpnessRun each
    full_hessian(model, X, y)                the whole Hessian of a small network, from hvp
    plot_layer_norms, plot_gradient_norm_table, plot_sharpness, sharpness_animation

All numbers come from gradlib.mlp (backprop, Hessian-vector products, Lanczos sharpness); this
module only arranges experiments and pictures around them.
"""
from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
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
from .. import data as gdata
from ..animate import HTMLAnimation, animate_frames
from ..mlp import ACTIVATIONS, INITS, MLP
# Loops of many small MLP calls enter BLAS's one-thread limit once, with gradlib.mlp's controller
# (one thread is faster for products this small when the other core is busy; see DESIGN.md).
from ..mlp import _one_blas_thread
from ._base import Dashboard, new_figure

__all__ = [
    "CHAIN_ACTIVATIONS", "MAX_DEPTH", "VANISHING", "EXPLODING",
    "probe_data", "layer_gradient_norms", "diagnose", "GradientNormTable", "gradient_norm_table",
    "chain_weights", "chain_forward", "jacobian_gains",
    "SharpnessRun", "sharpness_trace", "full_hessian",
    "plot_layer_norms", "HeatMap", "plot_gradient_norm_table", "SharpnessArtists",
    "RUN_COLORS", "plot_sharpness", "sharpness_animation",
    "GradientFlowExplorer", "gradient_flow_explorer",
]

#: Deepest network the helpers build (hidden layers); keeps every product of gains finite.
MAX_DEPTH = 60
#: A first layer whose gradient is below VANISHING times the last layer's is "vanishing" ...
VANISHING = 1e-2
#: ... above EXPLODING times the last layer's (or any layer above EXPLODING in absolute terms)
#: is "exploding".
EXPLODING = 1e2
#: Activations of the toy chain: those of gradlib.mlp plus "linear" (f(z) = z).
CHAIN_ACTIVATIONS: tuple[str, ...] = (*ACTIVATIONS, "linear")
#: Colours of the curves (layer norms) and runs (sharpness) in the pictures: the Okabe-Ito
#: palette (distinguishable with every common colour-vision deficiency; no red-green pair).
RUN_COLORS: tuple[str, ...] = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00",
                               "#000000", "#F0E442")
#: Bars of layers whose gradient overflowed (inf): near-black, never red against green.
_OVERFLOW_COLOR = "#222222"
_ACTIVATION_COLORS = {"sigmoid": "#7570b3", "tanh": "#1b9e77", "relu": "#d95f02",
                      "leaky_relu": "#e7298a", "linear": "#666666"}



# ---------------------------------------------------------------------------------------------
# validation (once, at the boundary)
# ---------------------------------------------------------------------------------------------
def _init_scale(value: Any) -> float:
    """init_scale, the factor applied to the initial weights: in (0, 100]."""
    return check.real("init_scale", value, "a finite number in (0, 100.0]", lambda v: 0 < v <= 100)


def _names(name: str, values: Any, options: Sequence[str]) -> tuple[str, ...]:
    if isinstance(values, str) or not isinstance(values, Sequence) or len(values) == 0:
        raise ValueError(f"{name} must be a non-empty list of names from "
                         f"{', '.join(map(repr, options))}, got {values!r}")
    return tuple(check.one_of(f"{name}[{i}]", v, options) for i, v in enumerate(values))


def _classification_data(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    """X (m, d) finite floats and y (m,) integer labels >= 0; None for both: probe_data()."""
    if X is None and y is None:
        return probe_data()
    if X is None or y is None:
        raise ValueError("X and y must be given together (or both left out for probe_data())")
    try:
        X = np.asarray(X, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"X must be an array of numbers, got {type(X).__name__}") from None
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise ValueError(f"X must have shape (m, d) with m, d >= 1, got shape {X.shape}")
    if not np.isfinite(X).all():
        raise ValueError("X must be finite: it contains NaN or inf")
    y = np.asarray(y)
    if y.shape != (X.shape[0],) or not np.issubdtype(y.dtype, np.integer):
        raise ValueError(f"y must hold one integer class label per row of X, shape "
                         f"({X.shape[0]},), got shape {y.shape} and dtype {y.dtype}")
    if y.min() < 0:
        raise ValueError(f"y must hold class labels >= 0, got {y.min()}")
    return X, y


# ---------------------------------------------------------------------------------------------
# per-layer gradient norms of an MLP at initialization
# ---------------------------------------------------------------------------------------------
def probe_data(n: int = 256, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The first n rows of the digits training set (64 pixels in [0, 1], labels 0-9).

    A fixed, real batch on which to measure gradients at initialization; seeded split.
    """
    n = check.integer("n", n, 10, 1347)
    seed = check.integer("seed", seed, 0)
    split = gdata.digits(seed=seed)
    return split.X_train[:n].copy(), split.y_train[:n].copy()


def _network(depth: int, width: int, activation: str, init: str, init_scale: float, seed: int,
             d: int, k: int) -> MLP:
    return MLP([d] + [width] * depth + [k], activation=activation, output="softmax", init=init,
               seed=seed, init_scale=init_scale)


def _norms(net: MLP, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """||dL/dW_l||_F for each layer; a layer whose gradient overflowed reports inf."""
    with np.errstate(all="ignore"):
        out = np.asarray(net.layer_gradient_norms(X, y), dtype=np.float64)
    out[~np.isfinite(out)] = math.inf         # nan (inf - inf inside an overflow) also means inf
    return out


def layer_gradient_norms(depth: int, width: int = 64, activation: str = "relu", init: str = "he",
                         init_scale: float = 1.0, seed: int = 0, X: ArrayLike | None = None,
                         y: ArrayLike | None = None, *, seeds: int = 1) -> np.ndarray:
    """||dL/dW_l|| (Frobenius) for l = 1 .. depth + 1 of a freshly initialized MLP.

        sizes = [d, width x depth, classes],  softmax + cross-entropy on (X, y)
        returned[l - 1] = || dL/dW_l ||,  l = 1 (input side) ... depth + 1 (output layer)

    ``depth`` counts hidden layers. init is "he", "xavier" or "normal" (std 1), each std times
    ``init_scale``. With ``seeds`` > 1 the norms are averaged (arithmetic mean) over the
    networks with seeds seed, seed + 1, ... A layer whose gradient overflowed reports inf.
    X, y default to ``probe_data()`` (256 digits).
    """
    depth = check.integer("depth", depth, 1, MAX_DEPTH)
    width = check.integer("width", width, 1, 1024)
    activation = check.one_of("activation", activation, ACTIVATIONS)
    init = check.one_of("init", init, INITS)
    init_scale = _init_scale(init_scale)
    seed = check.integer("seed", seed, 0)
    seeds = check.integer("seeds", seeds, 1, 100)
    X, y = _classification_data(X, y)
    return _layer_norms(depth, width, activation, init, init_scale, seed, seeds, X, y)


def _layer_norms(depth: int, width: int, activation: str, init: str, init_scale: float,
                 seed: int, seeds: int, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    k = max(int(y.max()) + 1, 2)
    total = np.zeros(depth + 1)
    with _one_blas_thread():
        for s in range(seed, seed + seeds):
            total += _norms(_network(depth, width, activation, init, init_scale, s, X.shape[1], k),
                            X, y)
    return total / seeds


def diagnose(norms: ArrayLike) -> str:
    """One line about per-layer gradient norms (first entry: the input-side layer).

        ratio = norms[0] / norms[-1]
        ratio < VANISHING (1e-2)      -> "vanishing: ..."
        ratio > EXPLODING (1e2) or some norm > EXPLODING, or inf -> "exploding: ..."
        every norm < 1 / EXPLODING    -> "vanishing everywhere: ..."
        otherwise                     -> "healthy: ..."
    """
    try:
        g = np.asarray(norms, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"norms must be an array of numbers, got {type(norms).__name__}") from None
    if g.ndim != 1 or g.size < 2 or np.isnan(g).any() or (g < 0).any():
        raise ValueError(f"norms must be a 1-D array of at least 2 norms >= 0, got {norms!r}")
    first, last = float(g[0]), float(g[-1])
    if not np.isfinite(g).all():
        return "exploding: a gradient overflowed to inf"
    if last == 0.0:
        return "vanishing everywhere: the last layer's gradient is exactly 0" if first == 0 \
            else "exploding: the last layer's gradient is 0 but the first layer's is not"
    ratio = first / last
    if ratio < VANISHING:
        return (f"vanishing: the first layer gets {ratio:.1e} times the last layer's gradient "
                f"(about {1 / ratio:.0e} times less)" if ratio > 0 else
                "vanishing: the first layer's gradient is exactly 0")
    if ratio > EXPLODING:
        return f"exploding: the first layer gets {ratio:.1e} times the last layer's gradient"
    if g.max() > EXPLODING:
        return f"exploding: every layer's gradient is huge (largest {g.max():.1e})"
    if g.max() < 1.0 / EXPLODING:
        return f"vanishing everywhere: every layer's gradient is tiny (largest {g.max():.1e})"
    return f"healthy: first / last = {ratio:.2g}"


class GradientNormTable(NamedTuple):
    """Gradient norms at initialization against depth, one row per (activation, init).

    ``first[r, j]`` = ||dL/dW_1|| (input-side layer) and ``last[r, j]`` = ||dL/dW_{D+1}||
    (output layer) for the network of row r and depth ``depths[j]``; inf where it overflowed.
    """
    depths: np.ndarray
    rows: tuple[tuple[str, str], ...]
    first: np.ndarray
    last: np.ndarray

    @property
    def labels(self) -> list[str]:
        """Row labels such as "sigmoid, xavier"."""
        return [f"{a}, {i}" for a, i in self.rows]

    @property
    def ratio(self) -> np.ndarray:
        """first / last: below 1e-2 the first layer is starved (vanishing)."""
        with np.errstate(all="ignore"):
            return self.first / self.last


def gradient_norm_table(depths: Sequence[int], activations: Sequence[str], inits: Sequence[str],
                        *, width: int = 64, init_scale: float = 1.0, seed: int = 0, seeds: int = 1,
                        X: ArrayLike | None = None, y: ArrayLike | None = None
                        ) -> GradientNormTable:
    """``layer_gradient_norms`` for every depth and every (activation, init) pair.

        rows = [(a, i) for a in activations for i in inits]
        first[r, j], last[r, j] = norms[0], norms[-1] of layer_gradient_norms(depths[j], row r)
    """
    if isinstance(depths, (str, bytes)) or not isinstance(depths, (Sequence, np.ndarray)) \
            or len(depths) == 0:
        raise ValueError(f"depths must be a non-empty list of integers in [1, {MAX_DEPTH}], "
                         f"got {depths!r}")
    ds = np.array([check.integer(f"depths[{j}]", d, 1, MAX_DEPTH) for j, d in enumerate(depths)])
    acts = _names("activations", activations, tuple(ACTIVATIONS))
    names = _names("inits", inits, tuple(INITS))
    width = check.integer("width", width, 1, 1024)
    init_scale = _init_scale(init_scale)
    seed, seeds = check.integer("seed", seed, 0), check.integer("seeds", seeds, 1, 100)
    X, y = _classification_data(X, y)
    rows = tuple((a, i) for a in acts for i in names)
    first = np.empty((len(rows), ds.size))
    last = np.empty_like(first)
    for r, (a, i) in enumerate(rows):
        for j, d in enumerate(ds):
            g = _layer_norms(int(d), width, a, i, init_scale, seed, seeds, X, y)
            first[r, j], last[r, j] = g[0], g[-1]
    return GradientNormTable(ds, rows, first, last)


# ---------------------------------------------------------------------------------------------
# a toy deep chain: the product of Jacobians with and without residual connections
# ---------------------------------------------------------------------------------------------
def _chain_activation(name: str) -> tuple[Callable, Callable]:
    if name == "linear":
        return (lambda z: z), (lambda z, a: np.ones_like(z))
    act = ACTIVATIONS[name]
    return act.f, act.df


def chain_weights(depth: int, width: int, init_scale: float = 1.0, seed: int = 0) -> np.ndarray:
    """depth square matrices W_l ~ N(0, init_scale^2 / width), shape (depth, width, width).

    init_scale = 1 is Xavier for square layers (2 / (n + n) = 1 / n); sqrt(2) is He.
    """
    depth = check.integer("depth", depth, 1, 500)
    width = check.integer("width", width, 1, 512)
    init_scale = _init_scale(init_scale)
    seed = check.integer("seed", seed, 0)
    rng = np.random.default_rng(seed)
    return rng.normal(0.0, init_scale / math.sqrt(width), (depth, width, width))


def _check_chain(x: Any, weights: Any, activation: Any) -> tuple[np.ndarray, np.ndarray, str]:
    try:
        Ws = np.asarray(weights, dtype=np.float64)
        h = np.asarray(x, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError("x and weights must be arrays of numbers") from None
    if Ws.ndim != 3 or Ws.shape[1] != Ws.shape[2] or Ws.shape[0] < 1 or not np.isfinite(Ws).all():
        raise ValueError(f"weights must be a finite array of shape (depth, n, n), got shape "
                         f"{Ws.shape}")
    if h.shape != (Ws.shape[1],) or not np.isfinite(h).all():
        raise ValueError(f"x must be a finite vector of shape ({Ws.shape[1]},), got shape {h.shape}")
    return h, Ws, check.one_of("activation", activation, CHAIN_ACTIVATIONS)


def _layer_norm(z: np.ndarray) -> tuple[np.ndarray, float]:
    """zhat = (z - mean z) / std z  (layer normalization without learned gain or shift)."""
    centered = z - z.mean()
    sd = math.sqrt(float(np.vdot(centered, centered)) / z.size)
    return centered / sd, sd


def chain_forward(x: ArrayLike, weights: ArrayLike, activation: str = "tanh", *,
                  residual: bool = False, normalize: bool = False) -> np.ndarray:
    """Hidden states h_0 = x, h_1, ..., h_L of a deep chain of square layers; shape (L + 1, n).

        plain       h_{l+1} = f(W_l h_l)
        normalize   h_{l+1} = f(LN(W_l h_l)),   LN(z) = (z - mean z) / std z   (over the n units)
        residual    h_{l+1} = h_l + (the above)                                  (skip connection)
    """
    h, Ws, activation = _check_chain(x, weights, activation)
    f, _ = _chain_activation(activation)
    out = [h]
    with np.errstate(all="ignore"):
        for W in Ws:
            z = W @ h
            if normalize:
                z = _layer_norm(z)[0]
            h = h + f(z) if residual else f(z)
            out.append(h)
    return np.array(out)


def jacobian_gains(depth: int, width: int = 64, activation: str = "tanh", *,
                   residual: bool = False, normalize: bool = False, init_scale: float = 1.0,
                   seed: int = 0) -> np.ndarray:
    """How much a gradient at the top of a deep chain is scaled on its way down to layer l.

        J_l = dh_{l+1}/dh_l = [I if residual] + diag(f'(.)) N_l W_l
              N_l = I (plain) or the Jacobian of LN: (I - 11^T/n - zhat zhat^T/n) / std(W_l h_l)
        gains[l] = || J_{L-1} ... J_l ||_F / sqrt(n),   l = 0 .. L   (gains[L] = 1)

    For the gradient g = dLoss/dh_L, dLoss/dh_l = (J_{L-1} ... J_l)^T g; the gain is the root-mean-
    square factor by which it is scaled (the RMS singular value). Weights from
    ``chain_weights(depth, width, init_scale, seed)``, input x ~ N(0, I) from the same seed.
    A product that overflows reports inf.
    """
    activation = check.one_of("activation", activation, CHAIN_ACTIVATIONS)
    Ws = chain_weights(depth, width, init_scale, seed)
    x = np.random.default_rng(seed + 1).standard_normal(width)
    hs = chain_forward(x, Ws, activation, residual=bool(residual), normalize=bool(normalize))
    f, df = _chain_activation(activation)
    n = width
    eye = np.eye(n)
    gains = np.ones(depth + 1)
    P = eye                                    # J_{L-1} ... J_{l}, built from the top down
    with np.errstate(all="ignore"), _one_blas_thread():
        for l in range(depth - 1, -1, -1):
            W, h = Ws[l], hs[l]
            z = W @ h
            if normalize:                      # d LN(z)/dz = (I - 11^T/n - zhat zhat^T/n) / std
                zhat, sd = _layer_norm(z)
                N = (eye - 1.0 / n - np.outer(zhat, zhat) / n) / sd
                z, local = zhat, N @ W
            else:
                local = W
            J = df(z, f(z))[:, None] * local   # diag(f'(z)) N W
            if residual:
                J = J + eye                    # d(h + branch)/dh = I + d branch/dh
            P = P @ J
            gains[l] = math.sqrt(float(np.vdot(P, P)) / n)
    gains[~np.isfinite(gains)] = math.inf
    return gains


# ---------------------------------------------------------------------------------------------
# sharpness along full-batch gradient descent
# ---------------------------------------------------------------------------------------------
class SharpnessRun(NamedTuple):
    """One full-batch gradient-descent run at learning rate ``lr``.

    ``losses[t]`` is L(theta_t) for t = 0 .. (steps or the step it diverged);
    ``sharpness[i]`` is the top Hessian eigenvalue at step ``measured_at[i]`` (every ``every``
    steps, from t = 0); ``threshold`` = 2 / lr, the stability limit of gradient descent on a
    quadratic; ``status`` is "finished" or "diverged".
    """
    lr: float
    measured_at: np.ndarray
    sharpness: np.ndarray
    losses: np.ndarray
    status: str

    @property
    def threshold(self) -> float:
        """2 / lr: gradient descent on a quadratic is stable only while lambda_max < 2 / lr."""
        return 2.0 / self.lr


def _check_model(model: Any, name: str = "model_factory must return") -> Any:
    for attr in ("loss_and_gradient", "sharpness", "hvp", "params", "n_params"):
        if not hasattr(model, attr):
            raise ValueError(f"{name} an MLP (with loss_and_gradient, hvp, sharpness and "
                             f"params), got {type(model).__name__} without {attr}")
    return model


def sharpness_trace(model_factory: Callable[[], MLP], X: ArrayLike, y: ArrayLike,
                    lrs: Sequence[float], steps: int, every: int = 10) -> tuple[SharpnessRun, ...]:
    """Full-batch gradient descent from the same initialization for each learning rate,
    measuring the sharpness (top Hessian eigenvalue, ``MLP.sharpness``) every ``every`` steps.

        theta_{t+1} = theta_t - lr * grad L(theta_t)          t = 0 .. steps - 1
        sharpness_t = lambda_max(hessian of L at theta_t)     t = 0, every, 2 every, ...

    ``model_factory()`` must return a fresh network (the same one on every call). A run whose
    loss or parameters stop being finite ends there with status "diverged" (the last finite
    parameters are kept in the network; nothing non-finite is recorded).
    """
    if not callable(model_factory):
        raise ValueError(f"model_factory must be a function returning a fresh MLP, got "
                         f"{type(model_factory).__name__}")
    if isinstance(lrs, (str, bytes)) or not isinstance(lrs, (Sequence, np.ndarray)) or len(lrs) == 0:
        raise ValueError(f"lrs must be a non-empty list of learning rates > 0, got {lrs!r}")
    rates = [check.positive(f"lrs[{i}]", lr) for i, lr in enumerate(lrs)]
    steps = check.integer("steps", steps, 1, 100_000)
    every = check.integer("every", every, 1, steps)
    runs = []
    for lr in rates:
        net = _check_model(model_factory())
        # validate the data once per run through the network's own checks
        net.loss(X, y)
        with _one_blas_thread():
            runs.append(_descend_measuring(net, X, y, lr, steps, every))
    return tuple(runs)


def _descend_measuring(net: MLP, X: Any, y: Any, lr: float, steps: int, every: int
                       ) -> SharpnessRun:
    theta = net.params                         # the live parameter vector
    losses: list[float] = []
    at: list[int] = []
    sharp: list[float] = []
    status = "finished"
    for t in range(steps + 1):
        loss, g = net.loss_and_gradient(X, y)
        if not (math.isfinite(loss) and np.isfinite(g).all()):
            status = "diverged"
            break
        losses.append(loss)
        if t % every == 0:
            at.append(t)
            sharp.append(net.sharpness(X, y))
        if t == steps:
            break
        previous = theta.copy()
        with np.errstate(all="ignore"):
            theta -= lr * g                    # theta <- theta - lr * grad L(theta)
        if not np.isfinite(theta).all():
            theta[...] = previous
            status = "diverged"
            break
    return SharpnessRun(lr, np.array(at, dtype=int), np.array(sharp), np.array(losses), status)


def full_hessian(model: MLP, X: ArrayLike, y: ArrayLike) -> np.ndarray:
    """The whole Hessian of ``model.loss(X, y)``, column by column from Hessian-vector products.

        H[:, j] = model.hvp(X, y, e_j),   then symmetrized: (H + H^T) / 2

    n_params products and 8 n_params^2 bytes: for small networks only (at most 5000 parameters),
    to check ``model.sharpness`` against ``numpy.linalg.eigvalsh``.
    """
    _check_model(model, "model must be")
    n = int(model.n_params)
    if n > 5000:
        raise ValueError(f"model must have at most 5000 parameters for a full Hessian, got {n}; "
                         f"use model.sharpness or model.hvp instead")
    model.loss(X, y)                           # the network's own input checks, once
    H = np.empty((n, n))
    e = np.zeros(n)
    with _one_blas_thread():
        for j in range(n):
            e[j] = 1.0
            H[:, j] = model.hvp(X, y, e)
            e[j] = 0.0
    return 0.5 * (H + H.T)


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
class GradientFlowExplorer(Dashboard):
    """Bars: ||dL/dW_l|| for every layer of a freshly initialized MLP, on a log axis.

    Controls: depth (hidden layers), activation, init, init_scale (log slider). The status line
    says what the bars show (``diagnose``).
    """

    def __init__(self, depth: int = 10, width: int = 64, activation: str = "sigmoid",
                 init: str = "xavier", init_scale: float = 1.0, *, max_depth: int = 30,
                 seeds: int = 1, X: ArrayLike | None = None, y: ArrayLike | None = None) -> None:
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
        self.norms = np.ones(depth + 1)

        self.figure = new_figure((7.0, 3.6))
        ax = self.ax = self.figure.add_subplot(1, 1, 1)
        positions = np.arange(1, self.max_depth + 2)
        self.bars = list(ax.bar(positions, np.ones_like(positions, dtype=float), width=0.75,
                                color=_ACTIVATION_COLORS[activation], bottom=0.0))
        ax.set_yscale("log")
        ax.set_xlabel("layer l (1 = input side, last = output layer)")
        ax.set_ylabel("||dL/dW_l|| at initialization")
        self.reference = ax.axhline(1.0, color="k", linestyle=":", linewidth=1.0)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        self.title = ax.set_title("", fontsize=10)
        self.figure.subplots_adjust(left=0.12, right=0.97, bottom=0.14, top=0.9)

        c = self.controls
        c["depth"] = W.IntSlider(value=depth, min=1, max=self.max_depth, description="depth",
                                 continuous_update=False)
        c["activation"] = W.Dropdown(options=list(ACTIVATIONS), value=activation,
                                     description="activation")
        c["init"] = W.Dropdown(options=list(INITS), value=init, description="init")
        c["init_scale"] = W.FloatLogSlider(value=init_scale, base=10, min=-2, max=2, step=0.05,
                                           description="init scale", readout_format=".3g",
                                           continuous_update=False)
        self._wire()

    def update(self) -> None:
        c = self.controls
        depth, activation = int(c["depth"].value), str(c["activation"].value)
        init, scale = str(c["init"].value), float(c["init_scale"].value)
        g = _layer_norms(depth, self.width, activation, init, scale, 0, self.seeds, self.X, self.y)
        self.norms = g
        finite = g[np.isfinite(g) & (g > 0)]
        lo = float(finite.min()) if finite.size else 1e-3
        hi = float(finite.max()) if finite.size else 1.0
        lo, hi = min(lo, 1e-3) / 3.0, max(hi, 1.0) * 3.0
        color = _ACTIVATION_COLORS[activation]
        for l, bar in enumerate(self.bars):
            if l <= depth:
                v = g[l]
                bar.set_visible(True)
                bar.set_y(lo)                              # log axis: bars stand on the floor
                bar.set_height((hi if not np.isfinite(v) else max(v, lo)) - lo)
                bar.set_color(_OVERFLOW_COLOR if not np.isfinite(v) else color)
            else:
                bar.set_visible(False)
        self.ax.set_xlim(0.4, depth + 1.6)
        self.ax.set_ylim(lo, hi)
        self.reference.set_ydata([g[-1], g[-1]] if np.isfinite(g[-1]) and g[-1] > 0 else [1, 1])
        self.title.set_text(f"{activation}, init {init} x {scale:.3g}, depth {depth}: "
                            f"{diagnose(g).split(':')[0]}")
        overflow = "; near-black bars: overflowed to inf" if not np.isfinite(g).all() else ""
        self.status.value = (f"<b>{html.escape(diagnose(g))}</b> &nbsp; (dotted line: the output "
                             f"layer's norm{overflow})")
        self.redraw()


def gradient_flow_explorer(depth: int = 10, width: int = 64, activation: str = "sigmoid",
                           init: str = "xavier", init_scale: float = 1.0, **kwargs: Any
                           ) -> GradientFlowExplorer:
    """The per-layer gradient norms of a fresh MLP on controls; see ``GradientFlowExplorer``."""
    return GradientFlowExplorer(depth, width, activation, init, init_scale, **kwargs)
