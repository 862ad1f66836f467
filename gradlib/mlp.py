"""A multilayer perceptron in NumPy: backprop by the chain rule, trained by gradlib.optim.

Forward pass (rows of X are samples; layer i = 0 .. L-1):

    a_0 = X
    z_i = a_i W_i + b_i                     W_i: (fan_in, fan_out), b_i: (fan_out,)
    a_{i+1} = f(z_i)                        hidden layers only; f = sigmoid | tanh | relu | leaky_relu
    scores = z_{L-1}                        the output layer has no f: its "link" lives in the loss

Output + loss for m samples (L below is the mean over samples, the convention of torch):

    "softmax"  + cross-entropy        L = (1/m) sum_i [ log sum_k exp(z_ik) - z_i,y_i ]
    "sigmoid"  + binary cross-entropy L = (1/(m k)) sum_ij [ log(1 + exp(z_ij)) - y_ij z_ij ]
    "identity" + squared error        L = (1/(2m)) sum_i ||z_i - y_i||^2

All three share the same, famously simple, output error:
dL/dz = (softmax(z) - onehot(y)) / m,  (sigmoid(z) - y) / (m k),  (z - y) / m.
The squared error has the 1/2 so that dL/dz is exactly the residual over m; with one output this is
the L = 1/(2m) sum (y_i - yhat_i)^2 of linear regression.

Backward pass: the chain rule applied layer by layer, from the loss down to the input (see
``MLP._backward``). All parameters live in ONE flat float64 vector ``params`` laid out as
[W_0, b_0, W_1, b_1, ...] (each W row-major); ``weights[i]`` and ``biases[i]`` are views into it, and
``gradient`` returns the same layout, so every optimizer of gradlib.optim trains a network exactly
as it descends a 2-D surface.

Beyond the gradient: ``hvp(X, y, v)`` is the exact Hessian-vector product H v (Pearlmutter's
R-operator: the forward and backward passes differentiated once more along v); ``sharpness`` is
the top eigenvalue of H by Lanczos iteration on hvp; ``input_gradient`` = dL/dX and
``class_score_gradient`` = dz_k/dx carry backprop one step past the first layer (saliency,
adversarial examples). ``fit`` trains with any optimizer of gradlib.optim and returns a History.

Conventions worth knowing: relu'(0) = 0 (as in torch); leaky_relu has slope 0.01 for z < 0; the L1
penalty's subgradient at w = 0 is 0 (sign(0) = 0); L1 and L2 penalise weights only, never biases.
"""
from __future__ import annotations

import contextlib
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np
from scipy.special import expit

from . import _checks as check

__all__ = ["MLP", "History", "EpochLog", "ACTIVATIONS", "OUTPUTS", "INITS", "LEAKY_SLOPE"]

LEAKY_SLOPE = 0.01


# --------------------------------------------------------------------------- activations
class Activation(NamedTuple):
    """A hidden-layer nonlinearity a = f(z), with its first and second derivatives.

    The derivatives take both z and a = f(z): sigmoid' = a (1 - a) is cheaper from a than from z.
    """
    f: Callable[[np.ndarray], np.ndarray]
    df: Callable[[np.ndarray, np.ndarray], np.ndarray]     # f'(z)
    d2f: Callable[[np.ndarray, np.ndarray], np.ndarray]    # f''(z), used by Hessian-vector products


def _zero(z: np.ndarray, a: np.ndarray) -> np.ndarray:
    return np.zeros_like(z)


ACTIVATIONS: dict[str, Activation] = {
    # sigmoid(z) = 1 / (1 + exp(-z));  f' = a (1 - a);  f'' = a (1 - a) (1 - 2a)
    "sigmoid": Activation(expit, lambda z, a: a * (1.0 - a),
                          lambda z, a: a * (1.0 - a) * (1.0 - 2.0 * a)),
    # tanh(z);  f' = 1 - a^2;  f'' = -2 a (1 - a^2)
    "tanh": Activation(np.tanh, lambda z, a: 1.0 - a * a, lambda z, a: -2.0 * a * (1.0 - a * a)),
    # relu(z) = max(z, 0);  f' = [z > 0] (0 at the kink, as torch);  f'' = 0 away from the kink
    "relu": Activation(lambda z: np.maximum(z, 0.0), lambda z, a: z > 0.0, _zero),
    # leaky_relu(z) = z if z > 0 else 0.01 z;  f' = 1 or 0.01;  f'' = 0 away from the kink
    "leaky_relu": Activation(lambda z: np.where(z > 0.0, z, LEAKY_SLOPE * z),
                             lambda z, a: np.where(z > 0.0, 1.0, LEAKY_SLOPE), _zero),
}


# --------------------------------------------------------------------------- outputs and losses
def _softmax_xent(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """L = (1/m) sum_i [logsumexp(z_i) - z_i,y_i];  dL/dz = (softmax(z) - onehot(y)) / m."""
    m = z.shape[0]
    rows = np.arange(m)
    s = z - z.max(axis=1, keepdims=True)          # shifting by the row max: exp never overflows
    e = np.exp(s)
    total = e.sum(axis=1, keepdims=True)
    loss = (np.log(total).sum() - s[rows, y].sum()) / m
    dz = e * (1.0 / (m * total))                  # softmax(z) / m
    dz[rows, y] -= 1.0 / m                        # - onehot(y) / m
    return float(loss), dz


def _sigmoid_bce(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """L = mean[log(1 + exp(z)) - y z]  (binary cross-entropy of sigmoid(z));
    dL/dz = (sigmoid(z) - y) / (m k)."""
    n = z.size
    loss = (np.logaddexp(0.0, z) - y * z).sum() / n      # logaddexp never overflows
    dz = (expit(z) - y) / n
    return float(loss), dz


def _squared_error(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """L = (1/(2m)) sum_i ||z_i - y_i||^2;  dL/dz = (z - y) / m."""
    m = z.shape[0]
    r = z - y
    return float(0.5 * np.vdot(r, r) / m), r / m


def _softmax_correct(z: np.ndarray, y: np.ndarray) -> int:
    return int(np.count_nonzero(z.argmax(axis=1) == y))


def _sigmoid_correct(z: np.ndarray, y: np.ndarray) -> int:
    return int(np.count_nonzero((z > 0.0) == (y > 0.5)))


class Output(NamedTuple):
    """An output link with its matching loss: loss_grad(z, y) -> (L, dL/dz)."""
    loss_grad: Callable[[np.ndarray, np.ndarray], tuple[float, np.ndarray]]
    correct: Callable[[np.ndarray, np.ndarray], int] | None   # None: regression, no accuracy


OUTPUTS: dict[str, Output] = {
    "softmax": Output(_softmax_xent, _softmax_correct),
    "sigmoid": Output(_sigmoid_bce, _sigmoid_correct),
    "identity": Output(_squared_error, None),
}

#: Weight initialisations: name -> std of N(0, std^2) before ``init_scale`` multiplies it.
INITS: dict[str, Callable[[int, int], float]] = {
    "he": lambda fan_in, fan_out: math.sqrt(2.0 / fan_in),                   # Kaiming normal, fan_in
    "xavier": lambda fan_in, fan_out: math.sqrt(2.0 / (fan_in + fan_out)),   # Glorot normal
    "normal": lambda fan_in, fan_out: 1.0,                                   # std = init_scale
}


# --------------------------------------------------------------------------- training record
class EpochLog(NamedTuple):
    """What ``fit`` passes to ``callback`` after each epoch (numbered from 0)."""
    epoch: int
    loss: float
    accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    grad_norms: np.ndarray


@dataclass(frozen=True, eq=False)
class History:
    """The record of one ``MLP.fit`` run; one entry per completed epoch unless said otherwise.

    loss          mean training loss over the epoch's minibatches (the running average of
                  torch/Keras: free to compute, measured while the weights move, with dropout on;
                  the data loss only, without the L1/L2 penalty). Full batch: the loss before the step.
    accuracy      same running average of training accuracy; None for output="identity"
    val_loss, val_accuracy   on ``validation`` at the end of each epoch, evaluation mode; else None
    grad_norms    (epochs, layers): mean over the epoch's steps of ||dL/dW_i|| (data loss, before
                  penalties and clipping) -- the per-layer picture of vanishing/exploding gradients
    step_losses   per-step minibatch losses when ``record_steps=True``, else None
    update_ratios (steps, layers) when ``record_steps=True``, else None: the update-to-weight
                  ratio ||W_new - W|| / ||W|| of each layer's weights at each step (a rule of
                  thumb: around 1e-3; far above, the rate is too high, far below, too low)
    lrs           learning rate used at each step (optimizer.learning_rate(t), t = 0, 1, ...)
    status        "finished", "diverged" (a non-finite loss stopped training; the last finite
                  parameters were restored) or "stopped_early" (validation loss stopped improving)
    best_epoch    index of the lowest val_loss (None without validation); with early_stopping the
                  network ends with the parameters of that epoch
    """
    loss: np.ndarray
    accuracy: np.ndarray | None
    val_loss: np.ndarray | None
    val_accuracy: np.ndarray | None
    grad_norms: np.ndarray
    step_losses: np.ndarray | None
    lrs: np.ndarray
    status: str
    best_epoch: int | None
    message: str
    update_ratios: np.ndarray | None = None

    def __repr__(self) -> str:
        parts = [f"status={self.status!r}", f"epochs={self.epochs}", f"steps={self.steps}"]
        if self.epochs:
            parts.append(f"loss {self.loss[0]:.4g} -> {self.loss[-1]:.4g}")
            if self.accuracy is not None:
                parts.append(f"accuracy {self.accuracy[0]:.3f} -> {self.accuracy[-1]:.3f}")
            if self.val_loss is not None:
                best = self.best_epoch
                parts.append(f"best val_loss {self.val_loss[best]:.4g} at epoch {best}")
        return f"History({', '.join(parts)}; {self.message})"

    @property
    def epochs(self) -> int:
        """Number of completed epochs."""
        return len(self.loss)

    @property
    def steps(self) -> int:
        """Number of optimizer steps taken."""
        return len(self.lrs)


# --------------------------------------------------------------------------- BLAS threads
_BLAS_CONTROLLER: Any = None


def _one_blas_thread() -> Any:
    """Context manager limiting BLAS to one thread (small products; the other core may be busy).

    threadpoolctl's ThreadpoolController is built once (inspecting loaded libraries costs ~ms);
    entering ``limit`` afterwards costs ~10 microseconds.
    """
    global _BLAS_CONTROLLER
    if _BLAS_CONTROLLER is None:
        from threadpoolctl import ThreadpoolController
        _BLAS_CONTROLLER = ThreadpoolController()
    return _BLAS_CONTROLLER.limit(limits=1, user_api="blas")


@contextlib.contextmanager
def _quiet_numerics() -> Iterator[None]:
    """Every public computation runs with one BLAS thread and NumPy's warnings off (overflow is
    detected explicitly and reported, never left to print RuntimeWarnings)."""
    with np.errstate(all="ignore"), _one_blas_thread():
        yield


# --------------------------------------------------------------------------- validation helpers
def _as_float_array(name: str, value: Any) -> np.ndarray:
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an array of numbers, got {type(value).__name__}") from None
    return arr


# --------------------------------------------------------------------------- the network
_FIXED = ("sizes", "activation", "output", "init", "seed", "dropout", "init_scale")


class MLP:
    """A fully connected network ``sizes[0] -> sizes[1] -> ... -> sizes[-1]``.

        net = MLP([64, 128, 10], activation="relu", output="softmax", init="he", seed=0)
        net.loss(X, y); net.gradient(X, y)            # backprop, flat like net.params
        history = net.fit(X, y, optim.adam(1e-3), epochs=30, batch_size=64)

    init: "he" (std sqrt(2/fan_in)), "xavier" (std sqrt(2/(fan_in+fan_out))) or "normal"
    (std 1); ``init_scale`` multiplies that std -- the knob for vanishing/exploding experiments.
    Biases start at 0. dropout: probability of zeroing each hidden unit during ``fit`` (inverted
    dropout: kept units are scaled by 1/(1-p), so evaluation needs no rescaling).

    Evaluation mode is the default of every method. Training mode means dropout masks: ``fit``
    draws them (seeded), and ``loss``/``gradient``/``hvp`` accept ``masks=`` (from
    ``dropout_masks``) so the network with a fixed mask is an ordinary differentiable function.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", output: str = "softmax",
                 init: str = "he", seed: int = 0, dropout: float = 0.0,
                 init_scale: float = 1.0) -> None:
        try:
            sizes = list(sizes)
        except TypeError:
            raise ValueError(f"sizes must be a sequence of layer widths such as [2, 16, 1], "
                             f"got {sizes!r}") from None
        if len(sizes) < 2:
            raise ValueError(f"sizes must have at least 2 entries (inputs and outputs), got {sizes!r}")
        if not all(check.is_integer(s) and s >= 1 for s in sizes):
            raise ValueError(f"sizes must be positive integers, got {sizes!r}")
        self.activation = check.one_of("activation", activation, ACTIVATIONS)
        self.output = check.one_of("output", output, OUTPUTS)
        self.init = check.one_of("init", init, INITS)
        if output == "softmax" and sizes[-1] < 2:
            raise ValueError(f"sizes[-1] must be >= 2 for output='softmax' (one score per class), "
                             f"got {sizes[-1]}; use output='sigmoid' for a single binary output")
        check.positive("init_scale", init_scale)
        check.integer("seed", seed, lo=0)
        check.real("dropout", dropout, "a probability in [0, 1)", lambda v: 0.0 <= v < 1.0)
        self.sizes = tuple(int(s) for s in sizes)
        self.dropout = float(dropout)
        self.init_scale = float(init_scale)
        self.seed = int(seed)
        self._f = ACTIVATIONS[self.activation]
        self._out = OUTPUTS[self.output]

        # Flat layout [W_0, b_0, W_1, b_1, ...]; _offsets[i] = (start of W_i, start of b_i, end).
        self._offsets: list[tuple[int, int, int]] = []
        start = 0
        for fan_in, fan_out in zip(self.sizes[:-1], self.sizes[1:]):
            self._offsets.append((start, start + fan_in * fan_out, start + fan_in * fan_out + fan_out))
            start += fan_in * fan_out + fan_out
        self._params = np.zeros(start)
        self._W, self._b = self._views(self._params)
        rng = np.random.default_rng(self.seed)
        for W in self._W:
            fan_in, fan_out = W.shape
            W[...] = rng.normal(0.0, self.init_scale * INITS[self.init](fan_in, fan_out), W.shape)

    # ----------------------------------------------------------------------- parameters
    def _views(self, flat: np.ndarray) -> tuple[list[np.ndarray], list[np.ndarray]]:
        """Per-layer views (W_i as (fan_in, fan_out), b_i) into a flat vector of this layout."""
        Ws, bs = [], []
        for (w0, b0, end), fan_in, fan_out in zip(self._offsets, self.sizes[:-1], self.sizes[1:]):
            Ws.append(flat[w0:b0].reshape(fan_in, fan_out))
            bs.append(flat[b0:end])
        return Ws, bs

    @property
    def params(self) -> np.ndarray:
        """All parameters, one flat float64 vector [W_0, b_0, W_1, b_1, ...] (live: writes show)."""
        return self._params

    @params.setter
    def params(self, value: Any) -> None:
        arr = _as_float_array("params", value)
        if arr.shape != self._params.shape:
            raise ValueError(f"params must have shape ({self.n_params},), got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError("params must be finite (no NaN or inf)")
        self._params[...] = arr

    @property
    def weights(self) -> tuple[np.ndarray, ...]:
        """W_i, shape (sizes[i], sizes[i+1]): views into ``params``."""
        return tuple(self._W)

    @property
    def biases(self) -> tuple[np.ndarray, ...]:
        """b_i, shape (sizes[i+1],): views into ``params``."""
        return tuple(self._b)

    @property
    def n_params(self) -> int:
        return self._params.size

    @property
    def n_layers(self) -> int:
        """Number of weight layers (len(sizes) - 1)."""
        return len(self._W)

    def copy(self) -> MLP:
        """An independent network with the same architecture and parameters."""
        other = MLP(self.sizes, self.activation, self.output, self.init, self.seed, self.dropout,
                    self.init_scale)
        other._params[...] = self._params
        return other

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FIXED and name in self.__dict__:
            raise AttributeError(f"{name} is fixed when the MLP is built; make a new MLP(...) instead")
        super().__setattr__(name, value)

    def __repr__(self) -> str:
        return (f"MLP(sizes={list(self.sizes)}, activation={self.activation!r}, "
                f"output={self.output!r}, init={self.init!r}, dropout={self.dropout}, "
                f"n_params={self.n_params})")

    # ----------------------------------------------------------------------- input checks
    def _check_X(self, X: Any, name: str = "X") -> np.ndarray:
        arr = _as_float_array(name, X)
        d = self.sizes[0]
        if arr.ndim != 2 or arr.shape[1] != d or arr.shape[0] < 1:
            raise ValueError(f"{name} must have shape (m, {d}) with m >= 1 to match sizes[0]={d}, "
                             f"got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite: it contains NaN or inf")
        return arr

    def _check_y(self, y: Any, m: int, name: str = "y") -> np.ndarray:
        """Targets in the internal form: int labels (m,) for softmax, floats (m, k) otherwise."""
        k = self.sizes[-1]
        arr = np.asarray(y)
        if self.output == "softmax":
            if arr.shape != (m,):
                raise ValueError(f"{name} must have shape ({m},) (one class label per row of X), "
                                 f"got shape {arr.shape}")
            if not np.issubdtype(arr.dtype, np.integer):
                raise ValueError(f"{name} must hold integer class labels in [0, {k}), got dtype "
                                 f"{arr.dtype}; convert with y.astype(int)")
            if arr.min() < 0 or arr.max() >= k:
                raise ValueError(f"{name} must hold class labels in [0, {k}) for sizes[-1]={k}, "
                                 f"got labels from {arr.min()} to {arr.max()}")
            return arr.astype(np.intp, copy=False)
        shapes = [(m, k)] + ([(m,)] if k == 1 else [])
        if arr.shape not in shapes:
            expected = " or ".join(str(s) for s in reversed(shapes))
            raise ValueError(f"{name} must have shape {expected} for {m} rows and sizes[-1]={k}, "
                             f"got shape {arr.shape}")
        if not (np.issubdtype(arr.dtype, np.number) or arr.dtype == bool):
            raise ValueError(f"{name} must be numeric, got dtype {arr.dtype}")
        arr = arr.astype(np.float64).reshape(m, k)
        if not np.isfinite(arr).all():
            raise ValueError(f"{name} must be finite: it contains NaN or inf")
        if self.output == "sigmoid" and (arr.min() < 0 or arr.max() > 1):
            raise ValueError(f"{name} must hold targets in [0, 1] for output='sigmoid', "
                             f"got values from {arr.min()} to {arr.max()}")
        return arr

    def _check_masks(self, masks: Any, m: int) -> list[np.ndarray] | None:
        if masks is None:
            return None
        widths = self.sizes[1:-1]
        try:
            masks = [np.asarray(mk, dtype=np.float64) for mk in masks]
        except (TypeError, ValueError):
            raise ValueError("masks must be a sequence of arrays, one per hidden layer") from None
        shapes = [(m, w) for w in widths]
        if [mk.shape for mk in masks] != shapes:
            raise ValueError(f"masks must be one array per hidden layer with shapes {shapes}, "
                             f"got shapes {[mk.shape for mk in masks]}")
        if any(not np.isfinite(mk).all() for mk in masks):
            raise ValueError("masks must be finite")
        return masks

    def _check_v(self, v: Any) -> np.ndarray:
        arr = _as_float_array("v", v)
        if arr.shape != (self.n_params,):
            raise ValueError(f"v must have shape ({self.n_params},) like params, got shape {arr.shape}")
        if not np.isfinite(arr).all():
            raise ValueError("v must be finite (no NaN or inf)")
        return arr

    # ----------------------------------------------------------------------- forward and backward
    def _forward(self, X: np.ndarray, masks: list[np.ndarray] | None = None
                 ) -> tuple[list[np.ndarray], list[np.ndarray], list[np.ndarray]]:
        """zs[i] = a_i W_i + b_i;  hs[i] = f(zs[i]);  a_{i+1} = hs[i] (* masks[i] with dropout).

        Returns (zs, hs, acts) with acts[0] = X; the last z is the output scores.
        """
        f = self._f.f
        zs, hs, acts = [], [], [X]
        a = X
        last = len(self._W) - 1
        for i, (W, b) in enumerate(zip(self._W, self._b)):
            z = a @ W                       # z_i = a_i W_i + b_i
            z += b
            zs.append(z)
            if i == last:
                break
            h = f(z)                        # h_i = f(z_i)
            hs.append(h)
            a = h if masks is None else h * masks[i]   # inverted dropout: a = h * mask
            acts.append(a)
        return zs, hs, acts

    def _backward(self, zs: list[np.ndarray], hs: list[np.ndarray], acts: list[np.ndarray],
                  dz: np.ndarray, gW: list[np.ndarray], gb: list[np.ndarray],
                  masks: list[np.ndarray] | None = None, to_input: bool = False
                  ) -> np.ndarray | None:
        """The chain rule, layer by layer from the output down; writes dL/dW_i, dL/db_i into gW, gb.

        Starts from dz = dL/dz_{L-1} (the output error); with ``to_input`` it also returns
        dL/da_0 = dL/dX (training skips that last product).
        """
        df = self._f.df
        for i in range(len(self._W) - 1, -1, -1):
            # z_i = a_i W_i + b_i    local derivatives: dz/dW = a_i, dz/db = 1, dz/da_i = W_i
            np.matmul(acts[i].T, dz, out=gW[i])     # dL/dW_i = a_i^T . dL/dz_i
            dz.sum(axis=0, out=gb[i])               # dL/db_i = sum over rows of dL/dz_i
            if i == 0:                              # dL/dX: backprop carried one step further
                return dz @ self._W[0].T if to_input else None
            da = dz @ self._W[i].T                  # dL/da_i = dL/dz_i . W_i^T
            if masks is not None:                   # a_i = h_{i-1} * mask: dL/dh = dL/da * mask
                da *= masks[i - 1]
            da *= df(zs[i - 1], hs[i - 1])          # dL/dz = dL/dh * f'(z)
            dz = da
        return None

    def _penalty(self, l1: float, l2: float) -> float:
        """l1 sum|W| + (l2/2) sum W^2 over the weights of every layer (not the biases)."""
        total = 0.0
        for W in self._W:
            if l1:
                total += l1 * np.abs(W).sum()
            if l2:
                total += 0.5 * l2 * np.vdot(W, W)
        return float(total)

    def _add_penalty_grad(self, gW: list[np.ndarray], l1: float, l2: float) -> None:
        """dL/dW += l1 sign(W) + l2 W   (sign(0) = 0: the subgradient chosen at the kink of |w|)."""
        for g, W in zip(gW, self._W):
            if l1:
                g += l1 * np.sign(W)
            if l2:
                g += l2 * W

    def _loss_grad(self, X: np.ndarray, y: np.ndarray, masks: list[np.ndarray] | None,
                   l1: float, l2: float, to_input: bool = False
                   ) -> tuple[float, np.ndarray, np.ndarray | None]:
        """(L + penalty, flat gradient, dL/dX if to_input else None) for checked inputs."""
        grad = np.empty_like(self._params)
        gW, gb = self._views(grad)
        zs, hs, acts = self._forward(X, masks)
        loss, dz = self._out.loss_grad(zs[-1], y)
        dX = self._backward(zs, hs, acts, dz, gW, gb, masks, to_input)
        if l1 or l2:
            loss += self._penalty(l1, l2)
            self._add_penalty_grad(gW, l1, l2)
        return loss, grad, dX

    # ----------------------------------------------------------------------- public maths
    def dropout_masks(self, m: int, seed: int = 0) -> list[np.ndarray]:
        """Inverted-dropout masks for m rows: each entry 0 with probability p, else 1/(1-p).

        One (m, width) array per hidden layer. Pass them as ``masks=`` to evaluate the network in
        training mode with that fixed mask (then it is an ordinary differentiable function).
        """
        m, seed = check.integer("m", m, lo=1), check.integer("seed", seed, lo=0)
        rng = np.random.default_rng(seed)
        return self._draw_masks(rng, m)

    def _draw_masks(self, rng: np.random.Generator, m: int) -> list[np.ndarray]:
        keep = 1.0 - self.dropout
        return [(rng.random((m, w)) < keep) * (1.0 / keep) for w in self.sizes[1:-1]]

    def scores(self, X: Any) -> np.ndarray:
        """The output layer's z (logits for softmax/sigmoid, predictions for identity), shape (m, k)."""
        X = self._check_X(X)
        with _quiet_numerics():
            return self._forward(X)[0][-1]

    def loss(self, X: Any, y: Any, *, l1: float = 0.0, l2: float = 0.0, masks: Any = None) -> float:
        """The mean loss over the rows of X (see the module docstring), plus l1 sum|W| + (l2/2) sum W^2.

        A forward pass only. Non-finite (inf/nan) only if the parameters themselves have blown up.
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        l1, l2 = check.nonnegative("l1", l1), check.nonnegative("l2", l2)
        masks = self._check_masks(masks, X.shape[0])
        with _quiet_numerics():
            scores = self._forward(X, masks)[0][-1]
            return self._out.loss_grad(scores, y)[0] + self._penalty(l1, l2)

    def gradient(self, X: Any, y: Any, *, l1: float = 0.0, l2: float = 0.0,
                 masks: Any = None) -> np.ndarray:
        """dL/dparams by backprop, a flat vector in the layout of ``params``."""
        return self.loss_and_gradient(X, y, l1=l1, l2=l2, masks=masks)[1]

    def loss_and_gradient(self, X: Any, y: Any, *, l1: float = 0.0, l2: float = 0.0,
                          masks: Any = None) -> tuple[float, np.ndarray]:
        """(loss, gradient) from one forward and one backward pass."""
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        l1, l2 = check.nonnegative("l1", l1), check.nonnegative("l2", l2)
        masks = self._check_masks(masks, X.shape[0])
        with _quiet_numerics():
            loss, grad, _ = self._loss_grad(X, y, masks, l1, l2)
        return loss, grad

    def layer_gradient_norms(self, X: Any, y: Any) -> np.ndarray:
        """||dL/dW_i|| (Frobenius) for each layer i, from the input side to the output side."""
        grad = self.gradient(X, y)
        return np.array([np.linalg.norm(g) for g in self._views(grad)[0]])

    def input_gradient(self, X: Any, y: Any) -> np.ndarray:
        """dL/dX, shape (m, d): backprop carried one step past the first layer (dL/dX = dL/dz_0 W_0^T).

        L is the MEAN loss, so row i is (1/m) d loss_i / d x_i (each loss_i depends on x_i only);
        multiply by m for per-example sensitivities. The sign of a row is what the fast gradient
        sign method uses: x + eps * sign(dL/dx).
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        with _quiet_numerics():
            return self._loss_grad(X, y, None, 0.0, 0.0, to_input=True)[2]

    def class_score_gradient(self, X: Any, k: int) -> np.ndarray:
        """d z_k / d x for every row: the gradient of class k's score (logit) w.r.t. the input.

        Shape (m, d); row i = d z_ik / d x_i. This is the saliency map of Simonyan et al. (2013):
        the pre-softmax score, so it does not mix in the other classes.
        """
        X = self._check_X(X)
        if not check.is_integer(k) or not 0 <= k < self.sizes[-1]:
            raise ValueError(f"k must be an output index in [0, {self.sizes[-1]}), got {k!r}")
        with _quiet_numerics():
            zs, hs, acts = self._forward(X)
            dz = np.zeros_like(zs[-1])
            dz[:, k] = 1.0                            # d z_k / d z = e_k for every row
            scratch = np.empty_like(self._params)
            gW, gb = self._views(scratch)
            return self._backward(zs, hs, acts, dz, gW, gb, to_input=True)

    def predict(self, X: Any) -> np.ndarray:
        """Class labels (softmax: argmax; sigmoid: 1 where sigmoid(z) > 0.5) or values (identity).

        Shape (m,) when there is one output (or for softmax), else (m, k).
        """
        z = self.scores(X)
        if self.output == "softmax":
            return z.argmax(axis=1)
        out = (z > 0.0).astype(np.int64) if self.output == "sigmoid" else z
        return out[:, 0] if out.shape[1] == 1 else out

    def predict_proba(self, X: Any) -> np.ndarray:
        """softmax(z) (m, k) or sigmoid(z) ((m,) for one output); not defined for output='identity'."""
        if self.output == "identity":
            raise ValueError("predict_proba needs output='softmax' or 'sigmoid'; this network has "
                             "output='identity' (use predict)")
        z = self.scores(X)
        if self.output == "sigmoid":
            p = expit(z)
            return p[:, 0] if p.shape[1] == 1 else p
        e = np.exp(z - z.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)

    def accuracy(self, X: Any, y: Any) -> float:
        """Fraction of correct labels (for several sigmoid outputs: of correct entries)."""
        if self._out.correct is None:
            raise ValueError("accuracy needs output='softmax' or 'sigmoid'; this network has "
                             "output='identity' (use loss)")
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        with _quiet_numerics():
            z = self._forward(X)[0][-1]
        return self._out.correct(z, y) / z.size if self.output == "sigmoid" else \
            self._out.correct(z, y) / z.shape[0]

    # ----------------------------------------------------------------------- curvature
    def hvp(self, X: Any, y: Any, v: Any, *, l2: float = 0.0, masks: Any = None) -> np.ndarray:
        """H v, with H the Hessian of ``loss(X, y, l2=l2, masks=masks)`` w.r.t. params. Exact.

        Pearlmutter's R-operator: R{q} = d/dr q(params + r v) at r = 0, pushed through the
        forward pass and then through the backward pass; R{gradient} = H v. Costs about two
        gradients, needs no step size. (ReLU kinks: f'' = 0 almost everywhere, as in autograd.)
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        v = self._check_v(v)
        l2 = check.nonnegative("l2", l2)
        masks = self._check_masks(masks, X.shape[0])
        with _quiet_numerics():
            return self._hvp(X, y, v, l2, masks)

    def _hvp(self, X: np.ndarray, y: np.ndarray, v: np.ndarray, l2: float,
             masks: list[np.ndarray] | None) -> np.ndarray:
        act, W = self._f, self._W
        V, c = self._views(v)                     # the direction, split like the parameters
        L = len(W)
        zs, hs, acts = self._forward(X, masks)
        # ---- forward R pass: Rz_i = Ra_i W_i + a_i V_i + c_i;  Ra_{i+1} = f'(z_i) Rz_i (* mask)
        Rz, Ra = [], [np.zeros_like(X)]           # X does not depend on the parameters
        for i in range(L):
            Rz.append(Ra[i] @ W[i] + acts[i] @ V[i] + c[i])
            if i < L - 1:
                r = act.df(zs[i], hs[i]) * Rz[i]
                Ra.append(r if masks is None else r * masks[i])
        # ---- output error and its R: dL/dz = G(z),  R{dL/dz} = G'(z) Rz
        z, rz = zs[-1], Rz[-1]
        _, dz = self._out.loss_grad(z, y)
        if self.output == "softmax":              # R{softmax} = p * (Rz - sum_k p_k Rz_k)
            p = np.exp(z - z.max(axis=1, keepdims=True))
            p /= p.sum(axis=1, keepdims=True)
            Rdz = p * (rz - (p * rz).sum(axis=1, keepdims=True)) / z.shape[0]
        elif self.output == "sigmoid":            # R{sigmoid} = s (1 - s) Rz
            s = expit(z)
            Rdz = s * (1.0 - s) * rz / z.size
        else:                                     # R{z - y} = Rz
            Rdz = rz / z.shape[0]
        # ---- backward R pass (R of every line of _backward, product rule throughout)
        out = np.empty_like(self._params)
        HW, Hb = self._views(out)
        for i in range(L - 1, -1, -1):
            HW[i][...] = Ra[i].T @ dz + acts[i].T @ Rdz    # R{a^T dz} = Ra^T dz + a^T R{dz}
            Hb[i][...] = Rdz.sum(axis=0)                   # R{sum dz} = sum R{dz}
            if i == 0:
                break
            da = dz @ W[i].T                               # dL/da
            Rda = Rdz @ W[i].T + dz @ V[i].T               # R{dz W^T} = R{dz} W^T + dz V^T
            if masks is not None:
                da, Rda = da * masks[i - 1], Rda * masks[i - 1]
            fp = act.df(zs[i - 1], hs[i - 1])
            # R{da * f'(z)} = R{da} * f'(z) + da * f''(z) * Rz
            Rdz = Rda * fp + da * act.d2f(zs[i - 1], hs[i - 1]) * Rz[i - 1]
            dz = da * fp
        if l2:
            for h, Vi in zip(HW, V):                       # (l2/2)||W||^2 adds l2 * V
                h += l2 * Vi
        return out

    def sharpness(self, X: Any, y: Any, *, iters: int = 300, tol: float = 1e-10, seed: int = 0,
                  l2: float = 0.0) -> float:
        """The largest eigenvalue of the Hessian of the loss (the "sharpness"), from hvp alone.

        Lanczos iteration (scipy.sparse.linalg.eigsh, which="LA": largest algebraic, so a
        negative eigenvalue of large magnitude at a saddle does not win) on the linear operator
        v -> H v, started from a seeded random vector; ``iters`` caps the restarts. The Hessian
        itself is never formed. Gradient descent with step lr is stable only while sharpness < 2/lr.
        """
        from scipy.sparse.linalg import ArpackNoConvergence, LinearOperator, eigsh
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        l2 = check.nonnegative("l2", l2)
        iters = check.integer("iters", iters, lo=1)
        tol = check.real("tol", tol, "a number >= 0", lambda v: v >= 0, finite=False)
        seed = check.integer("seed", seed, lo=0)
        n = self.n_params
        with np.errstate(all="ignore"), _one_blas_thread():
            if n <= 2:                            # too small for ARPACK: build H column by column
                H = np.column_stack([self._hvp(X, y, e, l2, None) for e in np.eye(n)])
                return float(np.linalg.eigvalsh(0.5 * (H + H.T))[-1])
            op = LinearOperator((n, n), matvec=lambda v: self._hvp(X, y, np.ravel(v), l2, None),
                                dtype=np.float64)
            v0 = np.random.default_rng(seed).standard_normal(n)
            try:
                vals = eigsh(op, k=1, which="LA", v0=v0, maxiter=iters, tol=tol,
                             return_eigenvectors=False)
            except ArpackNoConvergence as err:    # report the best Ritz value reached
                if len(err.eigenvalues) == 0:
                    raise ValueError(f"sharpness did not converge in iters={iters}; "
                                     f"raise iters or tol") from None
                vals = err.eigenvalues
        return float(np.max(vals))

    # ----------------------------------------------------------------------- training
    def fit(self, X: Any, y: Any, optimizer: Any, epochs: int, batch_size: int | None = None, *,
            clip: float | None = None, l1: float = 0.0, l2: float = 0.0, seed: int = 0,
            callback: Callable[[EpochLog], Any] | None = None,
            validation: tuple[Any, Any] | None = None, early_stopping: int | None = None,
            record_steps: bool = False) -> History:
        """Train in place with any gradlib.optim optimizer; return the History.

        Each epoch visits the rows of X in a seeded shuffled order, in batches of ``batch_size``
        (None: full batch, no shuffling; 1: stochastic gradient descent; the last batch may be
        smaller). Each step:  g = dL_batch/dparams + l1 sign(W) + l2 W;  g <- clip_by_norm(g, clip);
        params, state = optimizer.update(params, g, state). The optimizer state starts fresh.

        validation=(X_val, y_val) is evaluated after each epoch. early_stopping=patience stops when
        the validation loss has not improved for that many epochs, and always ends with the
        parameters of the best epoch. A non-finite loss stops training: the parameters of the last
        step with a finite loss are restored and the History says "diverged". Dropout masks are
        drawn from the same seeded generator as the shuffling, so equal seeds give equal numbers.
        ``callback(EpochLog)`` runs after every epoch (e.g. to draw a live loss curve).
        """
        X = self._check_X(X)
        y = self._check_y(y, X.shape[0])
        m = X.shape[0]
        for attr in ("init", "update", "learning_rate"):
            if not callable(getattr(optimizer, attr, None)):
                raise ValueError(f"optimizer must be a gradlib.optim optimizer with init, update "
                                 f"and learning_rate, got {type(optimizer).__name__} without {attr}")
        if getattr(optimizer, "needs_hessian", False):
            raise ValueError(f"optimizer {optimizer!r} needs the full Hessian, which fit does not "
                             f"form; use a first-order optimizer (gd, momentum, adam, ...)")
        check.integer("epochs", epochs, lo=1)
        if batch_size is None:
            batch_size = m
        elif not check.is_integer(batch_size) or not 1 <= batch_size <= m:
            raise ValueError(f"batch_size must be None (full batch) or an integer in [1, {m}] "
                             f"(the number of rows of X), got {batch_size!r}")
        if clip is not None:
            check.real("clip", clip, "None or a finite number > 0", lambda v: v > 0)
        l1, l2 = check.nonnegative("l1", l1), check.nonnegative("l2", l2)
        check.integer("seed", seed, lo=0)
        if callback is not None and not callable(callback):
            raise ValueError(f"callback must be callable or None, got {type(callback).__name__}")
        if validation is not None:
            if not isinstance(validation, (tuple, list)) or len(validation) != 2:
                raise ValueError("validation must be a pair (X_val, y_val), got "
                                 f"{type(validation).__name__}")
            Xv = self._check_X(validation[0], "validation[0] (X_val)")
            yv = self._check_y(validation[1], Xv.shape[0], "validation[1] (y_val)")
        if early_stopping is not None:
            if not check.is_integer(early_stopping) or early_stopping < 1:
                raise ValueError(f"early_stopping must be None or a patience (integer >= 1 epochs), "
                                 f"got {early_stopping!r}")
            if validation is None:
                raise ValueError("early_stopping needs validation=(X_val, y_val) to watch")
        clip_fn = None
        if clip is not None:
            from gradlib.optim import clip_by_norm as clip_fn

        with np.errstate(all="ignore"), _one_blas_thread():
            return self._train(X, y, optimizer, epochs, batch_size, clip, clip_fn, l1, l2, seed,
                               callback, (Xv, yv) if validation is not None else None,
                               early_stopping, record_steps)

    def _train(self, X: np.ndarray, y: np.ndarray, optimizer: Any, epochs: int, batch_size: int,
               clip: float | None, clip_fn: Any, l1: float, l2: float, seed: int,
               callback: Any, validation: tuple[np.ndarray, np.ndarray] | None,
               patience: int | None, record_steps: bool) -> History:
        m = X.shape[0]
        rng = np.random.default_rng(seed)
        starts = range(0, m, batch_size)
        shuffle = batch_size < m
        use_dropout = self.dropout > 0.0 and len(self.sizes) > 2
        correct_fn = self._out.correct
        n_acc = m * (self.sizes[-1] if self.output == "sigmoid" else 1)
        params, nL = self._params, len(self._W)
        forward, backward, loss_grad = self._forward, self._backward, self._out.loss_grad
        update = optimizer.update

        state = optimizer.init(params.copy())
        current = params.copy()       # an array equal to the parameters now in `params`
        last_good = current           # the latest parameters whose loss was finite
        losses, accs, norms, val_losses, val_accs, step_losses, ratios = [], [], [], [], [], [], []
        status, message, best_epoch, best_params, bad_epochs = "finished", "", None, None, 0
        best_val, step = math.inf, 0
        masks = None

        for epoch in range(epochs):
            if shuffle:
                order = rng.permutation(m)
                Xe, ye = X[order], y[order]
            else:
                Xe, ye = X, y
            loss_sum, correct, norm_sum = 0.0, 0, np.zeros(nL)
            for s in starts:
                Xb, yb = Xe[s:s + batch_size], ye[s:s + batch_size]
                mb = Xb.shape[0]
                if use_dropout:
                    masks = self._draw_masks(rng, mb)
                # ---- forward, loss, backward: the gradient of the minibatch loss
                grad = np.empty_like(params)
                gW, gb = self._views(grad)
                zs, hs, acts = forward(Xb, masks)
                loss, dz = loss_grad(zs[-1], yb)
                if not math.isfinite(loss):
                    status = "diverged"
                    message = (f"the training loss became non-finite at step {step} (epoch {epoch}); "
                               f"training stopped and the last parameters with a finite loss "
                               f"were restored")
                    break
                last_good = current
                if correct_fn is not None:
                    correct += correct_fn(zs[-1], yb)
                backward(zs, hs, acts, dz, gW, gb, masks)
                for j, gw in enumerate(gW):
                    norm_sum[j] += math.sqrt(np.vdot(gw, gw))
                loss_sum += loss * mb
                if record_steps:
                    step_losses.append(loss)
                # ---- penalties, clipping, the optimizer step
                if l1 or l2:
                    self._add_penalty_grad(gW, l1, l2)
                if clip_fn is not None:
                    grad = clip_fn(grad, clip)
                new, state = update(params, grad, state)
                if record_steps:
                    new_W = self._views(new)[0]
                    ratios.append([math.sqrt(np.vdot(nw - w, nw - w) / max(np.vdot(w, w), 1e-300))
                                   for nw, w in zip(new_W, self._W)])
                np.copyto(params, new)
                current = new if new is not params else params.copy()
                step += 1
            if status == "diverged":
                break
            if not np.isfinite(params).all():           # the very last step can overflow too
                status = "diverged"
                message = (f"the parameters became non-finite at step {step} (epoch {epoch}); "
                           f"training stopped and the last parameters with a finite loss were restored")
                break
            losses.append(loss_sum / m)
            norms.append(norm_sum / len(starts))
            if correct_fn is not None:
                accs.append(correct / n_acc)
            val_loss = val_acc = None
            if validation is not None:
                val_loss, val_acc = self._evaluate(*validation)
                if not math.isfinite(val_loss):
                    status = "diverged"
                    message = (f"the validation loss became non-finite after epoch {epoch}; "
                               f"training stopped and the last parameters with a finite "
                               f"training loss were restored")
                    losses.pop(), norms.pop()
                    if correct_fn is not None:
                        accs.pop()
                    break
                val_losses.append(val_loss)
                if val_acc is not None:
                    val_accs.append(val_acc)
                if val_loss < best_val:
                    best_val, best_epoch, bad_epochs = val_loss, epoch, 0
                    if patience is not None:
                        best_params = params.copy()
                else:
                    bad_epochs += 1
            if callback is not None:
                callback(EpochLog(epoch, losses[-1], accs[-1] if accs else None, val_loss, val_acc,
                                  norms[-1].copy()))
            if patience is not None and bad_epochs >= patience:
                status = "stopped_early"
                message = (f"validation loss did not improve for {patience} epochs; stopped after "
                           f"epoch {epoch} and restored the parameters of epoch {best_epoch}")
                break

        if status == "diverged":
            params[...] = last_good
        if best_params is not None:
            params[...] = best_params
            if status == "finished":
                message = (f"finished {epochs} epochs; restored the parameters of the best "
                           f"epoch {best_epoch}")
            elif status == "diverged":
                message += f"; then the parameters of the best validation epoch {best_epoch}"
        if status == "finished" and not message:
            message = f"finished {epochs} epochs ({step} steps)"
        return History(
            loss=np.array(losses), accuracy=np.array(accs) if correct_fn is not None else None,
            val_loss=np.array(val_losses) if validation is not None else None,
            val_accuracy=(np.array(val_accs) if validation is not None and correct_fn is not None
                          else None),
            grad_norms=np.array(norms).reshape(len(norms), nL),
            step_losses=np.array(step_losses) if record_steps else None,
            lrs=np.array([float(optimizer.learning_rate(t)) for t in range(step)]),
            status=status, best_epoch=best_epoch, message=message,
            update_ratios=np.array(ratios).reshape(len(ratios), nL) if record_steps else None)

    def _evaluate(self, X: np.ndarray, y: np.ndarray) -> tuple[float, float | None]:
        """(loss, accuracy or None) in evaluation mode, for checked inputs."""
        z = self._forward(X)[0][-1]
        loss, _ = self._out.loss_grad(z, y)
        if self._out.correct is None:
            return loss, None
        return loss, self._out.correct(z, y) / (z.size if self.output == "sigmoid" else z.shape[0])
