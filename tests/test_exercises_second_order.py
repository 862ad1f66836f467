"""The second-order notebook's checker: a correct Newton step passes, typical wrong ones are named."""
from __future__ import annotations

import numpy as np
import pytest

from gradlib import numeric
from gradlib.exercises.second_order import (NEWTON_CASES, _check_case, check_newton_step,
                                            newton_reference)


def _eye(x):
    return np.eye(len(x))


def newton_right(grad, hess, x, damping=0.0):
    return x - np.linalg.solve(hess(x) + damping * _eye(x), grad(x))


def newton_plus_minus(grad, hess, x, damping=0.0):
    return x + np.linalg.solve(hess(x) + damping * _eye(x), -grad(x))


def newton_with_inverse(grad, hess, x, damping=0.0):
    return x - np.linalg.inv(hess(x) + damping * _eye(x)) @ grad(x)


def newton_sign(grad, hess, x, damping=0.0):
    return x + np.linalg.solve(hess(x) + damping * _eye(x), grad(x))


def newton_undamped(grad, hess, x, damping=0.0):
    return x - np.linalg.solve(hess(x), grad(x))


def newton_damping_everywhere(grad, hess, x, damping=0.0):
    return x - np.linalg.solve(hess(x) + damping, grad(x))


def newton_damping_subtracted(grad, hess, x, damping=0.0):
    return x - np.linalg.solve(hess(x) - damping * _eye(x), grad(x))


def gradient_step(grad, hess, x, damping=0.0):
    return x - grad(x)


def times_hessian(grad, hess, x, damping=0.0):
    return x - (hess(x) + damping * _eye(x)) @ grad(x)


def only_the_step(grad, hess, x, damping=0.0):
    return -np.linalg.solve(hess(x) + damping * _eye(x), grad(x))


def saddle_free(grad, hess, x, damping=0.0):
    lam, Q = np.linalg.eigh(hess(x))
    return x - Q @ ((Q.T @ grad(x)) / (np.abs(lam) + damping))


def in_place(grad, hess, x, damping=0.0):
    x -= np.linalg.solve(hess(x) + damping * _eye(x), grad(x))
    return x


def no_damping_parameter(grad, hess, x):
    return newton_right(grad, hess, x)


def stub(grad, hess, x, damping=0.0):
    raise NotImplementedError


def test_the_cases_against_independent_oracles() -> None:
    labels = [case[0] for case in NEWTON_CASES]
    assert len(set(labels)) == len(labels)
    kinds = set()
    for label, grad, hess, x, mu in NEWTON_CASES:
        g, H = grad(x), hess(x)
        # the gradient and Hessian given to the learner agree with finite differences
        assert np.allclose(numeric.jacobian(grad, x), H, rtol=1e-6, atol=1e-5)
        # the reference is x - (H + mu I)^-1 g, written in the eigenbasis of H
        lam, Q = np.linalg.eigh(H)
        assert np.allclose(newton_reference(grad, hess, x, mu), x - Q @ ((Q.T @ g) / (lam + mu)),
                           rtol=1e-10, atol=1e-12), label
        kinds.add(("damped" if mu else "pure", "indefinite" if lam[0] < 0 < lam[-1] else
                   "singular" if np.isclose(lam[0], 0, atol=1e-12) else "definite"))
    assert kinds >= {("pure", "definite"), ("pure", "indefinite"), ("damped", "indefinite"),
                     ("damped", "singular"), ("damped", "definite")}
    # the pure step on the quadratic 1/2 x^T A x - b^T x lands on its minimum A^-1 b
    _, grad, hess, x, _ = NEWTON_CASES[0]
    assert np.allclose(newton_reference(grad, hess, x), np.linalg.solve(hess(x), -grad(np.zeros(3))))


@pytest.mark.parametrize("fn", [newton_right, newton_plus_minus, newton_with_inverse])
def test_a_correct_step_passes(fn) -> None:
    result = check_newton_step(fn)
    assert result.ok and "all 7 cases" in result.message, result


def test_an_inverse_passes_with_a_note_and_solve_without() -> None:
    assert "forms an inverse" in check_newton_step(newton_with_inverse).message
    assert "inverse" not in check_newton_step(newton_right).message


@pytest.mark.parametrize("fn, where, hint", [
    (newton_sign, "3-D positive-definite quadratic", "The sign"),
    (gradient_step, "3-D positive-definite quadratic", "gradient step x − ∇f"),
    (times_hessian, "3-D positive-definite quadratic", "multiplied by the Hessian"),
    (only_the_step, "3-D positive-definite quadratic", "returned the step d"),
    (saddle_free, "H indefinite", "saddle-free"),
    (newton_undamped, "damping μ = 2", "The damping is missing"),
    (newton_damping_everywhere, "damping μ = 2", "to EVERY entry of H"),
    (newton_damping_subtracted, "damping μ = 2", "H − μI instead of H + μI"),
    (in_place, "3-D positive-definite quadratic", "changed the caller's x in place"),
    (no_damping_parameter, "damping μ = 2", "damping=0.0"),
])
def test_typical_mistakes_are_named(fn, where, hint) -> None:
    result = check_newton_step(fn)
    assert result.status == "failed" and where in result.name and hint in result.message, result


def test_the_diagnosis_names_the_coordinate_and_the_error() -> None:
    result = check_newton_step(newton_sign)
    assert "coordinate 2 is 3.369 where -0.3692 was expected" in result.message
    assert "3 of 3 coordinates are off" in result.message


def test_solving_with_a_singular_hessian_is_explained() -> None:
    singular = NEWTON_CASES[-1]
    assert "singular" in singular[0] and singular[-1] > 0
    result = _check_case(newton_undamped, *singular)
    assert result.status == "failed" and "LinAlgError" in result.message
    assert "H itself is singular" in result.message and "np.eye(n)" in result.message
    assert _check_case(newton_right, *singular).ok


def test_the_stub_and_other_errors() -> None:
    result = check_newton_step(stub)
    assert result.status == "not implemented yet" and not result.ok
    result = check_newton_step(lambda grad, hess, x, damping=0.0: x[:1])
    assert not result.ok and "shape (1,), expected (3,)" in result.message
    result = check_newton_step(lambda grad, hess, x, damping=0.0: np.linalg.solve(hess(x), grad))
    assert not result.ok and "your function raised" in result.message
