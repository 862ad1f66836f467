"""gradlib.jsmath: a surface's f, grad f and Hessian as JavaScript (values checked against Python in
Chromium by tests/test_canvas.py; here: the text itself)."""
from __future__ import annotations

import pytest
import sympy as sp

from gradlib import experiments as E
from gradlib import jsmath


@pytest.mark.parametrize("name", E.surface_names())
def test_every_catalogue_surface_prints(name):
    js = jsmath.surface_js(E.resolve_surface(name))
    assert "fg: function (x, y)" in js and "h: function (x, y)" in js
    assert "Not supported" not in js and "**" not in js          # JavaScript, not Python


def test_same_subexpressions_as_lambdify():
    """The JS body shares subexpressions exactly as Surface._point_fg (lambdify, cse=True)."""
    import inspect
    surface = E.resolve_surface("six_hump_camel")
    py = inspect.getsource(surface._compiled.point_fg)
    js = jsmath.surface_js(surface)
    for line in py.splitlines()[1:-1]:
        name = line.strip().split(" = ")[0]
        assert f"const {name} = " in js


def test_floats_round_trip_and_rationals_divide():
    x, y = sp.symbols("x y")
    text = jsmath.expr_js([sp.Float(0.1) * x + sp.Rational(1, 3) * y], (x, y))
    assert "0.1*x" in text and "(1/3)*y" in text


def test_refuses_names_javascript_cannot_use():
    new = sp.Symbol("new")
    with pytest.raises(jsmath.JSMathError, match="cannot be a JavaScript variable name"):
        jsmath.expr_js([new**2], (new,))


def test_abs_derivative_uses_the_zero_delta():
    js = jsmath.surface_js(E.resolve_surface(E.CUSTOM, "abs(x) + y**2"))
    assert "Math.abs(x)" in js
