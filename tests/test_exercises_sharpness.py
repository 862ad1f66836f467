"""Notebook 11's checker: power iteration passes, typical wrong ones are named."""
from __future__ import annotations

import numpy as np

from gradlib.exercises import sharpness as S
from gradlib.exercises.sharpness import check_top_eigenvalue, network_case, power_iteration


def test_the_cases_are_what_the_checker_claims() -> None:
    net, X, T = network_case()
    H = S._network_hessian(net, X, T)
    ev = np.linalg.eigvalsh(H)
    assert ev[-1] > abs(ev[0])                              # the network's dominant eigenvalue is positive
    assert abs(net.sharpness(X, T) - ev[-1]) < 1e-9 * ev[-1]   # ... and is MLP.sharpness (Lanczos)
    lam, v = power_iteration(lambda u: net.hvp(X, T, u), net.n_params, 400, 0)
    assert abs(lam - ev[-1]) < 1e-10 * ev[-1] and abs(np.linalg.norm(v) - 1) < 1e-12
    Hn = S.quadratic_case([-6.0, 4.0, 2.5, 1.0, -1.0, 0.2], seed=3)
    assert np.allclose(np.linalg.eigvalsh(Hn), sorted([-6.0, 4.0, 2.5, 1.0, -1.0, 0.2]))
    assert abs(power_iteration(lambda u: Hn @ u, 6, 120, 0)[0] + 6.0) < 1e-10   # largest |λ|, not λ_max


def no_normalization(hvp, n, iters, seed):
    v = np.random.default_rng(seed).standard_normal(n)
    for _ in range(iters):
        v = hvp(v)
    return float(v @ hvp(v) / (v @ v)), v


def norm_ratio(hvp, n, iters, seed):
    lam, v = power_iteration(hvp, n, iters, seed)
    return float(np.linalg.norm(hvp(v))), v


def test_top_eigenvalue_checker() -> None:
    assert check_top_eigenvalue(power_iteration).ok
    with np.errstate(all="ignore"):
        r = check_top_eigenvalue(no_normalization)
    assert not r.ok and "without normalization" in r.message and "250^200" in r.message
    r = check_top_eigenvalue(norm_ratio)
    assert not r.ok and "λ = 6 where -6 was expected" in r.message and "forgets the sign" in r.message
    assert "largest magnitude is NEGATIVE" in r.message
    r = check_top_eigenvalue(lambda hvp, n, iters, seed: power_iteration(hvp, n, 10, seed))
    assert not r.ok and "called 11 times for iters = 200" in r.message
    r = check_top_eigenvalue(lambda hvp, n, iters, seed: (lambda lv: (lv[0], 3 * lv[1]))(
        power_iteration(hvp, n, iters, seed)))
    assert not r.ok and "‖v‖ = 3" in r.message

    def two_products_per_step(hvp, n, iters, seed):   # H v computed twice each iteration
        v = np.random.default_rng(seed).standard_normal(n)
        v /= np.linalg.norm(v)
        for _ in range(iters):
            lam = v @ hvp(v)
            w = hvp(v)
            v = w / np.linalg.norm(w)
        return float(v @ hvp(v)), v
    r = check_top_eigenvalue(two_products_per_step)
    assert not r.ok and "called 401 times" in r.message and "one product per iteration" in r.message

    def stub(hvp, n, iters, seed):
        raise NotImplementedError
    assert check_top_eigenvalue(stub).status == "not implemented yet"
    r = check_top_eigenvalue(lambda hvp, n, iters, seed: 1.0)
    assert not r.ok and "return the pair (λ, v)" in r.message
