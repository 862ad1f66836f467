"""Checks for the exercises of notebooks 12 (regularization) and 14 (input gradients).

    check_l2_step(l2_step)            one gradient-descent step on L + (l2/2)||w||^2
    check_adam_l2_step(adam_l2_step)  one Adam step with L2 in the gradient (torch.optim.Adam's
                                      weight_decay), against optim.adam on grad + lam w
    check_adamw_step(adamw_step)      one AdamW step (decoupled decay, torch's convention),
                                      against optim.adamw
    check_fgsm(fgsm)                  clip(x + eps sign(dL/dx), 0, 1)
    check_targeted(targeted)          clip(x - eps sign(dL(x, target)/dx), 0, 1)

Each runs the learner's function on cases whose answers come from the library (``optim.gd``,
``optim.adam``, ``optim.adamw``, ``MLP.input_gradient``) and, when it is wrong, names the entry
that is off and, when the output is exactly what a typical mistake gives, that mistake: a
missing bias correction, a decay put into the gradient or not multiplied by lr, lam/2 for lam,
a flipped sign, a missing clip, the raw gradient instead of its sign.

The Adam steps are checked from given states (m, v, t) taken from a reference run, step by step,
so the first step that goes wrong is the one reported, and its m and v are checked as well as w.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

from gradlib import optim
from gradlib.exercises import Result, attempt, compare, first_failure
from gradlib.mlp import MLP

__all__ = ["check_l2_step", "check_adam_l2_step", "check_adamw_step", "check_fgsm",
           "check_targeted", "AdamCase", "ADAM_CASES", "adam_l2_reference", "adamw_reference"]

Array = np.ndarray
#: rtol and atol of every comparison: the library's own formulas, up to rounding.
TOL = 1e-12


def _same(a: Array, b: Any) -> bool:
    b = np.asarray(b, dtype=float)
    return a.shape == b.shape and bool(np.all(np.abs(a - b) <= TOL + TOL * np.abs(b)))


def _array(name: str, got: Any, shape: tuple[int, ...]) -> Array | Result:
    """The learner's output as a float array, or a failed Result saying what came back."""
    try:
        return np.asarray(got, dtype=float)
    except (TypeError, ValueError):
        return Result(name, "failed", f"return an array of shape {shape}, got {type(got).__name__}")


# -- the L2 step (notebook 12, exercise 1) -----------------------------------------------------
def check_l2_step(l2_step: Callable[[Array, Array, float, float], Any], seed: int = 0) -> Result:
    """``l2_step(w, grad, lr, l2)`` must return one gradient-descent step on
    L(w) + (l2/2)||w||^2, given grad = dL/dw:

        w - lr (grad + l2 w)  =  (1 - lr l2) w - lr grad

    checked against ``optim.gd(lr)`` on the penalized gradient, for a weight vector and a weight
    matrix, to 1e-12. ``seed`` draws the numbers.
    """
    rng = np.random.default_rng(seed)
    cases = [("a weight vector, lr = 0.1, l2 = 0.5", rng.normal(size=5), rng.normal(size=5),
              0.1, 0.5),
             ("a 3 x 4 weight matrix, lr = 0.3, l2 = 0.2", rng.normal(size=(3, 4)),
              rng.normal(size=(3, 4)), 0.3, 0.2)]

    def case(label: str, w: Array, g: Array, lr: float, l2: float) -> Callable[[], Result]:
        def run() -> Result:
            name = f"l2_step on {label}"
            expected, _ = optim.gd(lr).update(w, g + l2 * w, optim.gd(lr).init(w))
            got = _array(name, attempt(l2_step, w.copy(), g.copy(), lr, l2), w.shape)
            if isinstance(got, Result):
                return got
            return compare(name, got, expected, rtol=TOL, atol=TOL, wrong=[
                ("That is the step without the penalty: add the gradient of (l2/2)||w||^2, "
                 "which is l2 * w.", w - lr * g),
                ("The gradient of (l2/2)||w||^2 is l2 * w, not (l2/2) * w: the 2 of the square "
                 "cancels the 1/2.", w - lr * (g + 0.5 * l2 * w)),
                ("The penalty's sign is flipped: your step GROWS the weights. The penalty's "
                 "gradient +l2 w is subtracted with the rest: w - lr (grad + l2 w).",
                 w - lr * (g - l2 * w)),
                ("The shrink is not multiplied by lr: the factor is (1 - lr l2), not (1 - l2).",
                 (1 - l2) * w - lr * g),
                ("You shrank after the step: (1 - lr l2)(w - lr grad). Both gradients are "
                 "taken at the same w: (1 - lr l2) w - lr grad.", (1 - lr * l2) * (w - lr * g)),
                ("The data gradient is missing: only the decay is left.", (1 - lr * l2) * w)])
        return run

    result = first_failure("l2_step", [case(*c) for c in cases])
    if result.ok:
        return Result("l2_step", "passed", "your step equals optim.gd on grad + l2 w to 1e-12, for "
                                           "a weight vector and a weight matrix")
    return result


# -- one Adam + L2 step and one AdamW step (notebook 12, exercise 2) ----------------------------
class AdamCase(NamedTuple):
    """One step to check: the state before it (w, grad, m, v, t = the number of this step) and
    the hyper-parameters."""
    label: str
    w: Array
    grad: Array
    m: Array
    v: Array
    t: int
    lr: float
    lam: float
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8


#: The badly scaled quadratic L(w) = 1/2 (w - c)^T diag(_A) (w - c) of the cases' reference run.
_A = np.array([50.0, 5.0, 0.5, 0.05])
_C = np.array([1.0, -1.0, 2.0, 0.5])


def _quadratic_cases() -> list[AdamCase]:
    """Steps t = 1..6 of an Adam + L2 run (lr 0.05, lam 0.1) on the badly scaled quadratic, each
    from the state the reference run had reached; the AdamW checker uses the same states."""
    lr, lam = 0.05, 0.1
    opt = optim.adam(lr)
    w, state = np.array([3.0, -2.0, -1.0, 4.0]), opt.init(np.zeros(4))
    cases = []
    for t in range(1, 7):
        g = _A * (w - _C)
        label = ("the first step (t = 1, m = v = 0)" if t == 1 else
                 f"step t = {t} of a run on a badly scaled quadratic")
        cases.append(AdamCase(label, w.copy(), g, state.mu.copy(), state.nu.copy(), t, lr, lam))
        w, state = opt.update(w, g + lam * w, state)
    return cases


def _matrix_case() -> AdamCase:
    """A 2 x 3 weight matrix, a random state (m, v > 0) at step t = 40, non-default beta1,
    beta2, eps."""
    rng = np.random.default_rng(12)
    g = rng.normal(0.0, 0.3, size=(2, 3))
    m = rng.normal(0.0, 0.2, size=(2, 3))
    v = rng.uniform(0.01, 0.2, size=(2, 3))
    return AdamCase("a 2 x 3 weight matrix at step t = 40 with beta1 = 0.8, beta2 = 0.99, "
                    "eps = 1e-3", rng.normal(size=(2, 3)), g, m, v, 40, 0.02, 0.3,
                    0.8, 0.99, 1e-3)


ADAM_CASES: list[AdamCase] = _quadratic_cases() + [_matrix_case()]


def _adam(w: Array, g: Array, m: Array, v: Array, t: int, lr: float, b1: float, b2: float,
          eps: float, *, bias: bool = True, t_shift: int = 0, eps_inside: bool = False,
          eps_paper: bool = False, no_one_minus: bool = False) -> tuple[Array, Array, Array]:
    """Adam's step with gradient g, written out (with switches for the typical mistakes)."""
    m_new = b1 * m + (g if no_one_minus else (1 - b1) * g)
    v_new = b2 * v + (g * g if no_one_minus else (1 - b2) * g * g)
    tt = t + t_shift
    with np.errstate(all="ignore"):
        m_hat = m_new / (1 - b1 ** tt) if bias else m_new
        v_hat = v_new / (1 - b2 ** tt) if bias else v_new
        if eps_inside:
            step = m_hat / np.sqrt(v_hat + eps)
        elif eps_paper:          # Kingma & Ba's "efficient" form: eps added to sqrt(v), not to
                                 # sqrt(v_hat)
            step = (m_new / (1 - b1 ** tt)) * np.sqrt(1 - b2 ** tt) / (np.sqrt(v_new) + eps)
        else:
            step = m_hat / (np.sqrt(v_hat) + eps)
    return w - lr * step, m_new, v_new


def adam_l2_reference(c: AdamCase) -> tuple[Array, Array, Array]:
    """(w, m, v) after ``optim.adam`` takes one step on grad + lam w from the state of ``c``."""
    opt = optim.adam(c.lr, c.beta1, c.beta2, c.eps)
    w, s = opt.update(c.w, c.grad + c.lam * c.w, optim.AdamState(c.t - 1, c.m, c.v))
    return w, s.mu, s.nu


def adamw_reference(c: AdamCase) -> tuple[Array, Array, Array]:
    """(w, m, v) after ``optim.adamw`` (torch's convention: the decay multiplied by lr) takes
    one step on grad from the state of ``c``."""
    opt = optim.adamw(c.lr, c.beta1, c.beta2, c.eps, weight_decay=c.lam)
    w, s = opt.update(c.w, c.grad, optim.AdamState(c.t - 1, c.m, c.v))
    return w, s.mu, s.nu


def _common_mistakes(c: AdamCase, g: Array, w0: Array) -> list[tuple[str, tuple]]:
    """Mistakes inside Adam itself, for the step on gradient g from weights w0 (the decayed
    weights for AdamW)."""
    a = (w0, g, c.m, c.v, c.t, c.lr, c.beta1, c.beta2, c.eps)
    right = _adam(*a)
    with np.errstate(all="ignore"):
        m_hat = right[1] / (1 - c.beta1 ** c.t)
        v_hat = right[2] / (1 - c.beta2 ** c.t)
    out = [
        ("No bias correction: divide m by (1 - beta1^t) and v by (1 - beta2^t) before the "
         "step (with m = v = 0 at the start, the raw averages are far too small).",
         _adam(*a, bias=False)),
        ("The bias correction uses t + 1: here t is already the number of THIS step (1 for "
         "the first), so m_hat = m / (1 - beta1^t).", _adam(*a, t_shift=1)),
        ("eps goes outside the square root: m_hat / (sqrt(v_hat) + eps), as in optim.adam and "
         "torch.", _adam(*a, eps_inside=True)),
        ("You added eps to sqrt(v) before the bias correction (the paper's 'efficient' form): "
         "optim.adam and torch add it to sqrt(v_hat).", _adam(*a, eps_paper=True)),
        ("The moving averages need their (1 - beta) weights: m = beta1 m + (1 - beta1) g, "
         "v = beta2 v + (1 - beta2) g^2.", _adam(*a, no_one_minus=True)),
        ("Return the state m, v, not the bias-corrected m_hat, v_hat: the correction is applied "
         "to a copy at each step, the running averages stay raw.", (right[0], m_hat, v_hat)),
    ]
    if (c.beta1, c.beta2) != (0.9, 0.999):
        out.append(("You used beta1 = 0.9, beta2 = 0.999: use the arguments beta1, beta2.",
                    _adam(w0, g, c.m, c.v, c.t, c.lr, 0.9, 0.999, c.eps)))
    if c.t > 1:
        out.append(("The bias correction uses t - 1: t is the number of this step, "
                    "m_hat = m / (1 - beta1^t).", _adam(*a, t_shift=-1)))
    return out


def _adam_l2_mistakes(c: AdamCase) -> list[tuple[str, tuple]]:
    w, g, lam, lr = c.w, c.grad, c.lam, c.lr

    def adam(grad: Array, w0: Array = w) -> tuple[Array, Array, Array]:
        return _adam(w0, grad, c.m, c.v, c.t, lr, c.beta1, c.beta2, c.eps)

    return [
        ("That is plain Adam: the L2 term is missing. Adam + L2 adds the penalty's gradient "
         "lam * w to grad before m and v are updated.", adam(g)),
        ("The gradient of (lam/2)||w||^2 is lam * w, not (lam/2) * w.", adam(g + 0.5 * lam * w)),
        ("The penalty's sign is flipped: the gradient of L + (lam/2)||w||^2 is grad + lam * w.",
         adam(g - lam * w)),
        ("That is AdamW: you decayed w directly (w - lr lam w) instead of adding lam * w to "
         "the gradient. In Adam + L2 the penalty goes INTO the gradient, through m and v.",
         adam(g, (1 - lr * lam) * w)),
    ] + _common_mistakes(c, g + lam * w, w)


def _adamw_mistakes(c: AdamCase) -> list[tuple[str, tuple]]:
    w, g, lam, lr = c.w, c.grad, c.lam, c.lr

    def adam(w0: Array, grad: Array = g) -> tuple[Array, Array, Array]:
        return _adam(w0, grad, c.m, c.v, c.t, lr, c.beta1, c.beta2, c.eps)

    after = adam(w)
    return [
        ("You put the decay into the gradient (grad + lam * w): that is Adam + L2, not AdamW. "
         "Decoupled decay shrinks w directly, w <- w - lr lam w, and Adam sees only grad.",
         adam(w, g + lam * w)),
        ("The decay is not multiplied by lr: torch.optim.AdamW and optim.adamw shrink by "
         "lr * lam * w (w <- (1 - lr lam) w), not lam * w.", adam((1 - lam) * w)),
        ("The decay is lr * lam * w, not lr * (lam/2) * w.", adam((1 - 0.5 * lr * lam) * w)),
        ("That is plain Adam: the decay is missing. AdamW first shrinks w <- w - lr lam w.",
         after),
        ("You shrank AFTER the Adam step: optim.adamw (like torch) shrinks the weights the "
         "gradient was taken at, w <- w - lr lam w, then takes Adam's step. The two differ by "
         "lr^2 lam times the step: small, but not the same algorithm.",
         ((1 - lr * lam) * after[0], after[1], after[2])),
        ("The decay's sign is flipped: w <- w - lr lam w shrinks the weights.",
         adam((1 + lr * lam) * w)),
    ] + _common_mistakes(c, g, (1 - lr * lam) * w)


def _check_step(fn: Callable[..., Any], name: str, c: AdamCase,
                reference: Callable[[AdamCase], tuple[Array, Array, Array]],
                mistakes: Callable[[AdamCase], list[tuple[str, tuple]]]) -> Result:
    label = f"{name}, {c.label}"
    with np.errstate(all="ignore"):                  # a 0/0 is reported below, not warned
        got = attempt(fn, c.w.copy(), c.grad.copy(), c.m.copy(), c.v.copy(), c.t, c.lr, c.lam,
                      c.beta1, c.beta2, c.eps)
    if not isinstance(got, (tuple, list)) or len(got) != 3:
        what = f"a {type(got).__name__} of length {len(got)}" if isinstance(got, (tuple, list)) \
            else type(got).__name__
        return Result(label, "failed", f"return the new state as a tuple (w_new, m_new, v_new), "
                                       f"got {what}")
    expected = reference(c)
    parts = []
    for k, part in enumerate(("w_new", "m_new", "v_new")):
        arr = _array(f"{label}: {part}", got[k], c.w.shape)
        if isinstance(arr, Result):
            return arr
        parts.append(arr)
    # a typical mistake is named when the learner's whole state (w, m, v) is what it gives
    hints = [hint for hint, value in mistakes(c)
             if all(_same(a, b) for a, b in zip(parts, value))]
    for k, part in enumerate(("w_new", "m_new", "v_new")):
        result = compare(f"{label}: {part}", parts[k], expected[k], rtol=TOL, atol=TOL)
        if not result.ok:
            text = result.message
            if c.t == 1 and "not a finite number" in text:
                text += (". At t = 1 the bias correction divides by 1 - beta^1, not by "
                         "1 - beta^0 = 0: did you use t - 1?")
            elif hints:
                text += " Hint: " + " ".join(hints)
            return Result(result.name, "failed", text)
    return Result(label, "passed")


def _check_all(fn: Callable[..., Any], name: str, reference: Callable, mistakes: Callable,
               what: str) -> Result:
    result = first_failure(name, [
        (lambda c=c: _check_step(fn, name, c, reference, mistakes)) for c in ADAM_CASES])
    if result.ok:
        return Result(name, "passed", f"w, m and v agree with {what} to 1e-12 on all "
                                      f"{len(ADAM_CASES)} steps (t = 1 from m = v = 0, a run on a "
                                      f"badly scaled quadratic, a weight matrix)")
    return result


def check_adam_l2_step(adam_l2_step: Callable[..., Any]) -> Result:
    """``adam_l2_step(w, grad, m, v, t, lr, lam, beta1, beta2, eps)`` must return
    (w_new, m_new, v_new): one Adam step on L(w) + (lam/2)||w||^2 given grad = dL/dw,

        g = grad + lam w
        m <- beta1 m + (1 - beta1) g,     v <- beta2 v + (1 - beta2) g^2
        m_hat = m / (1 - beta1^t),        v_hat = v / (1 - beta2^t)      (t = 1 for the first step)
        w <- w - lr m_hat / (sqrt(v_hat) + eps)

    (torch.optim.Adam with weight_decay=lam). Checked against ``optim.adam`` stepping on
    grad + lam w, from the states in ``ADAM_CASES``, to 1e-12.
    """
    return _check_all(adam_l2_step, "adam_l2_step", adam_l2_reference, _adam_l2_mistakes,
                      "optim.adam on grad + lam w")


def check_adamw_step(adamw_step: Callable[..., Any]) -> Result:
    """``adamw_step(w, grad, m, v, t, lr, lam, beta1, beta2, eps)`` must return
    (w_new, m_new, v_new): one AdamW step with decoupled weight decay lam, torch's convention
    (torch.optim.AdamW, optim.adamw's default):

        w <- w - lr lam w                               (decay the weights, not the gradient)
        then Adam's step with g = grad:  m, v, m_hat, v_hat as in Adam,
        w <- w - lr m_hat / (sqrt(v_hat) + eps)

    Checked against ``optim.adamw(lr, beta1, beta2, eps, weight_decay=lam)`` from the states in
    ``ADAM_CASES``, to 1e-12.
    """
    return _check_all(adamw_step, "adamw_step", adamw_reference, _adamw_mistakes,
                      "optim.adamw")


# -- FGSM and the targeted attack (notebook 14, exercises 1 and 3) ------------------------------
class AttackCase(NamedTuple):
    """A small classifier, a batch with pixels in [0, 1] (some near the edges, so the clip
    matters; some misclassified, so the true label matters), labels and eps."""
    label: str
    model: MLP
    X: Array
    y: Array
    eps: float


def _attack_cases(seed: int) -> list[AttackCase]:
    rng = np.random.default_rng(seed)
    out = []
    for k, (sizes, m, eps) in enumerate([([6, 5, 3], 6, 0.1), ([10, 8, 4], 8, 0.25)]):
        net = MLP(sizes, "tanh", "softmax", init="xavier", seed=int(rng.integers(1000)))
        X = rng.uniform(0.05, 0.95, size=(m, sizes[0]))
        X[0, :2] = (0.02, 0.99)                  # pixels the clip will stop
        X[1, 0], X[2, 1] = 0.0, 1.0              # pixels already on the edges
        y = rng.integers(0, sizes[-1], size=m)
        pred = net.predict(X)
        y[:2] = pred[:2]                          # some right ...
        y[2:4] = (pred[2:4] + 1) % sizes[-1]      # ... and some wrong predictions
        out.append(AttackCase(f"a {sizes[0]}-{sizes[1]}-{sizes[2]} network, {m} inputs, "
                              f"eps = {eps}", net, X, y, eps))
    return out


def _attack_result(name: str, fn: Callable[..., Any], args: tuple, X: Array, expected: Array,
                   wrong: Sequence[tuple[str, Array]]) -> Result:
    mine = X.copy()
    got = attempt(fn, args[0], mine, *args[1:])
    if not np.array_equal(mine, X):
        return Result(name, "failed", "your function changed the caller's X in place (X += ... "
                      "or np.clip(..., out=X)): the clean images are lost. Build a new array: "
                      "X_adv = np.clip(X + ..., 0, 1).")
    arr = _array(name, got, X.shape)
    if isinstance(arr, Result):
        return arr
    result = compare(name, arr, expected, rtol=TOL, atol=TOL, wrong=wrong, what="pixel")
    if not result.ok and arr.shape == X.shape and np.all(np.isfinite(arr)) and \
            (arr.min() < -TOL or arr.max() > 1 + TOL) and "clip" not in result.message:
        result = Result(name, "failed", result.message + f" Your pixels range from "
                        f"{arr.min():.3g} to {arr.max():.3g}: clip the result to [0, 1].")
    return result


def check_fgsm(fgsm: Callable[[MLP, Array, Array, float], Any], seed: int = 0) -> Result:
    """``fgsm(model, X, y, eps)`` must return the fast gradient sign method's images, clipped to
    the pixel range:

        X_adv = clip(X + eps sign(dL/dX), 0, 1),    L the loss of the TRUE labels y

    without changing X. Checked against ``model.input_gradient`` on two small classifiers (a
    batch with pixels on and near the edges, some inputs misclassified), to 1e-12.
    """
    def case(c: AttackCase) -> Callable[[], Result]:
        def run() -> Result:
            g = c.model.input_gradient(c.X, c.y)
            step = c.eps * np.sign(g)
            g_pred = c.model.input_gradient(c.X, c.model.predict(c.X))
            wrong = [
                ("Right direction, but clip the result to the pixel range [0, 1].", c.X + step),
                ("That step LOWERS the loss: the attack goes UP the gradient, X + eps sign(dL/dX).",
                 np.clip(c.X - step, 0, 1)),
                ("Use the SIGN of the gradient, so that every pixel moves by eps (the largest "
                 "first-order rise of the loss for |delta_i| <= eps).",
                 np.clip(c.X + c.eps * g, 0, 1)),
                ("You used the model's predictions as labels: FGSM as written uses the true "
                 "labels y (they differ where the model is wrong).",
                 np.clip(c.X + c.eps * np.sign(g_pred), 0, 1)),
                ("You clipped the perturbation, not the image: clip X + eps sign(g) as a whole.",
                 c.X + np.clip(step, 0, 1))]
            return _attack_result(f"fgsm on {c.label}", fgsm, (c.model, c.y.copy(), c.eps),
                                  c.X, np.clip(c.X + step, 0, 1), wrong)
        return run

    return _finish("fgsm", [case(c) for c in _attack_cases(seed)])


def check_targeted(targeted: Callable[[MLP, Array, int, float], Any], seed: int = 0) -> Result:
    """``targeted(model, X, target, eps)`` must return the one-step targeted attack: every image
    pushed toward the class ``target`` by going DOWN the loss of that label,

        X_adv = clip(X - eps sign(dL(X, t)/dX), 0, 1),    t = (target, target, ..., target)

    without changing X. Checked against ``model.input_gradient(X, np.full(len(X), target))`` on
    two small classifiers, to 1e-12.
    """
    def case(c: AttackCase, target: int) -> Callable[[], Result]:
        def run() -> Result:
            t = np.full(len(c.X), target)
            g = c.model.input_gradient(c.X, t)
            step = c.eps * np.sign(g)
            score = c.model.class_score_gradient(c.X, target)
            wrong = [
                ("You went UP the loss of the target label: that pushes the images AWAY from "
                 "the target. A targeted attack goes down it: X - eps sign(dL(X, t)/dX).",
                 np.clip(c.X + step, 0, 1)),
                ("Right direction, but clip the result to the pixel range [0, 1].", c.X - step),
                ("Use the SIGN of the gradient, so that every pixel moves by eps.",
                 np.clip(c.X - c.eps * g, 0, 1)),
                ("You raised the target's score z_t alone. The exercise lowers the loss of the "
                 "target label, which also pushes the other classes down: -dL/dx = dz_t/dx - "
                 "sum_k p_k dz_k/dx.", np.clip(c.X + c.eps * np.sign(score), 0, 1)),
                ("That is untargeted FGSM with the true labels: it makes the model wrong, not "
                 "wrong in the chosen way. Use the target's label.",
                 np.clip(c.X + c.eps * np.sign(c.model.input_gradient(c.X, c.y)), 0, 1))]
            return _attack_result(f"targeted (target {target}) on {c.label}", targeted,
                                  (c.model, target, c.eps), c.X, np.clip(c.X - step, 0, 1), wrong)
        return run

    checks = [case(c, target) for c, target in zip(_attack_cases(seed), (2, 1))]
    result = _finish("targeted", checks)
    if "y must have shape" in result.message:
        return Result(result.name, result.status, result.message + ". Hint: target is one class "
                      "for every image: the labels are np.full(len(X), target).")
    return result


def _finish(name: str, checks: list[Callable[[], Result]]) -> Result:
    result = first_failure(name, checks)
    if result.ok:
        return Result(name, "passed", f"every pixel agrees with the reference on all "
                                      f"{len(checks)} cases (pixels on and near the edges of "
                                      f"[0, 1], inputs the model gets right and wrong)")
    return result
