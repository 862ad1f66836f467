"""gradlib.autodiff against the other routes: closed forms, SymPy, finite differences and the
hand-written backprop of gradlib.mlp (forward vs reverse mode against each other, too)."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib import autodiff as ad
from gradlib import numeric, symbolic
from gradlib.mlp import MLP
from strategies import expressions_with_points

RNG = np.random.default_rng(0)


def rel(a: np.ndarray, b: np.ndarray) -> float:
    return numeric.rel_error(a, b)


# ---------------------------------------------------------------- each rule against its closed form
CLOSED = [  # (f on autodiff values, f', domain)
    (ad.exp, np.exp, (-2, 2)),
    (ad.log, lambda x: 1 / x, (0.2, 3)),
    (ad.tanh, lambda x: 1 - np.tanh(x) ** 2, (-2, 2)),
    (ad.sin, np.cos, (-3, 3)),
    (ad.cos, lambda x: -np.sin(x), (-3, 3)),
    (ad.sqrt, lambda x: 0.5 / np.sqrt(x), (0.2, 3)),
    (ad.sigmoid, lambda x: np.exp(-x) / (1 + np.exp(-x)) ** 2, (-4, 4)),
    (ad.relu, lambda x: (x > 0).astype(float), (-2, 2)),
    (lambda x: x ** 3, lambda x: 3 * x ** 2, (-2, 2)),
    (lambda x: 2.0 ** x, lambda x: np.log(2) * 2.0 ** x, (-2, 2)),
    (lambda x: 1 / x, lambda x: -1 / x ** 2, (0.5, 2)),
    (lambda x: -x * x * x, lambda x: -3 * x ** 2, (-2, 2)),   # fan-out: x used three times
]


@pytest.mark.parametrize("f, df, domain", CLOSED)
def test_every_rule_in_both_modes_matches_its_closed_form(f, df, domain) -> None:
    x = RNG.uniform(*domain, size=7)
    x = x[np.abs(x) > 1e-3]                                  # keep off relu's kink
    expected = df(x)
    # elementwise f: the Jacobian is diagonal, so J·1 (forward) and 1ᵀJ (reverse) are f'(x)
    _, forward = ad.jvp(f, x, np.ones_like(x))
    _, reverse = ad.vjp(f, x, np.ones_like(x))
    assert rel(forward, expected) < 1e-14
    assert rel(reverse, expected) < 1e-14
    assert rel(ad.grad(lambda v: ad.sum(f(v)))(x), expected) < 1e-14


def test_gradient_accumulates_where_a_value_is_used_twice_and_where_an_index_repeats() -> None:
    x = np.array([0.5, -1.5, 2.0])
    g = ad.grad(lambda v: v[0] * v[0] + ad.sum(v[np.array([1, 1, 2])]))(x)
    np.testing.assert_array_equal(g, [2 * 0.5, 2.0, 1.0])


def test_broadcasting_sums_the_gradient_back_to_each_input_shape() -> None:
    A, b = RNG.normal(size=(4, 3)), RNG.normal(size=3)
    f = lambda W: ad.sum((A @ W.reshape(3, 2) + b.reshape(3, 1)[:2].T) ** 2)  # noqa: E731
    x = RNG.normal(size=6)
    numeric_grad = numeric.gradient(lambda v: float(np.sum((A @ v.reshape(3, 2) + b.reshape(3, 1)[:2].T) ** 2)), x)
    assert rel(ad.grad(f)(x), numeric_grad) < 1e-8
    # a row vector broadcast over rows gets the column sums
    g = ad.grad(lambda v: ad.sum(np.ones((5, 3)) * v))(np.zeros(3))
    np.testing.assert_array_equal(g, [5.0, 5.0, 5.0])


@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_sum_mean_logsumexp_along_axes(axis) -> None:
    X = RNG.normal(size=(3, 4))
    for name, fn, ref in (("sum", ad.sum, np.sum), ("mean", ad.mean, np.mean)):
        f = lambda v: ad.sum(fn(v.reshape(3, 4), axis=axis) ** 2)  # noqa: E731
        fd = numeric.gradient(lambda v: float(np.sum(ref(v.reshape(3, 4), axis=axis) ** 2)), X.ravel())
        assert rel(ad.grad(f)(X.ravel()), fd) < 1e-8, name
    # logsumexp's gradient is softmax (closed form), along the axis
    f = lambda v: ad.sum(ad.logsumexp(v.reshape(3, 4), axis=axis))  # noqa: E731
    e = np.exp(X - X.max(axis=axis, keepdims=True))
    softmax = e / e.sum(axis=axis, keepdims=True)
    assert rel(ad.grad(f)(X.ravel()), softmax.ravel()) < 1e-14
    big = np.array([1000.0, 1001.0])                          # stable: no overflow
    assert np.isclose(ad.logsumexp(big), 1001 + np.log1p(np.exp(-1)))


@pytest.mark.parametrize("shapes", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 2)), ((2, 3), (3, 4))])
def test_matmul_all_four_shape_cases(shapes) -> None:
    sa, sb = shapes
    a, b = RNG.normal(size=sa), RNG.normal(size=sb)
    na = a.size
    f = lambda v: ad.sum(ad.sin(v[:na].reshape(sa) @ v[na:].reshape(sb)))  # noqa: E731
    x = np.concatenate([a.ravel(), b.ravel()])
    fd = numeric.gradient(lambda v: float(np.sum(np.sin(v[:na].reshape(sa) @ v[na:].reshape(sb)))), x)
    assert rel(ad.grad(f)(x), fd) < 1e-8
    v = RNG.normal(size=x.size)
    assert rel(ad.jvp(f, x, v)[1], fd @ v) < 1e-8


# ---------------------------------------------------------------- the four routes agree
@settings(max_examples=40, deadline=None)
@given(expressions_with_points(max_vars=3))
def test_random_expressions_agree_with_sympy(case) -> None:
    expr, syms, x = case
    f = sp.lambdify([syms], expr, modules=[{"sin": ad.sin, "cos": ad.cos, "tanh": ad.tanh,
                                             "exp": ad.exp}, "math"])
    f_ad = lambda v: f([v[i] for i in range(len(syms))]) + 0.0 * v[0]  # noqa: E731 - always traced
    grad_sym = symbolic.lambdify(symbolic.gradient(expr, syms), syms)(*x).ravel()
    hess_sym = symbolic.lambdify(symbolic.hessian(expr, syms), syms)(*x).reshape(len(syms), len(syms))
    scale = max(1.0, float(np.max(np.abs(grad_sym))))
    assert np.max(np.abs(ad.grad(f_ad)(x) - grad_sym)) <= 1e-12 * scale
    v = np.linspace(1.0, -0.5, len(syms))
    assert np.max(np.abs(ad.jvp(f_ad, x, v)[1] - grad_sym @ v)) <= 1e-12 * scale * len(syms)
    hscale = max(1.0, float(np.max(np.abs(hess_sym))))
    assert np.max(np.abs(ad.hvp(f_ad, x, v) - hess_sym @ v)) <= 1e-11 * hscale * len(syms)


def test_jacobian_forward_equals_reverse_equals_sympy_and_finite_differences() -> None:
    x_, y_, z_ = syms = symbolic.symbols("x y z")
    exprs = [sp.sin(x_) * y_, sp.exp(z_) + x_ * x_, sp.tanh(x_ * y_ * z_), y_ ** 3]
    def F(v):                        # four outputs assembled from scalars with unit vectors
        rows = [ad.sin(v[0]) * v[1], ad.exp(v[2]) + v[0] * v[0], ad.tanh(v[0] * v[1] * v[2]), v[1] ** 3]
        out = rows[0] * np.array([1.0, 0, 0, 0])
        for i, r in enumerate(rows[1:], 1):
            out = out + r * np.eye(4)[i]
        return out
    x = np.array([0.3, -1.2, 0.7])
    J_sym = np.array(symbolic.lambdify(symbolic.jacobian(exprs, syms), syms)(*x), dtype=float).reshape(4, 3)
    J_rev, J_fwd = ad.jacobian(F, x, mode="reverse"), ad.jacobian(F, x, mode="forward")
    assert J_rev.shape == J_fwd.shape == (4, 3)
    assert rel(J_rev, J_sym) < 1e-15 and rel(J_fwd, J_sym) < 1e-15
    J_fd = numeric.jacobian(lambda v: np.asarray(F(v), dtype=float), x)
    assert rel(J_fd, J_sym) < 1e-8


ARCHITECTURES = [([4, 5, 3], "tanh", "softmax"), ([3, 6, 6, 2], "sigmoid", "softmax"),
                 ([4, 5, 2], "relu", "sigmoid"), ([2, 4, 1], "tanh", "identity"),
                 ([4, 7, 3], "leaky_relu", "softmax")]


def mlp_loss(net: MLP, X: np.ndarray, y: np.ndarray):
    """The MLP's loss written with autodiff operations, for its flat parameter vector."""
    def loss(p):
        a, start = X, 0
        for i, (W, b) in enumerate(zip(net.weights, net.biases)):
            Wv = p[start:start + W.size].reshape(W.shape)
            start += W.size
            bv = p[start:start + b.size]
            start += b.size
            z = a @ Wv + bv
            if i < net.n_layers - 1:
                a = {"tanh": ad.tanh, "sigmoid": ad.sigmoid, "relu": ad.relu,
                     "leaky_relu": lambda t: ad.relu(t) - 0.01 * ad.relu(-t)}[net.activation](z)
        m = X.shape[0]
        if net.output == "softmax":
            return ad.mean(ad.logsumexp(z, axis=1) - z[np.arange(m), y])
        if net.output == "sigmoid":        # log(1 + e^z) - y z, stably: logsumexp over (0, z)
            zz = z.reshape(-1)
            stacked = zz.reshape(-1, 1) * np.array([[0.0, 1.0]])
            return ad.mean(ad.logsumexp(stacked, axis=1) - y.reshape(-1) * zz)
        return 0.5 * ad.sum((z - y) ** 2) / m
    return loss


@pytest.mark.parametrize("sizes, activation, output", ARCHITECTURES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_autodiff_agrees_with_handwritten_backprop(sizes, activation, output, seed) -> None:
    rng = np.random.default_rng(seed)
    net = MLP(sizes, activation=activation, output=output, init="xavier" if activation != "relu" else "he",
              seed=seed)
    m = 9
    X = rng.normal(size=(m, sizes[0]))
    if output == "softmax":
        y = rng.integers(0, sizes[-1], size=m)
    elif output == "sigmoid":
        y = rng.integers(0, 2, size=(m, sizes[-1])).astype(float)
    else:
        y = rng.normal(size=(m, sizes[-1]))
    loss = mlp_loss(net, X, y)
    p = net.params.copy()
    assert abs(float(loss(p)) - net.loss(X, y)) <= 1e-13 * max(1, abs(net.loss(X, y)))
    assert rel(ad.grad(loss)(p), net.gradient(X, y)) <= 1e-12
    v = rng.normal(size=p.size)
    assert rel(ad.hvp(loss, p, v), net.hvp(X, y, v)) <= 1e-12


def test_digits_mlp_four_routes() -> None:
    from gradlib import data
    d = data.digits(seed=0)
    X, y = d.X_train[:32], d.y_train[:32]
    net = MLP([64, 16, 10], activation="tanh", seed=0)
    loss = mlp_loss(net, X, y)
    g_ad = ad.grad(loss)(net.params)
    assert rel(g_ad, net.gradient(X, y)) <= 1e-12
    idx = np.arange(0, net.n_params, 97)                     # a sample of entries by differences
    fd = np.array([numeric.derivative(lambda t, i=i: _shifted_loss(net, X, y, i, t), 0.0) for i in idx])
    assert rel(g_ad[idx], fd) <= 1e-7


def _shifted_loss(net: MLP, X: np.ndarray, y: np.ndarray, i: int, t: float) -> float:
    other = net.copy()
    p = other.params.copy()
    p[i] += t
    other.params = p
    return other.loss(X, y)


# ---------------------------------------------------------------- errors a learner will meet
def test_clear_errors() -> None:
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"grad needs f to return a scalar; f returned shape \(3,\)"):
        ad.grad(lambda v: v * 2)(x)
    with pytest.raises(ValueError, match=r"v must have the shape of x, \(3,\); got \(2,\)"):
        ad.jvp(lambda v: v, x, np.ones(2))
    with pytest.raises(ValueError, match=r"u must have the shape of f\(x\), \(\); got \(3,\)"):
        ad.vjp(lambda v: ad.sum(v), x, np.ones(3))
    with pytest.raises(TypeError, match=r"np.exp cannot be differentiated.*use gradlib.autodiff's own"):
        ad.grad(lambda v: ad.sum(np.exp(v)))(x)
    with pytest.raises(TypeError, match=r"np.sum cannot be differentiated"):
        ad.grad(lambda v: np.sum(v))(x)
    with pytest.raises(TypeError, match=r"np.exp cannot be differentiated.*\(Dual\)"):
        ad.jvp(lambda v: np.exp(v), x, x)
    with pytest.raises(ValueError, match=r"mode must be 'reverse' or 'forward', got 'sideways'"):
        ad.jacobian(lambda v: v, x, mode="sideways")
    with pytest.raises(ValueError, match=r"hvp needs f to return a scalar"):
        ad.hvp(lambda v: v, x, x)
    with pytest.raises(ValueError, match=r"x must be finite"):
        ad.grad(ad.sum)(np.array([1.0, np.nan]))


def test_constant_functions_and_deep_graphs() -> None:
    x = np.array([1.0, 2.0])
    np.testing.assert_array_equal(ad.grad(lambda v: 3.0)(x), [0.0, 0.0])
    assert ad.jvp(lambda v: np.ones(2), x, x)[1].tolist() == [0.0, 0.0]
    # 20 000 recorded operations: the backward walk is iterative, not recursive
    def long(v):
        s = v[0]
        for _ in range(20_000):
            s = s * 1.0001
        return s
    assert np.isclose(ad.grad(long)(x)[0], 1.0001 ** 20_000)


def test_does_not_mutate_the_callers_array() -> None:
    x = np.array([0.1, 0.2, 0.3])
    before = x.copy()
    ad.grad(lambda v: ad.sum(v[np.array([0, 0])] ** 2))(x)
    ad.hvp(lambda v: ad.sum(ad.exp(v)), x, x)
    np.testing.assert_array_equal(x, before)


def test_tape_lists_the_recorded_operations_in_topological_order() -> None:
    def f(v):
        x, y = v[0], v[1]
        return x * y + ad.sin(x)                 # x feeds two operations (fan-out)
    var, out = ad.trace(f, np.array([0.5, 2.0]))
    nodes = ad.tape(out)
    assert [n.op for n in nodes] == ["input", "index", "index", "mul", "sin", "add"]
    assert nodes[0] is var and nodes[-1] is out
    position = {id(n): i for i, n in enumerate(nodes)}
    assert all(position[id(p)] < i for i, n in enumerate(nodes) for p, _ in n.parents)
    x_node = nodes[1]
    assert sum(any(p is x_node for p, _ in n.parents) for n in nodes) == 2
    np.testing.assert_allclose(ad.grad(f)(np.array([0.5, 2.0])), [2.0 + np.cos(0.5), 0.5], rtol=1e-15)


def test_adjoints_are_the_gradients_of_the_output_with_respect_to_every_node() -> None:
    def f(v):
        x, y = v[0], v[1]
        return x * y + ad.sin(x)
    _, out = ad.trace(f, np.array([0.5, 2.0]))
    adj = ad.adjoints(out)
    ops = [n.op for n in ad.tape(out)]
    assert ops == ["input", "index", "index", "mul", "sin", "add"]
    np.testing.assert_allclose(adj[0], [2.0 + np.cos(0.5), 0.5], rtol=1e-15)   # the input
    assert adj[1] == pytest.approx(2.0 + np.cos(0.5)) and adj[2] == pytest.approx(0.5)
    assert adj[3] == adj[4] == adj[5] == 1.0
    with pytest.raises(ValueError, match="adjoints needs the scalar output"):
        ad.adjoints(ad.trace(lambda v: v * 2, np.ones(2))[1])
