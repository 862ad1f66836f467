"""Automatic differentiation from scratch, on NumPy arrays: forward mode and reverse mode.

Write f with Python operators (``+ - * / ** @``, unary minus, indexing, ``.T``, ``.reshape``)
and this module's functions (``exp, log, tanh, sin, cos, sqrt, relu, sigmoid, sum, mean,
logsumexp``); then

    grad(f)(x)            = ∇f(x)                      (reverse mode; f scalar)
    jvp(f, x, v)          = (f(x), J v)                 (forward mode: one pass, any v)
    vjp(f, x, u)          = (f(x), uᵀ J)                (reverse mode: one backward pass, any u)
    jacobian(f, x, mode)  = J, by n JVPs ("forward") or m VJPs ("reverse")
    hvp(f, x, v)          = H v                         (forward over reverse)

Forward mode carries a tangent beside every value: a ``Dual`` (value, tangent) where the tangent
is the directional derivative along v, pushed through each operation by its derivative rule
(``(a b)' = a' b + a b'``). Reverse mode records every operation on a tape (a ``Var`` knows its
parents and, for each, the vector-Jacobian product that sends the output's gradient back), then
walks the tape once, in reverse topological order, adding up gradients where a value was used
more than once (fan-out).

The two modes compose: the backward rules below are written with the same operations, so when
the recorded values are themselves Duals, the backward pass differentiates the gradient along v,
which is the Hessian-vector product (Pearlmutter's trick, as in ``mlp.MLP.hvp``).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["Dual", "Var", "grad", "jvp", "vjp", "jacobian", "hvp", "trace", "tape", "adjoints",
           "exp", "log", "tanh", "sin", "cos", "sqrt", "relu", "sigmoid", "sum", "mean",
           "logsumexp"]

_FUNCTIONS = ("exp, log, tanh, sin, cos, sqrt, relu, sigmoid, sum, mean, logsumexp")
# ndarray's operators defer to ours for these ufuncs (ndarray + Var, ndarray @ Dual, ...).
_OPERATOR_UFUNCS = {"add": "__add__", "subtract": "__sub__", "multiply": "__mul__",
                    "true_divide": "__truediv__", "matmul": "__matmul__", "power": "__pow__"}


def _refuse(name: str, kind: str) -> TypeError:
    return TypeError(f"np.{name} cannot be differentiated through a traced value ({kind}); "
                     f"use gradlib.autodiff's own functions: {_FUNCTIONS}, and Python operators")


class _Traced:
    """What Dual and Var share: NumPy hands its operators back to them and refuses the rest."""

    def __array_ufunc__(self, ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        op = _OPERATOR_UFUNCS.get(ufunc.__name__)
        if method != "__call__" or op is None or kwargs or len(inputs) != 2:
            raise _refuse(ufunc.__name__, type(self).__name__)
        a, b = inputs
        # ndarray (op) traced: the traced operand is b; use its reflected operator
        return getattr(b, op.replace("__", "__r", 1))(a) if a is not self else getattr(a, op)(b)

    def __array_function__(self, func: Any, types: Any, args: Any, kwargs: Any) -> Any:
        raise _refuse(func.__name__, type(self).__name__)


# ============================================================================ forward mode
class Dual(_Traced):
    """A value and its tangent (the derivative along one direction), of the same shape."""

    def __init__(self, primal: Any, tangent: Any) -> None:
        self.primal = np.asarray(primal, dtype=float)
        self.tangent = np.broadcast_to(np.asarray(tangent, dtype=float), self.primal.shape)

    shape = property(lambda self: self.primal.shape)
    ndim = property(lambda self: self.primal.ndim)
    T = property(lambda self: Dual(self.primal.T, self.tangent.T))

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"

    def reshape(self, *shape: Any) -> Dual:
        return Dual(self.primal.reshape(*shape), self.tangent.reshape(*shape))

    def __getitem__(self, index: Any) -> Dual:
        return Dual(self.primal[index], self.tangent[index])

    def __neg__(self) -> Dual:
        return Dual(-self.primal, -self.tangent)

    def __add__(self, other: Any) -> Dual:
        a, da, b, db = _pair(self, other)
        return Dual(a + b, da + db)                                  # (a + b)' = a' + b'

    def __sub__(self, other: Any) -> Dual:
        a, da, b, db = _pair(self, other)
        return Dual(a - b, da - db)

    def __mul__(self, other: Any) -> Dual:
        a, da, b, db = _pair(self, other)
        return Dual(a * b, da * b + a * db)                          # product rule

    def __truediv__(self, other: Any) -> Dual:
        a, da, b, db = _pair(self, other)
        return Dual(a / b, (da * b - a * db) / (b * b))              # quotient rule

    def __matmul__(self, other: Any) -> Dual:
        a, da, b, db = _pair(self, other)
        return Dual(a @ b, da @ b + a @ db)                          # product rule, matrices

    def __pow__(self, other: Any) -> Dual:
        a, da, b, db = _pair(self, other)
        out = a ** b
        # d(a^b) = b a^(b-1) da + a^b log(a) db; the second term only where b varies
        dout = b * a ** (b - 1) * da
        if np.any(db):
            dout = dout + out * np.log(a) * db
        return Dual(out, dout)

    def __radd__(self, other: Any) -> Dual:
        return Dual(other, 0.0) + self

    def __rsub__(self, other: Any) -> Dual:
        return Dual(other, 0.0) - self

    def __rmul__(self, other: Any) -> Dual:
        return Dual(other, 0.0) * self

    def __rtruediv__(self, other: Any) -> Dual:
        return Dual(other, 0.0) / self

    def __rmatmul__(self, other: Any) -> Dual:
        return Dual(other, 0.0) @ self

    def __rpow__(self, other: Any) -> Dual:
        return Dual(other, 0.0) ** self

    # comparisons look at values only: they give masks, which have no derivative
    def __gt__(self, other: Any) -> np.ndarray:
        return self.primal > _value(other)

    def __lt__(self, other: Any) -> np.ndarray:
        return self.primal < _value(other)


def _pair(a: Dual, b: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    b = b if isinstance(b, Dual) else Dual(b, 0.0)
    return a.primal, a.tangent, b.primal, b.tangent


def _value(x: Any) -> np.ndarray:
    """The plain NumPy value under any number of Var and Dual layers."""
    while isinstance(x, (Var, Dual)):
        x = x.value if isinstance(x, Var) else x.primal
    return np.asarray(x, dtype=float)


# ============================================================================ reverse mode
class Var(_Traced):
    """A value recorded on the tape: ``parents`` pairs each input Var with the function that
    turns the gradient of the output into the gradient of that input (a vector-Jacobian
    product). ``value`` is an ndarray, or a Dual when a forward pass rides along (hvp)."""

    def __init__(self, value: Any, parents: tuple[tuple[Var, Callable[[Any], Any]], ...] = (),
                 op: str = "constant") -> None:
        self.value = value if isinstance(value, Dual) else np.asarray(value, dtype=float)
        self.op = op                               # the operation that made it, for reading a tape
        # only inputs that depend on x are worth a backward rule; constants are left out
        self.parents = tuple((p, rule) for p, rule in parents if p.needs_grad)
        self.needs_grad = bool(self.parents)

    shape = property(lambda self: self.value.shape)
    ndim = property(lambda self: self.value.ndim)

    def __repr__(self) -> str:
        return f"Var({self.op}, shape={self.shape})"

    @property
    def T(self) -> Var:
        return Var(self.value.T, ((self, lambda g: g.T),), "transpose")

    def reshape(self, *shape: Any) -> Var:
        old = self.shape
        return Var(self.value.reshape(*shape), ((self, lambda g: g.reshape(old)),), "reshape")

    def __getitem__(self, index: Any) -> Var:
        shape = self.shape
        return Var(self.value[index], ((self, lambda g: _scatter(g, index, shape)),), "index")

    def __neg__(self) -> Var:
        return Var(-self.value, ((self, lambda g: -g),), "neg")

    def __add__(self, other: Any) -> Var:
        return _binary("add", self, other, lambda a, b: a + b,
                       lambda g, a, b, out: g,                       # d(a+b)/da = 1
                       lambda g, a, b, out: g)

    def __sub__(self, other: Any) -> Var:
        return _binary("sub", self, other, lambda a, b: a - b,
                       lambda g, a, b, out: g,
                       lambda g, a, b, out: -g)

    def __mul__(self, other: Any) -> Var:
        return _binary("mul", self, other, lambda a, b: a * b,
                       lambda g, a, b, out: g * b,                   # d(ab)/da = b
                       lambda g, a, b, out: g * a)

    def __truediv__(self, other: Any) -> Var:
        return _binary("div", self, other, lambda a, b: a / b,
                       lambda g, a, b, out: g / b,
                       lambda g, a, b, out: -g * a / (b * b))        # d(a/b)/db = -a/b²

    def __pow__(self, other: Any) -> Var:
        return _binary("pow", self, other, lambda a, b: a ** b,
                       lambda g, a, b, out: g * b * a ** (b - 1),
                       lambda g, a, b, out: g * out * log(a))        # d(a^b)/db = a^b log a

    def __matmul__(self, other: Any) -> Var:
        if self.ndim > 2 or np.ndim(_value(other)) > 2:
            raise ValueError(f"@ is differentiated for 1-D and 2-D operands; got shapes "
                             f"{self.shape} and {np.shape(_value(other))}")
        return _binary("matmul", self, other, lambda a, b: a @ b, _matmul_grad_a, _matmul_grad_b,
                       unbroadcast=False)

    def __radd__(self, other: Any) -> Var:
        return Var(other) + self

    def __rsub__(self, other: Any) -> Var:
        return Var(other) - self

    def __rmul__(self, other: Any) -> Var:
        return Var(other) * self

    def __rtruediv__(self, other: Any) -> Var:
        return Var(other) / self

    def __rpow__(self, other: Any) -> Var:
        return Var(other) ** self

    def __rmatmul__(self, other: Any) -> Var:
        return Var(other) @ self

    def __gt__(self, other: Any) -> np.ndarray:
        return _value(self) > _value(other)

    def __lt__(self, other: Any) -> np.ndarray:
        return _value(self) < _value(other)


def _binary(name: str, a: Var, b: Any, op: Callable, grad_a: Callable, grad_b: Callable, *,
            unbroadcast: bool = True) -> Var:
    """out = op(a, b), with the backward rules for each side. Broadcasting copies an input
    along new or length-1 axes, so its gradient sums the output's gradient over them."""
    b = b if isinstance(b, Var) else Var(b)
    x, y = a.value, b.value
    out = op(x, y)
    fit = _sum_to if unbroadcast else (lambda g, shape: g)
    return Var(out, ((a, lambda g: fit(grad_a(g, x, y, out), x.shape)),
                     (b, lambda g: fit(grad_b(g, x, y, out), y.shape))), name)


def _matmul_grad_a(g: Any, a: Any, b: Any, out: Any) -> Any:
    if b.ndim == 1:                      # A @ b: dA = g bᵀ (outer) ; a @ b (both 1-D): g b
        return g * b if a.ndim == 1 else _outer(g, b)
    return g @ b.T                       # A @ B: dA = G Bᵀ ; a @ B: da = B g


def _matmul_grad_b(g: Any, a: Any, b: Any, out: Any) -> Any:
    if a.ndim == 1:                      # a @ B: dB = a gᵀ (outer) ; a @ b: g a
        return g * a if b.ndim == 1 else _outer(a, g)
    return a.T @ g                       # A @ B: dB = Aᵀ G ; A @ b: db = Aᵀ g


def _outer(u: Any, v: Any) -> Any:
    return u.reshape(-1, 1) * v.reshape(1, -1)


def _sum_to(g: Any, shape: tuple[int, ...]) -> Any:
    """Sum g over the axes that broadcasting added or stretched, so it has ``shape``."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(lead + i for i, n in enumerate(shape)
                                      if n == 1 and g.shape[lead + i] != 1)
    return sum(g, axis=axes, keepdims=True).reshape(shape)


def _scatter(g: Any, index: Any, shape: tuple[int, ...]) -> Any:
    """The gradient of x[index]: g added back into zeros at index (repeats accumulate)."""
    if isinstance(g, Dual):
        return Dual(_scatter(g.primal, index, shape), _scatter(g.tangent, index, shape))
    out = np.zeros(shape)
    np.add.at(out, index, g)
    return out


# ============================================================================ functions
def _elementwise(name: str, f: Callable[[np.ndarray], np.ndarray],
                 df: Callable[[Any, Any], Any]) -> Callable[[Any], Any]:
    """One function for all three kinds of input. ``df(x, out)`` is f'(x), written with this
    module's operations so that it works on plain arrays, Duals and (for hvp) Duals inside Vars."""
    def function(x: Any) -> Any:
        if isinstance(x, Var):
            out = function(x.value)
            return Var(out, ((x, lambda g: g * df(x.value, out)),), name)  # chain rule: g f'(x)
        if isinstance(x, Dual):
            out = f(x.primal)
            return Dual(out, x.tangent * df(x.primal, out))          # chain rule: f'(x) x'
        return f(np.asarray(x, dtype=float))
    function.__name__ = name
    function.__doc__ = f"{name}(x), elementwise, differentiable in both modes."
    return function


def _sigmoid(z: np.ndarray) -> np.ndarray:
    e = np.exp(-np.abs(z))                         # never overflows
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


exp = _elementwise("exp", np.exp, lambda x, out: out)                        # exp' = exp
log = _elementwise("log", np.log, lambda x, out: 1.0 / x)                    # log' = 1/x
tanh = _elementwise("tanh", np.tanh, lambda x, out: 1.0 - out * out)         # tanh' = 1 - tanh²
sin = _elementwise("sin", np.sin, lambda x, out: cos(x))
cos = _elementwise("cos", np.cos, lambda x, out: -sin(x))
sqrt = _elementwise("sqrt", np.sqrt, lambda x, out: 0.5 / out)               # √x' = 1/(2√x)
relu = _elementwise("relu", lambda z: np.maximum(z, 0.0),
                    lambda x, out: (_value(x) > 0).astype(float))             # relu'(0) = 0
sigmoid = _elementwise("sigmoid", _sigmoid, lambda x, out: out * (1.0 - out))  # σ' = σ(1 - σ)


def sum(x: Any, axis: Any = None, keepdims: bool = False) -> Any:  # noqa: A001 - numpy's name
    """Σ x over ``axis`` (all axes by default). Its backward copies g back over those axes."""
    if isinstance(x, Var):
        shape = x.shape
        def back(g: Any) -> Any:
            if axis is not None and not keepdims:
                g = g.reshape(np.expand_dims(np.empty(g.shape), axis).shape)
            elif axis is None and not keepdims:
                g = g.reshape((1,) * len(shape))
            return g + np.zeros(shape)                                # broadcast back
        return Var(sum(x.value, axis, keepdims), ((x, back),), "sum")
    if isinstance(x, Dual):
        return Dual(np.sum(x.primal, axis=axis, keepdims=keepdims),
                    np.sum(x.tangent, axis=axis, keepdims=keepdims))
    return np.sum(np.asarray(x, dtype=float), axis=axis, keepdims=keepdims)


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """The average over ``axis``: sum / count."""
    shape = np.shape(_value(x))
    axes = range(len(shape)) if axis is None else np.atleast_1d(axis)
    count = int(np.prod([shape[a] for a in axes]))
    return sum(x, axis, keepdims) / count


def logsumexp(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """log Σ exp(x), computed stably as c + log Σ exp(x - c) with c = max x (a constant shift,
    so it has no derivative); its gradient is softmax(x)."""
    c = np.max(_value(x), axis=axis, keepdims=True)
    out = log(sum(exp(x - c), axis=axis, keepdims=True)) + c
    if keepdims:
        return out
    return out.reshape(np.squeeze(c, axis=axis).shape) if axis is not None else out.reshape(())


# ============================================================================ the four verbs
def _check_x(x: Any, name: str = "x") -> np.ndarray:
    try:
        arr = np.asarray(x, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"{name} must be a number or an array of numbers, got {type(x).__name__}") from err
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"{name} must be finite, got {arr!r}")
    return arr


def _check_same_shape(name: str, v: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    arr = _check_x(v, name)
    if arr.shape != shape:
        raise ValueError(f"{name} must have the shape of {what}, {shape}; got {arr.shape}")
    return arr


def tape(out: Var) -> list[Var]:
    """Every recorded Var that ``out`` depends on, in topological order (each after all of its
    parents; ``out`` last): the order of the forward pass, and reversed, of the backward pass."""
    order: list[Var] = []
    seen: set[int] = set()
    stack: list[tuple[Var, bool]] = [(out, False)]
    while stack:                                   # iterative DFS: deep graphs, no recursion limit
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))
        stack.extend((parent, False) for parent, _ in reversed(node.parents))
    return order


def _backward(out: Var, seed: Any) -> dict[int, Any]:
    """Walk the tape from ``out`` once, in reverse topological order: each node's gradient is
    complete (every use added up) before it is sent on to its parents."""
    grads: dict[int, Any] = {id(out): seed}
    for node in reversed(tape(out)):
        g = grads.pop(id(node), None)
        if g is None:
            continue
        grads[id(node)] = g                        # keep it: the caller reads the input's
        for parent, vjp_rule in node.parents:
            contribution = vjp_rule(g)
            grads[id(parent)] = contribution + grads[id(parent)] if id(parent) in grads else contribution
    return grads


def trace(f: Callable[[Any], Any], x: Any) -> tuple[Var, Var]:
    """Run f on x recorded as a Var; return (the input Var, the output Var). ``tape(output)``
    lists what was recorded."""
    return _trace(f, _check_x(x))


def adjoints(out: Var) -> list[Any]:
    """d out / d node for every node of ``tape(out)``, in the same order (the seed d out/d out =
    1 must be for a scalar ``out``): what the backward sweep has computed when it is done."""
    if not isinstance(out, Var) or out.shape != ():
        raise ValueError("adjoints needs the scalar output Var of a traced function (see trace)")
    grads = _backward(out, np.ones(()))
    return [grads.get(id(node)) for node in tape(out)]


def _trace(f: Callable[[Any], Any], x: Any) -> tuple[Var, Var]:
    var = Var(x, op="input")
    var.needs_grad = True
    out = f(var)
    return var, out if isinstance(out, Var) else Var(out)


def _reverse(var: Var, out: Var, seed: Any) -> Any:
    """The gradient of <seed, out> with respect to var: one backward pass."""
    g = _backward(out, seed).get(id(var))
    if g is None:                                  # f does not depend on x
        g = np.zeros(var.shape)
        return Dual(g, 0.0) if isinstance(var.value, Dual) else g
    return g


def grad(f: Callable[[Any], Any]) -> Callable[[Any], np.ndarray]:
    """∇f for scalar f, by reverse mode: one forward pass records the tape, one backward pass
    sends dL/dL = 1 back to x."""
    def gradient(x: Any) -> np.ndarray:
        var, out = _trace(f, _check_x(x))
        if out.shape != ():
            raise ValueError(f"grad needs f to return a scalar; f returned shape {out.shape} "
                             f"(use vjp or jacobian for vector-valued f)")
        return np.asarray(_reverse(var, out, np.ones(())), dtype=float)
    return gradient


def jvp(f: Callable[[Any], Any], x: Any, v: Any) -> tuple[np.ndarray, np.ndarray]:
    """(f(x), J v) by forward mode: x carries the tangent v through f."""
    x = _check_x(x)
    v = _check_same_shape("v", v, "x", x.shape)
    out = f(Dual(x, v))
    if isinstance(out, Var):
        raise TypeError("jvp: f returned a recorded Var; write f with this module's functions")
    if not isinstance(out, Dual):                  # f does not depend on x
        value = np.asarray(out, dtype=float)
        return value, np.zeros(value.shape)
    return out.primal, np.array(out.tangent)


def vjp(f: Callable[[Any], Any], x: Any, u: Any) -> tuple[np.ndarray, np.ndarray]:
    """(f(x), uᵀ J) by reverse mode: the backward pass starts from u instead of 1."""
    var, out = _trace(f, _check_x(x))
    u = _check_same_shape("u", u, "f(x)", out.shape)
    return np.asarray(out.value, dtype=float), np.asarray(_reverse(var, out, u), dtype=float)


def jacobian(f: Callable[[Any], Any], x: Any, mode: str = "reverse") -> np.ndarray:
    """J[i, j] = ∂f_i/∂x_j, of shape f(x).shape + x.shape.

    "reverse": f is recorded once, then the tape is swept once per output entry (one VJP per
               row of J) — cheap when f has few outputs;
    "forward": one pass of f per input entry (one JVP per column of J) — cheap when x is small."""
    if mode not in ("reverse", "forward"):
        raise ValueError(f"mode must be 'reverse' or 'forward', got {mode!r}")
    x = _check_x(x)
    if mode == "forward":
        columns = [jvp(f, x, e.reshape(x.shape))[1] for e in np.eye(x.size)]
        out_shape = np.shape(columns[0]) if columns else np.shape(_value(f(x)))
        return np.stack(columns, axis=-1).reshape(out_shape + x.shape) if columns \
            else np.zeros(out_shape + x.shape)
    var, out = _trace(f, x)                        # record once, sweep the tape m times
    rows = [np.asarray(_reverse(var, out, e.reshape(out.shape)), dtype=float)
            for e in np.eye(int(np.prod(out.shape)))]
    return np.stack(rows).reshape(out.shape + x.shape) if rows else np.zeros(out.shape + x.shape)


def hvp(f: Callable[[Any], Any], x: Any, v: Any) -> np.ndarray:
    """H v for scalar f, forward over reverse: run the reverse-mode gradient on x + ε v (a
    Dual); the tangent of the gradient is d/dε ∇f(x + ε v) = H v. Costs about two gradients."""
    x = _check_x(x)
    v = _check_same_shape("v", v, "x", x.shape)
    var, out = _trace(f, Dual(x, v))
    if out.shape != ():
        raise ValueError(f"hvp needs f to return a scalar; f returned shape {out.shape}")
    g = _reverse(var, out, Dual(np.ones(()), 0.0))
    return np.array(g.tangent) if isinstance(g, Dual) else np.zeros(x.shape)
