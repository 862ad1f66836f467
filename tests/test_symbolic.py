"""Tests for gradlib.symbolic: the safe parser, exact derivatives, and broadcasting lambdify.

Oracles: hand-derived closed forms, SymPy's own Matrix.jacobian / hessian, NumPy evaluations,
and (in the property tests) finite differences from gradlib.numeric — central and complex step.
"""
from __future__ import annotations

import builtins
import os
import re
import subprocess
import sys
import time

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from gradlib import numeric, symbolic
from strategies import expressions_with_points

x, y, z = sp.symbols("x y z", real=True)


# ---------------------------------------------------------------- parse: what it accepts

@pytest.mark.parametrize("text, expected", [
    ("x**2*y + sin(y)", x**2 * y + sp.sin(y)),
    ("x^2 + y", x**2 + y),                       # ^ is power, with power's precedence
    ("2*x^3^2", 2 * x**9),                       # right-associative, like **
    ("-x**2", -(x**2)),                          # unary minus binds looser than **
    ("+x - -y", x + y),
    ("exp(x)*cos(y) / 2", sp.exp(x) * sp.cos(y) / 2),
    ("log(x, 2)", sp.log(x) / sp.log(2)),
    ("ln(x) + atan2(y, x) + abs(x)", sp.log(x) + sp.atan2(y, x) + sp.Abs(x)),
    ("pi*e + E", sp.pi * sp.E + sp.E),
    ("tanh(x) + sinh(y) + cosh(x) + sqrt(y)", sp.tanh(x) + sp.sinh(y) + sp.cosh(x) + sp.sqrt(y)),
    ("arcsin(x) + acos(y) + arctan(x)", sp.asin(x) + sp.acos(y) + sp.atan(x)),
    ("1.5*x + 3", sp.Float(1.5) * x + 3),
    ("2**0.5", sp.sqrt(2).evalf()),
    ("  x  # a comment", x),
])
def test_parse_builds_the_expected_expression(text, expected):
    got = symbolic.parse(text, ["x", "y"])
    assert sp.simplify(got - expected) == 0


@pytest.mark.parametrize("variables", ["x y", "x, y", ["x", "y"], ("x", "y"), [x, y],
                                       [sp.Symbol("x"), sp.Symbol("y")]])
def test_parse_accepts_every_way_of_naming_variables(variables):
    expr = symbolic.parse("x*y", variables)
    assert expr == x * y                          # the same real symbols whatever the spelling
    assert all(s.is_real for s in expr.free_symbols)


def test_parse_returns_real_symbols_that_match_the_other_functions():
    f = symbolic.parse("x**3*y", "x y")
    assert symbolic.partial(f, "x") == 3 * x**2 * y
    assert symbolic.partial(f, sp.Symbol("y")) == x**3      # a Symbol without assumptions matches by name


# ---------------------------------------------------------------- parse: hostile input

class _Tripwires:
    """Records every sign that typed text was executed: audit events and patched builtins.

    Use as ``with tripwires: ...``; it records only inside the block.
    """

    def __init__(self) -> None:
        self.armed = False
        self.events: list[tuple[str, tuple]] = []

    def __enter__(self) -> "_Tripwires":
        self.events.clear()
        self.armed = True
        return self

    def __exit__(self, *exc) -> None:
        self.armed = False

    def audit(self, event: str, args: tuple) -> None:
        if self.armed and event in ("exec", "os.system", "subprocess.Popen", "os.exec", "open",
                                     "os.posix_spawn", "ctypes.dlopen", "builtins.input"):
            self.events.append((event, args))

    def spy(self, name: str, original):
        def wrapper(*args, **kwargs):
            if self.armed:
                self.events.append((name, args))
            return original(*args, **kwargs)
        return wrapper


_TRIPWIRES = _Tripwires()
sys.addaudithook(_TRIPWIRES.audit)        # cannot be removed; it only records while armed


@pytest.fixture
def tripwires(monkeypatch):
    symbolic.parse("sin(x) + y**2", "x y")          # warm up: lazy imports happen before arming
    for name in ("eval", "exec", "open", "__import__", "breakpoint", "input"):
        monkeypatch.setattr(builtins, name, _TRIPWIRES.spy(name, getattr(builtins, name)))
    monkeypatch.setattr(os, "system", _TRIPWIRES.spy("os.system", os.system))
    monkeypatch.setattr(subprocess, "Popen", _TRIPWIRES.spy("subprocess.Popen", subprocess.Popen))
    yield _TRIPWIRES
    _TRIPWIRES.armed = False


def _import_names(events):
    return [args[0] for name, args in events if name == "__import__"]


HOSTILE = [
    # (text, pattern the message must contain: the offending token)
    ("__import__('os').system('touch {sentinel}')", re.escape("\"__import__('os').system\" cannot be called")),
    ("().__class__.__bases__", r"attribute access '\.__bases__'"),
    ("x.__class__", r"attribute access '\.__class__'"),
    ("x.__class__.__subclasses__()", r"__subclasses__"),
    ("lambda: 1", r"'lambda' is not allowed"),
    ("import os", r"'import' is not allowed"),
    ("exec('1')", r"unknown function 'exec'"),
    ("eval('x')", r"unknown function 'eval'"),
    ("open('{sentinel}', 'w')", r"unknown function 'open'"),
    ("[x for x in ()]", r"'for' is not allowed"),
    ("(x for x in ())", r"'for' is not allowed"),
    ("{'a': 1}", r"Dict"),
    ("globals()", r"unknown function 'globals'"),
    ("getattr(x, 'y')", r"unknown function 'getattr'"),
    ("breakpoint()", r"unknown function 'breakpoint'"),
    ("__builtins__", r"unknown name '__builtins__'"),
    ("sin.__globals__", r"attribute access '\.__globals__'"),
    ("(sin)(x)", None),                            # allowed: parenthesised function name is still sin
    ("f'{x}'", r"JoinedStr"),
    ("f\"{__import__('os').system('touch {sentinel}')}\"", r"JoinedStr"),
    ("'x'", r"'x' is not allowed: only real numbers"),
    ("b'x'", r"b'x' is not allowed"),
    ("1j", r"1j is not allowed"),
    ("x if y else 1", r"'if' is not allowed"),
    ("x < y", r"Compare"),
    ("x @ y", r"MatMult"),
    ("x % y", r"Mod"),
    ("x // y", r"FloorDiv"),
    ("~x", r"Invert"),
    ("x[0]", r"Subscript"),
    ("(y := 1)", r"NamedExpr"),
    ("x;y", r"at ';'"),
    ("x\n+y", r"control character '\\n'"),
    ("x\x00", r"control character '\\x00'"),
    ("sin(*x)", r"'\*x' is not allowed"),
    ("sin(x=1)", r"sin\(\) takes no keyword arguments"),
    ("sin(x, y)", r"sin\(\) takes 1 argument"),
    ("sin", r"'sin' is a function"),
    ("q + 1", r"unknown name 'q'"),
    ("True", r"'True' is not allowed"),
    ("None", r"'None' is not allowed"),
    ("...", r"Ellipsis is not allowed"),
    ("9**9**9**9", r"exponent '9 \*\* 9' is too large"),
    ("x**1000", r"exponent '1000' is too large"),
    ("((99**99)**99)**99", r"'\(99 \*\* 99\) \*\* 99' is too large"),
    ("1e400", r"inf is not allowed"),
    ("log(0)", r"'log\(0\)' is not a finite real number"),
    ("sqrt(-1)", r"'sqrt\(-1\)' is not a finite real number"),
    ("acos(2)", r"'acos\(2\)' is not a finite real number"),
    ("0**-1", r"'0 \*\* \(-1\)' is not a finite real number"),
    ("x/(y - y)", r"division by zero in 'x / \(y - y\)'"),
    ("(x + 1", r"'\(' was never closed"),
    ("2x", r"at '2x'"),
    ("x" * 1001, r"text is 1001 characters long"),
    ("(" * 300 + "x" + ")" * 300, r"nested"),
    ("-" * 995 + "x", None),                       # long but harmless: accepted (or refused as too deep)
    ("", r"text is empty"),
    ("   ", r"text is empty"),
]


@pytest.mark.parametrize("template, pattern", HOSTILE, ids=[repr(t)[:40] for t, _ in HOSTILE])
def test_parse_refuses_hostile_text_without_running_it(template, pattern, tripwires, tmp_path):
    sentinel = tmp_path / "pwned"
    text = template.replace("{sentinel}", str(sentinel))
    start = time.perf_counter()
    with tripwires:
        if pattern is None:
            try:
                symbolic.parse(text, ["x", "y"])
            except ValueError as err:
                assert "nested" in str(err)
        else:
            with pytest.raises(ValueError, match=pattern):
                symbolic.parse(text, ["x", "y"])
    elapsed = time.perf_counter() - start
    # Proof that nothing ran: no file, no exec/eval/open/system event, no import of os.
    assert not sentinel.exists()
    assert [e for e in tripwires.events if e[0] != "__import__"] == []
    assert not {"os", "subprocess", "posix", "builtins"} & set(_import_names(tripwires.events))
    assert elapsed < 2.0, f"parse took {elapsed:.1f} s: something was computed"


def test_tripwires_do_fire_when_code_really_runs(tripwires, tmp_path):
    # The harness itself must be able to fail: real eval of the same text trips it.
    sentinel = tmp_path / "pwned"
    with tripwires:
        eval(f"__import__('os').system('touch {sentinel}')")     # noqa: S307 - deliberate
    assert sentinel.exists()
    assert any(name in ("os.system", "eval") for name, _ in tripwires.events)


@pytest.mark.parametrize("text, kind", [(123, "int"), (None, "NoneType"), (b"x", "bytes"),
                                        (["x"], "list"), (x, "Symbol"), (1.5, "float")])
def test_parse_refuses_non_strings(text, kind):
    with pytest.raises(ValueError, match=f"text must be a string, got {kind}"):
        symbolic.parse(text, "x")


@pytest.mark.parametrize("variables, pattern", [
    (["x", "x"], r"variables must be distinct"),
    ([], r"at least one variable"),
    ("", r"at least one variable"),
    (["sin"], r"'sin' is a function or constant name"),
    (["pi"], r"'pi' is a function or constant name"),
    (["lambda"], r"'lambda' is not a valid variable name"),
    (["_x"], r"'_x' is not a valid variable name"),
    (["x y"], r"'x y' is not a valid variable name"),
    ([1], r"1 is not a valid variable name"),
    (5, r"variables must be a sequence of names or Symbols, got int"),
])
def test_symbols_errors_name_the_bad_variable(variables, pattern):
    with pytest.raises(ValueError, match=pattern):
        symbolic.parse("1", variables)


# ---------------------------------------------------------------- partial, gradient, Hessian, Jacobian

def test_partial_matches_hand_derivatives():
    f = x**3 * y**2 + sp.sin(x * y)
    assert sp.simplify(symbolic.partial(f, "x") - (3 * x**2 * y**2 + y * sp.cos(x * y))) == 0
    assert sp.simplify(symbolic.partial(f, y) - (2 * x**3 * y + x * sp.cos(x * y))) == 0
    assert sp.simplify(symbolic.partial(f, "x", order=2) - (6 * x * y**2 - y**2 * sp.sin(x * y))) == 0
    assert symbolic.partial(f, "z") == 0                     # f does not depend on z


@pytest.mark.parametrize("order", [0, -1, 1.5, True, "2"])
def test_partial_refuses_bad_order(order):
    with pytest.raises(ValueError, match=r"order must be an integer >= 1"):
        symbolic.partial(x**2, "x", order)


@pytest.mark.parametrize("var, pattern", [("sin", r"var: 'sin' is a function"),
                                          ("2x", r"var: '2x' is not a valid variable name"),
                                          (3, r"var must be a variable name or a SymPy Symbol, got int")])
def test_partial_refuses_bad_var(var, pattern):
    with pytest.raises(ValueError, match=pattern):
        symbolic.partial(x**2, var)


@pytest.mark.parametrize("bad, kind", [([x], "list"), (sp.Matrix([x]), "MutableDenseMatrix"),
                                       (True, "bool"), (object(), "object")])
def test_scalar_functions_refuse_non_expressions(bad, kind):
    with pytest.raises(ValueError, match=f"expr must be a SymPy expression \\(one scalar formula\\), got {kind}"):
        symbolic.partial(bad, "x")
    with pytest.raises(ValueError, match="expr must be a SymPy expression"):
        symbolic.gradient(bad, "x")


def test_strings_must_be_parsed_first():
    with pytest.raises(ValueError, match=r"parse text first with parse\(text, variables\)"):
        symbolic.gradient("x**2", "x")


def test_gradient_is_a_column_of_first_partials():
    f = x**2 * y + sp.exp(y) * z
    g = symbolic.gradient(f, "x y z")
    assert g.shape == (3, 1)
    assert g == sp.Matrix([2 * x * y, x**2 + sp.exp(y) * z, sp.exp(y)])


def test_hessian_is_the_jacobian_of_the_gradient_and_matches_sympy():
    f = x**3 * y + sp.sin(x) * sp.cos(y) + x * y * z**2
    H = symbolic.hessian(f, "x y z")
    assert H.shape == (3, 3)
    assert H == sp.hessian(f, (x, y, z))                                  # SymPy's own
    assert H == symbolic.gradient(f, "x y z").jacobian([x, y, z])         # Jacobian OF the gradient
    assert H == H.T                                                       # mixed partials agree


def test_mixed_partials_are_symmetric_for_a_smooth_function():
    f = sp.exp(x * y) * sp.sin(x + z**2)
    for a, b in [(x, y), (x, z), (y, z)]:
        assert sp.simplify(symbolic.partial(symbolic.partial(f, a), b)
                           - symbolic.partial(symbolic.partial(f, b), a)) == 0


def test_jacobian_of_a_vector_function():
    F = [x**2 * y, 5 * x + sp.sin(y), sp.exp(x - y)]
    J = symbolic.jacobian(F, "x y")
    assert J.shape == (3, 2)
    assert J == sp.Matrix(F).jacobian([x, y])
    assert J == sp.Matrix([[2 * x * y, x**2], [5, sp.cos(y)], [sp.exp(x - y), -sp.exp(x - y)]])
    assert symbolic.jacobian(sp.Matrix(F), "x y") == J       # a Matrix works too
    assert symbolic.jacobian([x * y], "x y").shape == (1, 2)  # the Jacobian of a scalar is a row


@pytest.mark.parametrize("exprs, pattern", [
    (x**2, r"exprs must be a list of expressions or a SymPy Matrix, got Pow \(for one expression use gradient or hessian\)"),
    ([], r"exprs must hold at least one expression"),
    (["x"], r"exprs must be a SymPy expression; parse text first"),
])
def test_jacobian_errors(exprs, pattern):
    with pytest.raises(ValueError, match=pattern):
        symbolic.jacobian(exprs, "x y")


# ---------------------------------------------------------------- lambdify

def test_lambdify_scalar_broadcasts_over_arrays():
    f = symbolic.lambdify(x**2 * y + sp.sin(y), "x y")
    X, Y = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(0, 2, 4))
    np.testing.assert_allclose(f(X, Y), X**2 * Y + np.sin(Y), rtol=1e-15)
    assert f(X, Y).shape == (4, 5)
    assert f(1.0, 2.0).shape == () and isinstance(f(1.0, 2.0), np.ndarray)
    assert f(np.arange(3), 2.0).shape == (3,)                 # scalars broadcast against arrays
    np.testing.assert_allclose(f(np.arange(3), 2), np.arange(3) ** 2 * 2 + np.sin(2))   # ints -> float


def test_lambdify_constant_hessian_of_a_quadratic_broadcasts():
    q = x**2 + 3 * x * y + 2 * y**2
    H = symbolic.lambdify(symbolic.hessian(q, "x y"), "x y")
    X, Y = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(0, 2, 4))
    # q = x^2 + 3xy + 2y^2: d2q/dx2 = 2, d2q/dxdy = 3, d2q/dy2 = 4, the same at every point
    out = H(X, Y)
    assert out.shape == (4, 5, 2, 2)
    np.testing.assert_array_equal(out, np.broadcast_to([[2.0, 3.0], [3.0, 4.0]], (4, 5, 2, 2)))
    assert H(0.0, 0.0).shape == (2, 2)
    const = symbolic.lambdify(sp.Integer(7), "x")
    np.testing.assert_array_equal(const(np.zeros((2, 3))), np.full((2, 3), 7.0))


def test_lambdify_gradient_and_matrix_shapes():
    f = x**2 * y + y**3
    grad = symbolic.lambdify(symbolic.gradient(f, "x y"), "x y")
    xs, ys = np.linspace(-1, 1, 6), np.linspace(1, 2, 6)
    g = grad(xs, ys)
    assert g.shape == (6, 2)
    np.testing.assert_allclose(g, np.stack([2 * xs * ys, xs**2 + 3 * ys**2], axis=-1))
    J = symbolic.lambdify(symbolic.jacobian([x * y, x + y, x - y], "x y"), "x y")
    assert J(xs, ys).shape == (6, 3, 2)
    np.testing.assert_allclose(J(2.0, 5.0), [[5.0, 2.0], [1.0, 1.0], [1.0, -1.0]])
    row = symbolic.lambdify(sp.Matrix([[x, y, x * y]]), "x y")     # 1 x 3 stays a matrix
    assert row(xs, ys).shape == (6, 1, 3)
    listed = symbolic.lambdify([x, sp.Integer(1)], "x y")
    np.testing.assert_array_equal(listed(xs, ys), np.stack([xs, np.ones(6)], axis=-1))


def test_lambdify_passes_complex_input_through():
    f = symbolic.lambdify(sp.sin(x) * sp.exp(y), "x y")
    h = 1e-20
    value = f(0.3 + 1j * h, 0.2)
    assert np.iscomplexobj(value)
    assert value.imag / h == pytest.approx(np.cos(0.3) * np.exp(0.2), rel=1e-15)


def test_lambdify_keeps_complex_values_of_complex_expressions():
    f = symbolic.lambdify(sp.I * x, "x")             # built by hand (parse would refuse I)
    np.testing.assert_array_equal(f(np.array([1.0, 2.0])), [1j, 2j])


@pytest.mark.parametrize("call, pattern", [
    (lambda: symbolic.lambdify(x + z, "x y"), r"expression uses z, which is not among the variables \['x', 'y'\]"),
    (lambda: symbolic.lambdify(x + y, "x y")(1.0), r"expected 2 argument\(s\) \(x, y\), got 1"),
    (lambda: symbolic.lambdify(x + y, "x y")(1.0, "a"), r"argument y must be numeric, got dtype <U1"),
    (lambda: symbolic.lambdify("x", "x"), r"expr must be a SymPy expression; parse text first"),
])
def test_lambdify_errors(call, pattern):
    with pytest.raises(ValueError, match=pattern):
        call()


# ---------------------------------------------------------------- properties: symbolic == numeric

def _compiled(expr, syms):
    f = symbolic.lambdify(expr, syms)
    return (lambda p: f(*p)), symbolic.lambdify(symbolic.gradient(expr, syms), syms), \
        symbolic.lambdify(symbolic.hessian(expr, syms), syms)


# Error model for the tolerances: finite-difference error grows with the size of f and of its
# derivatives, so each bound is relative to scale = 1 + |f| + max|grad| (+ max|H| for Hessians).
# Typical worst cases over 1500 random expressions: central gradient 1e-9, complex gradient
# 5e-16, central Hessian 2e-6, complex Hessian 3e-9 (times scale); the bounds leave margin.

@settings(max_examples=60)
@given(expressions_with_points())
def test_symbolic_gradient_agrees_with_central_and_complex_step(case):
    expr, syms, p = case
    f, grad, _ = _compiled(expr, syms)
    exact = grad(*p)
    scale = 1 + abs(float(f(p))) + np.max(np.abs(exact))
    assert np.max(np.abs(numeric.gradient(f, p, method="central") - exact)) <= 1e-7 * scale
    assert np.max(np.abs(numeric.gradient(f, p, method="complex") - exact)) <= 1e-13 * scale


@settings(max_examples=60)
@given(expressions_with_points())
def test_symbolic_hessian_agrees_with_central_and_complex_step(case):
    expr, syms, p = case
    f, grad, hess = _compiled(expr, syms)
    exact = hess(*p)
    scale = 1 + abs(float(f(p))) + np.max(np.abs(grad(*p))) + np.max(np.abs(exact))
    assert np.max(np.abs(numeric.hessian(f, p, method="central") - exact)) <= 5e-5 * scale
    assert np.max(np.abs(numeric.hessian(f, p, method="complex") - exact)) <= 1e-7 * scale


@settings(max_examples=60)
@given(expressions_with_points())
def test_mixed_partials_agree_numerically(case):
    expr, syms, p = case
    H = symbolic.hessian(expr, syms)
    values = symbolic.lambdify(H, syms)(*p)
    np.testing.assert_allclose(values, values.T, rtol=1e-12, atol=1e-12 * (1 + np.max(np.abs(values))))


@settings(max_examples=60)
@given(expressions_with_points(), st.data())
def test_gradcheck_accepts_true_and_rejects_perturbed_symbolic_gradients(case, data):
    expr, syms, p = case
    f, grad, _ = _compiled(expr, syms)
    good = numeric.gradcheck(f, lambda q: grad(*q), p)
    assert good.ok, str(good)
    i = data.draw(st.integers(0, len(syms) - 1), label="perturbed index")
    sign = data.draw(st.sampled_from([-1.0, 1.0]), label="sign")

    def wrong(q):
        g = grad(*q).copy()
        g[i] += sign * (1e-2 + 1e-2 * abs(g[i]))       # 10x the tolerance atol + rtol*|g_i|
        return g

    bad = numeric.gradcheck(f, wrong, p)
    assert not bad.ok
    assert bad.worst_index == (i,)
    assert bad.n_failed == 1
