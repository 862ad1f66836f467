"""The Hessian notebook's checkers: a correct solution passes, typical wrong ones are named."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from gradlib import numeric
from gradlib.exercises.curvature import (CLASSIFIER_CASES, QUADRATIC_CASES, check_classifier,
                                         check_quadratic_form)


def stub(*args, **kwargs):
    raise NotImplementedError


# -- the quadratic form ----------------------------------------------------------------------------
def grad_right(A, b, x):
    return 0.5 * (A + A.T) @ x + b


def hess_right(A):
    return 0.5 * (A + A.T)


def point_right(A, b):
    return np.linalg.solve(0.5 * (A + A.T), -b)


def test_quadratic_cases_against_finite_differences_and_sympy() -> None:
    for A, b, x in QUADRATIC_CASES:
        assert not np.allclose(A, A.T)                                # the point of the exercise
        f = lambda v: 0.5 * v @ A @ v + b @ v                          # noqa: E731
        assert np.allclose(grad_right(A, b, x), numeric.gradient(f, x), rtol=1e-8)
        assert np.allclose(hess_right(A), numeric.hessian(f, x), rtol=1e-6, atol=1e-6)
        assert np.allclose(numeric.gradient(f, point_right(A, b)), 0, atol=1e-8)
    # symbolically, for a general 3 x 3 matrix: grad 1/2 x^T A x = 1/2 (A + A^T) x
    A = sp.Matrix(3, 3, sp.symbols("a:3:3"))
    x = sp.Matrix(sp.symbols("x:3"))
    f = (x.T * A * x)[0] / 2
    grad = sp.Matrix([sp.diff(f, v) for v in x])
    assert sp.expand(grad - (A + A.T) * x / 2) == sp.zeros(3, 1)
    assert sp.expand(sp.hessian(f, x) - (A + A.T) / 2) == sp.zeros(3, 3)
    r = check_quadratic_form(grad_right, hess_right, point_right)
    assert r.ok and r.message == "gradient ✔; Hessian ✔; critical point ✔", r


def test_quadratic_checker_names_answering_A() -> None:
    r = check_quadratic_form(lambda A, b, x: A @ x + b, lambda A: A,
                             lambda A, b: np.linalg.solve(A, -b))
    assert r.status == "failed"
    assert "That is Ax + b, right only for a symmetric A" in r.message
    assert "That is A itself, the classic mistake" in r.message
    assert "You solved Ax = −b" in r.message


def test_quadratic_checker_names_factor_two_and_signs() -> None:
    r = check_quadratic_form(lambda A, b, x: (A + A.T) @ x + b, lambda A: A + A.T,
                             lambda A, b: np.linalg.solve(0.5 * (A + A.T), b))
    assert r.status == "failed" and r.message.count("A factor 2") == 2
    assert "The sign: ∇f = ½(A + Aᵀ)x + b = 0" in r.message
    r = check_quadratic_form(lambda A, b, x: 0.5 * (A + A.T) @ x, hess_right, point_right)
    assert r.status == "failed" and "b is missing" in r.message and "Hessian ✔" in r.message
    r = check_quadratic_form(grad_right, lambda A: A.T, point_right)
    assert "That is Aᵀ" in r.message and r.message.startswith("gradient ✔")


def test_quadratic_checker_stub_parts() -> None:
    r = check_quadratic_form(stub, stub, stub)
    assert r.status == "not implemented yet" and "replace each" in r.message
    r = check_quadratic_form(grad_right, hess_right, stub)
    assert r.status == "not implemented yet" and not r.ok
    assert r.message == "gradient ✔; Hessian ✔; critical point: not implemented yet"
    r = check_quadratic_form(grad_right, lambda A: A, stub)           # a failure wins over a stub
    assert r.status == "failed" and "critical point: not implemented yet" in r.message
    r = check_quadratic_form(grad_right, hess_right, lambda A, b: np.linalg.inv(A) @ b @ b)
    assert r.status == "failed" and "shape ()" in r.message
    r = check_quadratic_form(lambda A, b, x: 1 / 0, hess_right, point_right)
    assert r.status == "failed" and "ZeroDivisionError" in r.message


# -- the classifier ----------------------------------------------------------------------------------
#: what each case is, by construction (an oracle independent of curvature.analyze)
EXPECTED = ["minimum", "maximum", "saddle", "saddle", "maximum", "minimum", "degenerate",
            "degenerate", "degenerate", "saddle", "minimum", "degenerate", "degenerate", "maximum"]


def classify_right(H, tol=1e-8):
    lam = np.linalg.eigvalsh(H)
    zero = np.abs(lam) <= tol * np.max(np.abs(lam))
    pos, neg = (lam > 0) & ~zero, (lam < 0) & ~zero
    if pos.any() and neg.any():
        return "saddle"
    if zero.any():
        return "degenerate"
    return "minimum" if pos.all() else "maximum"


def classify_det(H, tol=1e-8):                    # the 2 x 2 test on every size
    det = np.linalg.det(H)
    if det < 0:
        return "saddle"
    if det > 0:
        return "minimum" if H[0, 0] > 0 else "maximum"
    return "degenerate"


def classify_no_tol(H, tol=1e-8):
    lam = np.linalg.eigvalsh(H)
    if np.all(lam > 0):
        return "minimum"
    if np.all(lam < 0):
        return "maximum"
    return "saddle" if lam.min() < 0 < lam.max() else "degenerate"


def classify_absolute(H, tol=1e-8):
    lam = np.linalg.eigvalsh(H)
    zero = np.abs(lam) <= tol
    pos, neg = (lam > 0) & ~zero, (lam < 0) & ~zero
    if pos.any() and neg.any():
        return "saddle"
    if zero.any():
        return "degenerate"
    return "minimum" if pos.all() else "maximum"


def classify_swapped(H, tol=1e-8):
    kind = classify_right(H, tol)
    return {"minimum": "maximum", "maximum": "minimum"}.get(kind, kind)


def classify_zero_first(H, tol=1e-8):
    lam = np.linalg.eigvalsh(H)
    if np.any(np.abs(lam) <= tol * np.max(np.abs(lam))):
        return "degenerate"                       # a zero eigenvalue hides the saddle
    return classify_right(H, tol)


def test_classifier_cases_are_what_their_names_say() -> None:
    assert [classify_right(H, tol) for _, H, tol in CLASSIFIER_CASES] == EXPECTED
    r = check_classifier(classify_right)
    assert r.ok and "all 14 Hessians" in r.message, r
    saddle3 = next(H for name, H, _ in CLASSIFIER_CASES if name.startswith("a 3-D saddle"))
    assert np.linalg.det(saddle3) > 0 and saddle3[0, 0] > 0              # the name's claim
    assert classify_det(saddle3) == "minimum"


@pytest.mark.parametrize("fn, words", [
    (classify_det, "The determinant test is for 2 × 2 only"),
    (classify_swapped, "Minimum and maximum are swapped"),
    (classify_absolute, "Your tolerance is absolute"),
    (classify_zero_first, "both signs make a saddle even when another one is 0"),
    (lambda H, tol=1e-8: classify_right(H), "Use the tol you are given (here 0.0001)"),
    (lambda H, tol=1e-8: "minimum" if np.all(np.linalg.eigvalsh(H) >= 0) else classify_right(H, tol),
     "the second-derivative test cannot decide"),
])
def test_classifier_checker_names_the_mistake(fn, words: str) -> None:
    r = check_classifier(fn)
    assert r.status == "failed" and words in r.message, r


def test_classifier_checker_names_a_missing_tolerance() -> None:
    r = check_classifier(classify_no_tol)
    assert r.status == "failed" and "misclassified" in r.message
    rounded = [H for name, H, _ in CLASSIFIER_CASES if "rounded" in name]
    assert len(rounded) == 2
    # eigvalsh returns the zero eigenvalue of these rank-2 matrices as a rounding error, not 0
    # (as on the machines this was written on); then the hint names the missing tolerance
    if any(np.min(np.abs(np.linalg.eigvalsh(H))) > 0 for H in rounded):
        assert "No tolerance" in r.message, r


def test_classifier_checker_stub_and_bad_answers() -> None:
    r = check_classifier(stub)
    assert r.status == "not implemented yet" and not r.ok
    r = check_classifier(lambda H, tol=1e-8: "min")
    assert r.status == "failed" and "must be one of 'minimum', 'maximum', 'saddle', 'degenerate'" in r.message
    assert check_classifier(lambda H, tol=1e-8: classify_right(H, tol).upper() + " ").ok
    r = check_classifier(lambda H: classify_right(H))                     # no tol argument
    assert r.status == "failed" and "TypeError" in r.message
