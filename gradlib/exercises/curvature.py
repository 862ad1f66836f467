"""Checks for the Hessian notebook's exercises (notebook 04).

    check_quadratic_form(gradient, hessian, critical_point)
        f(x) = ½ xᵀAx + bᵀx for a NON-symmetric A:  ∇f = ½(A + Aᵀ)x + b,  H = ½(A + Aᵀ),
        the critical point solves ½(A + Aᵀ)x = −b
    check_classifier(classify)
        the second-derivative test from the eigenvalues of H, with a tolerance, against
        ``gradlib.curvature.analyze`` on 2-D and 3-D matrices, definite, indefinite and singular

The typical mistakes are named: answering A (right only for a symmetric A), a factor 2, the sign
of b; the 2 × 2 determinant test used in 3-D, minimum and maximum swapped, no tolerance (a
rounding error of 1e-16 read as a curvature), an absolute tolerance, a saddle called degenerate.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from gradlib import curvature
from gradlib.exercises import NotImplementedYet, Result, attempt, compare

__all__ = ["check_quadratic_form", "check_classifier", "QUADRATIC_CASES", "CLASSIFIER_CASES"]

Matrix = np.ndarray


def _parts(name: str, parts: list[tuple[str, Callable[[], Result]]]) -> Result:
    """Run each part's check on its own and report all of them in one line, e.g.
    "gradient ✔; Hessian ✘ (...); critical point: not implemented yet". The status is "passed"
    when every part passes, "failed" when one fails, else "not implemented yet"."""
    lines, statuses = [], []
    for label, check in parts:
        try:
            result = check()
        except NotImplementedYet:
            statuses.append("not implemented yet")
            lines.append(f"{label}: not implemented yet")
            continue
        except Exception as err:  # noqa: BLE001 - a learner's bug is reported, not raised
            result = Result(label, "failed", f"your function raised {type(err).__name__}: {err}")
        statuses.append(result.status)
        lines.append(f"{label} ✔" if result.ok else f"{label} ✘ ({result.name}: {result.message})")
    if all(s == "passed" for s in statuses):
        return Result(name, "passed", "; ".join(lines))
    if all(s == "not implemented yet" for s in statuses):
        return Result(name, "not implemented yet", "replace each `raise NotImplementedError` with "
                                                   "your code, then run this cell again")
    status = "failed" if "failed" in statuses else "not implemented yet"
    return Result(name, status, "; ".join(lines))


# -- the quadratic form ½ xᵀAx + bᵀx -------------------------------------------------------------
def _quadratic_case(seed: int, n: int) -> tuple[Matrix, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    A = rng.normal(size=(n, n)).round(1)          # short decimals, easy to print; not symmetric
    return A, rng.normal(size=n).round(1), rng.normal(size=n).round(2)


#: (A, b, x) for check_quadratic_form: non-symmetric A, 2-D by hand and 3-D random, each with an
#: invertible symmetric part (so the critical point is unique).
QUADRATIC_CASES: list[tuple[Matrix, np.ndarray, np.ndarray]] = [
    (np.array([[2.0, 3.0], [-1.0, 4.0]]), np.array([1.0, -2.0]), np.array([0.5, -1.5])),
    _quadratic_case(4, 3),
]


def _sym(A: Matrix) -> Matrix:
    return 0.5 * (A + A.T)


def _gradient_hints(A: Matrix, b: np.ndarray, x: np.ndarray) -> list[tuple[str, Any]]:
    S = _sym(A)
    return [("That is Ax + b, right only for a symmetric A: x_k sits in row k AND in column k of "
             "Σ_ij A_ij x_i x_j, so ∂/∂x_k picks up ½(Ax)_k + ½(Aᵀx)_k.", A @ x + b),
            ("That is Aᵀx + b: only the column-k half of the derivative; add the row-k half, "
             "(Ax)_k.", A.T @ x + b),
            ("A factor 2: (A + Aᵀ)x + b is the gradient of xᵀAx + bᵀx; the ½ of f stays.",
             2 * S @ x + b),
            ("b is missing: ∇(bᵀx) = b.", S @ x),
            ("The sign of b: ∇(bᵀx) = +b.", S @ x - b),
            ("That is Ax: A instead of its symmetric part, and b missing.", A @ x)]


def _hessian_hints(A: Matrix) -> list[tuple[str, Any]]:
    return [("That is A itself, the classic mistake: the Hessian is the Jacobian of the gradient "
             "½(A + Aᵀ)x + b, so H = ½(A + Aᵀ), the symmetric part of A (a Hessian is always "
             "symmetric: the mixed partials agree).", A),
            ("That is Aᵀ: H = ½(A + Aᵀ), symmetric.", A.T),
            ("A factor 2: A + Aᵀ is the Hessian of xᵀAx; the ½ of f stays.", A + A.T)]


def _point_hints(A: Matrix, b: np.ndarray) -> list[tuple[str, Any]]:
    S = _sym(A)
    hints = [("The sign: ∇f = ½(A + Aᵀ)x + b = 0 gives ½(A + Aᵀ)x = −b.", np.linalg.solve(S, b)),
             ("A factor 2: you solved (A + Aᵀ)x = −b; ∇f = ½(A + Aᵀ)x + b.",
              np.linalg.solve(2 * S, -b))]
    if np.linalg.cond(A) < 1e12:
        hints.insert(0, ("You solved Ax = −b: the gradient is ½(A + Aᵀ)x + b, not Ax + b "
                         "(A is not symmetric).", np.linalg.solve(A, -b)))
    return hints


def check_quadratic_form(gradient: Callable[[Matrix, np.ndarray, np.ndarray], Any],
                         hessian: Callable[[Matrix], Any],
                         critical_point: Callable[[Matrix, np.ndarray], Any]) -> Result:
    """For f(x) = ½ xᵀAx + bᵀx with a square A that need not be symmetric:

        gradient(A, b, x)     -> ∇f(x) = ½(A + Aᵀ)x + b          shape (n,)
        hessian(A)            -> H = ½(A + Aᵀ)                    shape (n, n)
        critical_point(A, b)  -> the x* with ∇f(x*) = 0, i.e. ½(A + Aᵀ)x* = −b

    Checked on the non-symmetric cases in ``QUADRATIC_CASES`` (2-D and 3-D), each part on its own.
    """
    def run(part: str, call: Callable[[Matrix, np.ndarray, np.ndarray], Any],
            expected: Callable[[Matrix, np.ndarray, np.ndarray], Any],
            hints: Callable[[Matrix, np.ndarray, np.ndarray], list]) -> Callable[[], Result]:
        def check() -> Result:
            for A, b, x in QUADRATIC_CASES:
                got = attempt(call, A.copy(), b.copy(), x.copy())
                result = compare(f"{part}, A = {A.tolist()}", got, expected(A, b, x),
                                 rtol=1e-9, atol=1e-12, wrong=hints(A, b, x))
                if not result.ok:
                    return result
            return result
        return check

    return _parts("quadratic form", [
        ("gradient", run("gradient", lambda A, b, x: gradient(A, b, x),
                         lambda A, b, x: _sym(A) @ x + b, _gradient_hints)),
        ("Hessian", run("Hessian", lambda A, b, x: hessian(A),
                        lambda A, b, x: _sym(A), lambda A, b, x: _hessian_hints(A))),
        ("critical point", run("critical point", lambda A, b, x: critical_point(A, b),
                               lambda A, b, x: np.linalg.solve(_sym(A), -b),
                               lambda A, b, x: _point_hints(A, b))),
    ])


# -- the critical-point classifier ---------------------------------------------------------------
def _rotate(eigenvalues: list[float], seed: int) -> Matrix:
    """Q diag(eigenvalues) Qᵀ with a random orthogonal Q: a symmetric matrix whose eigenvalues
    are known but not visible on its diagonal."""
    n = len(eigenvalues)
    Q, _ = np.linalg.qr(np.random.default_rng(seed).normal(size=(n, n)))
    H = Q @ np.diag(eigenvalues) @ Q.T
    return 0.5 * (H + H.T)


def _low_rank(signs: list[float], n: int, seed: int) -> Matrix:
    """B diag(signs) Bᵀ with B of shape n × len(signs): singular when len(signs) < n. Its zero
    eigenvalue comes out of eigvalsh as a rounding error of about 1e-16, not as 0."""
    B = np.random.default_rng(seed).normal(size=(n, len(signs)))
    H = B @ np.diag(signs) @ B.T
    return 0.5 * (H + H.T)


#: (name, H, tol) for check_classifier; the expected kind is curvature.analyze(H, tol).kind.
CLASSIFIER_CASES: list[tuple[str, Matrix, float]] = [
    ("Rosenbrock at its minimum (1, 1)", np.array([[802.0, -400.0], [-400.0, 200.0]]), 1e-8),
    ("minus that: a hilltop", -np.array([[802.0, -400.0], [-400.0, 200.0]]), 1e-8),
    ("a 2-D saddle", np.array([[2.0, 3.0], [3.0, 1.0]]), 1e-8),
    ("a 3-D saddle whose det H > 0 and H[0, 0] > 0", _rotate([3.0, -1.0, -2.0], 6), 1e-8),
    ("a 3-D maximum (det H < 0)", _rotate([-1.0, -2.0, -3.0], 1), 1e-8),
    ("a 3-D minimum", _rotate([0.5, 2.0, 4.0], 2), 1e-8),
    ("diag(2, 0): semidefinite", np.diag([2.0, 0.0]), 1e-8),
    ("B Bᵀ with B 3 × 2: semidefinite, zero eigenvalue rounded to about 1e-16",
     _low_rank([1.0, 1.0], 3, 3), 1e-8),
    ("−B Bᵀ: negative semidefinite, rounded zero eigenvalue", -_low_rank([1.0, 1.0], 3, 5), 1e-8),
    ("diag(1, 0, −1): a saddle with a zero eigenvalue", np.diag([1.0, 0.0, -1.0]), 1e-8),
    ("10⁻¹⁰ · diag(1, 3): a minimum with tiny curvature", 1e-10 * np.diag([1.0, 3.0]), 1e-8),
    ("the zero matrix", np.zeros((2, 2)), 1e-8),
    ("eigenvalues 1e-6 and 1, tol = 1e-4: numerically singular", _rotate([1e-6, 1.0], 6), 1e-4),
    ("a 1 × 1 Hessian, f'' = −3", np.array([[-3.0]]), 1e-8),
]


def _det_test(H: Matrix) -> str:
    """The 2 × 2 test used on any size: det < 0 saddle; det > 0 minimum if H[0,0] > 0 else maximum."""
    det = np.linalg.det(H)
    if det < 0:
        return "saddle"
    if det > 0:
        return "minimum" if H[0, 0] > 0 else "maximum"
    return "degenerate"


def _by_signs(lam: np.ndarray, zero: np.ndarray) -> str:
    pos, neg = (lam > 0) & ~zero, (lam < 0) & ~zero
    if pos.any() and neg.any():
        return "saddle"
    if zero.any():
        return "degenerate"
    return "minimum" if pos.all() else "maximum"


_SWAP = {"minimum": "maximum", "maximum": "minimum"}


def _classifier_hint(H: Matrix, tol: float, truth: str, answer: str) -> str:
    lam = np.linalg.eigvalsh(H)
    size = float(np.max(np.abs(lam)))
    hints = []
    if answer == _SWAP.get(truth):
        hints.append("Minimum and maximum are swapped: all λ > 0 means f curves UP in every "
                     "direction, a minimum.")
    if H.shape[0] != 2 and answer == _det_test(H) != "degenerate":
        hints.append(f"The determinant test is for 2 × 2 only: det H = {np.linalg.det(H):.3g} is "
                     f"the product of all {H.shape[0]} eigenvalues, so its sign cannot tell two "
                     f"negative eigenvalues from none, or three from one. Look at the sign of "
                     f"every eigenvalue.")
    if tol != 1e-8 and answer == _by_signs(lam, np.abs(lam) <= 1e-8 * size) != truth:
        hints.append(f"Use the tol you are given (here {tol:g}): with it, "
                     f"min|λ| / max|λ| = {np.min(np.abs(lam)) / size:.1e} counts as zero.")
    elif answer == _by_signs(lam, lam == 0) != truth:
        hints.append(f"No tolerance: the smallest |λ| here is {np.min(np.abs(lam)):.1e}, a rounding "
                     f"error of an exact 0. Count |λ| <= tol · max|λ| as zero.")
    elif answer == _by_signs(lam, np.abs(lam) <= tol) != truth:
        hints.append(f"Your tolerance is absolute: every |λ| here is below tol = {tol:g}, but the "
                     f"curvature is only small, not zero (the eigenvalues are of one sign and "
                     f"similar size). Make it relative: |λ| <= tol · max|λ| (max|λ| = {size:.3g}).")
    if truth == "saddle" and answer == "degenerate":
        hints.append("Eigenvalues of both signs make a saddle even when another one is 0: "
                     "f curves up along one direction and down along another.")
    if truth == "degenerate" and answer in ("minimum", "maximum") and not hints:
        hints.append("An eigenvalue of 0 (within tolerance) and the rest of one sign: the "
                     "second-derivative test cannot decide, the answer is degenerate.")
    return " ".join(hints)


def check_classifier(classify: Callable[..., Any]) -> Result:
    """``classify(H, tol=1e-8)`` must return the second-derivative test's verdict,

        "minimum"     every eigenvalue λ > 0
        "maximum"     every λ < 0
        "saddle"      some λ > 0 and some λ < 0 (even if another λ is 0)
        "degenerate"  no λ of one sign or the other, and some λ = 0 (the test cannot decide)

    where λ counts as 0 when |λ| <= tol · max|λ| (a relative tolerance, as in
    ``curvature.analyze``; the zero matrix is degenerate). Checked against
    ``curvature.analyze(H, tol).kind`` on ``CLASSIFIER_CASES``: 1-D to 3-D, definite,
    indefinite, singular, one with a rounded zero eigenvalue and one with tiny curvature.
    """
    name = "classifier"
    wrong = []
    try:
        for case, H, tol in CLASSIFIER_CASES:
            truth = curvature.analyze(H, tol).kind
            got = attempt(classify, H.copy(), tol=tol)
            answer = got.strip().lower() if isinstance(got, str) else got
            if answer not in curvature.KINDS:
                return Result(name, "failed", f"{case}: you returned {got!r}; the answer must be "
                              f"one of {', '.join(repr(k) for k in curvature.KINDS)}")
            if answer != truth:
                wrong.append((case, H, tol, truth, answer))
    except NotImplementedYet:
        return Result(name, "not implemented yet",
                      "replace the `raise NotImplementedError` with your code, then run this cell again")
    except Exception as err:  # noqa: BLE001 - a learner's bug is reported, not raised
        return Result(name, "failed", f"your function raised {type(err).__name__}: {err}")
    if not wrong:
        return Result(name, "passed", f"all {len(CLASSIFIER_CASES)} Hessians classified as "
                                      f"curvature.analyze does")
    case, H, tol, truth, answer = wrong[0]
    lam = ", ".join(f"{v:.3g}" for v in np.linalg.eigvalsh(H))
    text = (f"{len(wrong)} of {len(CLASSIFIER_CASES)} Hessians misclassified. First: {case} "
            f"(eigenvalues {lam}): you said {answer!r}, the eigenvalues say {truth!r}.")
    hint = _classifier_hint(H, tol, truth, answer)
    if hint:
        text += " Hint: " + hint
    if len(wrong) > 1:
        text += " Also wrong: " + "; ".join(f"{c} ({a!r}, not {t!r})" for c, _, _, t, a in wrong[1:])
    return Result(name, "failed", text)
