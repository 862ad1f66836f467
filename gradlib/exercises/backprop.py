"""Checks for the backpropagation notebook's exercises (notebook 07).

    check_dense_backward(backward)            dW, db, da of one dense ReLU layer h = relu(a W + b)
    check_softmax_xent_backward(backward)     dL/dz = (softmax(z) - onehot(y)) / m

Both are gradient checks: the learner's arrays are compared with central finite differences of
the loss (``gradlib.numeric.gradient``), entry by entry, and when they are wrong the check names
the usual mistake that gives exactly the learner's numbers: a missing ReLU mask, a mean where a
sum belongs, a transposed weight (invisible to NumPy when W is square), a missing 1/m, a
softmax Jacobian cut down to its diagonal, a softmax that overflows.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import numpy as np

from gradlib import _checks as check
from gradlib import numeric
from gradlib.exercises import Result, attempt, compare, first_failure

__all__ = ["check_dense_backward", "check_softmax_xent_backward", "DENSE_CASES", "XENT_CASES",
           "dense_case", "softmax_xent_reference"]

#: The relative / absolute tolerance of the gradient checks. Both losses are smooth (the dense
#: layer's is piecewise linear and every z stays away from the kink), so central differences
#: are accurate to ~1e-10; a wrong formula is off by far more than 1e-6.
RTOL, ATOL = 1e-6, 1e-9


def _compare(name: str, got: Any, expected: np.ndarray, wrong: Iterable[tuple[str, Any]],
             rtol: float = RTOL, atol: float = ATOL) -> Result:
    """``exercises.compare``, plus hints for wrong answers whose SHAPE differs from the expected
    one (compare stops at the shape, before it looks at the hints)."""
    wrong = list(wrong)
    try:
        arr = np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        arr = None
    if arr is not None and arr.shape != np.shape(expected):
        for hint, value in wrong:
            v = np.asarray(value, dtype=float)
            if v.shape == arr.shape and np.allclose(arr, v, rtol=rtol, atol=atol):
                return Result(name, "failed", f"shape {arr.shape}, expected {np.shape(expected)}. "
                                              f"Hint: {hint}")
    return compare(name, got, expected, rtol=rtol, atol=atol, wrong=wrong)


# -- one dense ReLU layer -----------------------------------------------------------------------
def _relu_layer(a: np.ndarray, W: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.maximum(a @ W + b, 0.0)


#: (label, m, fan_in, fan_out): the layers check_dense_backward runs, in order. The square one
#: comes first: there a transposed dW or a `dz @ W` has the right shape, and only the values
#: can tell.
DENSE_CASES = [("a square layer (4 -> 4, batch of 5)", 5, 4, 4),
               ("a rectangular layer (3 -> 5, batch of 6)", 6, 3, 5)]


def dense_case(m: int, fan_in: int, fan_out: int, seed: int = 0
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(a, W, b, dh) for one check: normal entries, redrawn until every z = a W + b is at least
    0.05 from the ReLU's kink (so finite differences never straddle it) and both signs occur."""
    rng = np.random.default_rng(seed)
    while True:
        a = rng.normal(size=(m, fan_in))
        W = rng.normal(size=(fan_in, fan_out))
        b = rng.normal(size=fan_out)
        z = a @ W + b
        if np.abs(z).min() > 0.05 and 0.25 < np.mean(z > 0) < 0.75:
            return a, W, b, rng.normal(size=(m, fan_out))


def _dense_case_check(backward: Callable[..., Any], label: str, m: int, fan_in: int,
                      fan_out: int, seed: int) -> Result:
    a, W, b, dh = dense_case(m, fan_in, fan_out, seed)
    name = f"dense backward on {label}"
    # the reference: central differences of L = sum(dh * h), whose gradient is (dW, db, da)
    loss = {"W": lambda w: float(np.sum(dh * _relu_layer(a, w.reshape(W.shape), b))),
            "b": lambda v: float(np.sum(dh * _relu_layer(a, W, v))),
            "a": lambda v: float(np.sum(dh * _relu_layer(v.reshape(a.shape), W, b)))}
    expected = {"dW": numeric.gradient(loss["W"], W.ravel()).reshape(W.shape),
                "db": numeric.gradient(loss["b"], b),
                "da": numeric.gradient(loss["a"], a.ravel()).reshape(a.shape)}
    try:
        out = attempt(backward, a.copy(), W.copy(), b.copy(), dh.copy())
    except ValueError as err:
        if "matmul" in str(err) or "shapes" in str(err) or "broadcast" in str(err):
            return Result(name, "failed", f"your function raised ValueError: {err}. Hint: let the "
                          f"shapes lead: a is (m, fan_in) = {a.shape}, W is (fan_in, fan_out) = "
                          f"{W.shape}, dh and dz are (m, fan_out) = {dh.shape}; each gradient has "
                          f"the shape of what it differentiates, so dW = aᵀ dz, da = dz Wᵀ.")
        raise
    try:
        parts = tuple(out)
    except TypeError:
        parts = ()
    if len(parts) != 3:
        return Result(name, "failed", f"backward must return three arrays (dW, db, da), got "
                                      f"{type(out).__name__}"
                                      + (f" of length {len(parts)}" if parts else ""))
    dW, db, da = parts
    # the typical wrong answers, each computed exactly
    mask = (a @ W + b) > 0
    dz = dh * mask
    no_mask = ("The ReLU mask is missing: the gradient passes relu only where z = a W + b > 0, "
               "so first dz = dh * (z > 0), then use dz (not dh) in all three products.")
    hints = {
        "dW": [(no_mask, a.T @ dh),
               ("dW is transposed: dL/dW has the shape of W, (fan_in, fan_out), and entry (i, j) "
                "is Σ_n a_ni dz_nj, so dW = aᵀ dz, not dzᵀ a"
                + (" (with a square W the shapes cannot tell you; only the values can)."
                   if fan_in == fan_out else "."), (a.T @ dz).T),
               ("dW is transposed and the ReLU mask is missing: dW = aᵀ dz with dz = dh * (z > 0).",
                (a.T @ dh).T),
               ("dW is divided by m: the 1/m of a mean loss is already inside dh; the sum over the "
                "batch in aᵀ dz must not be averaged again.", a.T @ dz / m),
               ("The sign of dW is flipped.", -(a.T @ dz))],
        "db": [("db is the mean over the batch: it must be the SUM of dz over the rows "
                "(dz.sum(axis=0)). b is added to every row, so its m paths to the loss add up; "
                "any 1/m is already inside dh.", dz.mean(axis=0)),
               (no_mask, dh.sum(axis=0)),
               ("db is the mean of dh over the batch: sum instead of mean, and apply the ReLU "
                "mask (dz = dh * (z > 0)) first.", dh.mean(axis=0)),
               ("db summed over the wrong axis: one entry per unit, so sum dz over the rows, "
                "axis=0.", dz.sum(axis=1)),
               ("db must have one entry per unit: sum dz over the rows (axis=0).", dz)],
        "da": [(no_mask, dh @ W.T),
               ("da is divided by m: the 1/m is already inside dh.", dz @ W.T / m),
               ("da has the ReLU mask of the layer's input applied: da = dz Wᵀ, no mask on a "
                "(that belongs to the layer below).", (dz @ W.T) * (a > 0))],
    }
    if fan_in == fan_out:              # otherwise dz @ W does not even run (caught above)
        hints["da"].insert(0, ("da = dz W: the transpose is missing. da = dz Wᵀ, shape "
                               "(m, fan_out)·(fan_out, fan_in) = (m, fan_in), the shape of a "
                               "(with a square W NumPy cannot catch it).", dz @ W))
    for key, got in (("dW", dW), ("db", db), ("da", da)):
        result = _compare(f"{name}: {key}", got, expected[key], hints[key])
        if not result.ok:
            return result
    return Result(name, "passed", "dW, db and da agree with finite differences")


def check_dense_backward(backward: Callable[..., Any], seed: int = 0) -> Result:
    """Check a learner's backward pass of one dense ReLU layer  h = relu(a W + b):

        backward(a, W, b, dh) -> (dW, db, da),    dh = dL/dh of shape (m, fan_out)

    must return dL/dW = aᵀ dz (fan_in, fan_out), dL/db = Σ_rows dz (fan_out,) and
    dL/da = dz Wᵀ (m, fan_in), with dz = dh ⊙ [a W + b > 0]. The reference is central finite
    differences (``gradlib.numeric.gradient``) of L = Σ dh ⊙ h, whose gradient is exactly those
    three arrays, on the layers of ``DENSE_CASES`` (a square one first, where a transposed
    answer has the right shape). Never raises for a wrong answer: the Result says which array is
    off, where, and which typical mistake gives exactly that.
    """
    if not callable(backward):
        raise ValueError(f"backward must be a function backward(a, W, b, dh), got "
                         f"{type(backward).__name__}")
    seed = check.integer("seed", seed, 0)
    result = first_failure("dense backward", [
        (lambda case=case, k=k: _dense_case_check(backward, *case, seed + k))
        for k, case in enumerate(DENSE_CASES)])
    if result.ok:
        return Result("dense backward", "passed",
                      f"dW, db and da agree with finite differences on {len(DENSE_CASES)} layers "
                      f"(a square and a rectangular one)")
    return result


# -- softmax + cross-entropy --------------------------------------------------------------------
def softmax_xent_reference(z: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """L = (1/m) Σ_i [logsumexp(z_i) − z_{i, y_i}] and dL/dz = (softmax(z) − onehot(y)) / m,
    computed from shifted scores (no overflow)."""
    m = z.shape[0]
    s = z - z.max(axis=1, keepdims=True)
    log_p = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
    loss = -float(log_p[np.arange(m), y].mean())
    grad = np.exp(log_p)
    grad[np.arange(m), y] -= 1.0
    return loss, grad / m


#: (label, z, y): the cases check_softmax_xent_backward runs, in order.
XENT_CASES = [
    ("5 rows, 4 classes", 2.0 * np.random.default_rng(7).normal(size=(5, 4)),
     np.array([0, 3, 1, 3, 2])),
    ("3 rows with scores near ±1000", np.array([[1000.0, 1001.0, 1002.0],
                                                [-1000.0, 0.0, 1000.0],
                                                [50.0, 800.0, -3.0]]), np.array([0, 2, 1])),
]


def _xent_case_check(backward: Callable[..., Any], label: str, z: np.ndarray,
                     y: np.ndarray) -> Result:
    name = f"softmax_xent_backward on {label}"
    m, k = z.shape
    _, closed = softmax_xent_reference(z, y)
    if np.abs(z).max() < 100:          # where finite differences are accurate: they are the reference
        expected = numeric.gradient(lambda v: softmax_xent_reference(v.reshape(z.shape), y)[0],
                                    z.ravel()).reshape(z.shape)
        rtol, atol = RTOL, ATOL
    else:                              # e^1000: only the shifted closed form is exact
        expected, rtol, atol = closed, 1e-12, 1e-15
    zz, yy = z.copy(), y.copy()
    with np.errstate(all="ignore"):    # a naive softmax overflows: the check reports it, NumPy need not
        got = attempt(backward, zz, yy)
    if not (np.array_equal(zz, z) and np.array_equal(yy, y)):
        return Result(name, "failed", "your function changed its input z (or y) in place, e.g. "
                      "z -= z.max(...): the caller still needs z. Work on a new array: "
                      "s = z - z.max(axis=1, keepdims=True).")
    p = closed * m
    p[np.arange(m), y] += 1.0           # softmax(z), computed stably
    onehot = np.eye(k)[y]
    with np.errstate(all="ignore"):
        e = np.exp(np.minimum(z, 700.0))
        p_col = e / e.sum(axis=0, keepdims=True)
    wrong = [
        ("The 1/m is missing: L is the MEAN of the m row losses, so each row's gradient "
         "p − onehot(y) carries a factor 1/m.", p - onehot),
        ("You forgot to subtract onehot(y): dL/dz = (p − onehot(y))/m; the −1 at the label "
         "comes from the −z_{y} in −log p_y = logsumexp(z) − z_y.", p / m),
        ("The sign is flipped: dL/dz = (p − onehot(y))/m; raising the label's score must "
         "LOWER the loss, so that entry is negative.", (onehot - p) / m),
        ("You used only the diagonal of the softmax Jacobian, ∂p_k/∂z_k = p_k(1 − p_k), and "
         "dropped the off-diagonal −p_k p_j: every score z_j moves every probability p_k, so "
         "dℓ/dz_j = Σ_k dℓ/dp_k · p_k([k = j] − p_j) = p_j − [j = y].", (p - 1.0) * onehot / m),
        ("You multiplied (p − onehot)/m by p(1 − p) as well: the softmax Jacobian is already "
         "inside p − onehot (the 1/p_y of the log cancels it); there is no extra factor.",
         (p - onehot) * p * (1 - p) / m),
        ("That is ∂L/∂p = −onehot/(m p), the gradient with respect to the probabilities: "
         "contract it with the softmax Jacobian p_k([k = j] − p_j) to get ∂L/∂z.",
         -onehot / np.maximum(p, 1e-300) / m),
        ("Your softmax normalizes each COLUMN (sum over axis 0): each row of z is one "
         "example, so sum over axis=1 with keepdims=True.", (p_col - onehot) / m),
    ]
    result = _compare(name, got, expected, wrong, rtol=rtol, atol=atol)
    if not result.ok and "not a finite number" in result.message:
        return Result(result.name, "failed", result.message + ". Your softmax overflowed: e^z is "
                      "inf for z > 709. Softmax is unchanged when the same number is subtracted "
                      "from a row, so use s = z − z.max(axis=1, keepdims=True), p = e^s / Σ e^s.")
    return result


def check_softmax_xent_backward(backward: Callable[[np.ndarray, np.ndarray], Any]) -> Result:
    """``backward(z, y)`` gets scores z (m, K) and integer labels y (m,) and must return the
    gradient of the mean cross-entropy L = (1/m) Σ_i −log softmax(z_i)_{y_i}:

        dL/dz = (softmax(z) − onehot(y)) / m,     shape (m, K)

    Checked against central finite differences of L on ordinary scores, and against the
    stable closed form on scores near ±1000 (where a softmax computed without subtracting the
    row maximum overflows to nan). Never raises for a wrong answer.
    """
    if not callable(backward):
        raise ValueError(f"backward must be a function backward(z, y), got "
                         f"{type(backward).__name__}")
    result = first_failure("softmax_xent_backward", [
        (lambda case=case: _xent_case_check(backward, *case)) for case in XENT_CASES])
    if result.ok:
        return Result("softmax_xent_backward", "passed",
                      "(p − onehot)/m: agrees with finite differences, and stays finite for "
                      "scores near ±1000")
    return result
