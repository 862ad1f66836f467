"""The autodiff notebook's checkers: a correct solution passes, typical wrong ones are named."""
from __future__ import annotations

import numpy as np

from gradlib import autodiff as ad
from gradlib.exercises import Result, compare
from gradlib.exercises.autodiff import check_jacobians, check_softplus


def _sig(x):
    return 1 / (1 + np.exp(-x))


def softplus_right(x):
    return ad.Var(np.logaddexp(0.0, x.value), ((x, lambda g: g * _sig(x.value)),))


def softplus_no_upstream(x):
    return ad.Var(np.logaddexp(0.0, x.value), ((x, lambda g: _sig(x.value)),))


def softplus_exp(x):
    return ad.Var(np.logaddexp(0.0, x.value), ((x, lambda g: g * np.exp(x.value)),))


def softplus_sign(x):
    return ad.Var(np.logaddexp(0.0, x.value), ((x, lambda g: g * _sig(-x.value)),))


def softplus_overflow(x):
    with np.errstate(over="ignore"):
        return ad.Var(np.log(1 + np.exp(x.value)), ((x, lambda g: g * _sig(x.value)),))


def softplus_stub(x):
    raise NotImplementedError


def test_softplus_checker() -> None:
    assert check_softplus(softplus_right).ok
    r = check_softplus(softplus_no_upstream)
    assert not r.ok and "upstream gradient g" in r.message
    r = check_softplus(softplus_exp)
    assert not r.ok and "not e^x" in r.message
    r = check_softplus(softplus_sign)
    assert not r.ok and "sigmoid(-x)" in r.message
    r = check_softplus(softplus_overflow)
    assert not r.ok and "not a finite number" in r.message
    r = check_softplus(softplus_stub)
    assert r.status == "not implemented yet" and not r.ok
    r = check_softplus(lambda x: 3.0)
    assert not r.ok and "must return an ad.Var" in r.message
    r = check_softplus(lambda x: 1 / 0)
    assert not r.ok and "ZeroDivisionError" in r.message


def jac_forward(f, x):
    return np.stack([ad.jvp(f, x, e)[1] for e in np.eye(x.size)], axis=1)


def jac_reverse(f, x):
    m = np.shape(ad.jvp(f, x, np.zeros_like(x))[0])[0]
    return np.stack([ad.vjp(f, x, e)[1] for e in np.eye(m)], axis=0)


def jac_reverse_counting_outputs_first(f, x):
    m = np.size(f(x))                        # an extra evaluation of f
    return np.stack([ad.vjp(f, x, e)[1] for e in np.eye(m)], axis=0)


def test_jacobian_checker() -> None:
    assert check_jacobians(jac_forward, jac_reverse_counting_outputs_first).status == "failed"
    ok = check_jacobians(jac_forward, lambda f, x: np.stack([ad.vjp(f, x, e)[1] for e in np.eye(2)]))
    assert ok.ok, ok
    r = check_jacobians(lambda f, x: jac_forward(f, x).T, jac_reverse)
    assert not r.ok and "transposed shape" in r.message
    r = check_jacobians(jac_forward, lambda f, x: ad.jacobian(f, x, mode="forward"))
    assert not r.ok and "evaluated 3 times" in r.message and "one pass per output" in r.message
    r = check_jacobians(lambda f, x: np.zeros((2, 3)), jac_reverse)
    assert not r.ok and "entry (1, 2) is 0 where 2.685 was expected" in r.message and "5 of 6 entries" in r.message


def test_compare_names_the_worst_entry_and_the_typical_mistake() -> None:
    exp = np.array([1.0, 2.0, 3.0])
    r = compare("demo", exp / 3, exp, wrong=[("missing a factor of 3 (the 1/m?)", exp / 3)])
    assert not r.ok and "entry 2 is 1 where 3 was expected" in r.message
    assert "missing a factor of 3" in r.message
    assert compare("demo", exp + 1e-12, exp).ok
    r = compare("demo", [1.0, 2.0], exp)
    assert not r.ok and "shape (2,), expected (3,)" in r.message
    assert "passed" in repr(compare("demo", exp, exp)) and isinstance(compare("d", exp, exp), Result)


def test_compare_against_zero_and_near_misses() -> None:
    r = compare("z", [0.0, 1e-3], [0.0, 0.0])
    assert "abs. error 1.0e-03" in r.message and "rel. error" not in r.message
    r = compare("near", [3.9500000004], [3.95], rtol=1e-12)
    assert "3.9500000004 where 3.95 was expected" in r.message     # enough digits to see the gap
