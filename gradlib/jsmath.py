"""A surface's f, grad f and Hessian as JavaScript source, generated from its SymPy expression.

    source = surface_js(surfaces.get("rosenbrock"))
    # '{fg: function (v0, v1) { ... return [f, df/dx, df/dy]; },
    #   h: function (v0, v1) { ... return [H11, H12, H21, H22]; }}'

The static explorers compute descent paths in the page (no kernel), so the page needs the same
f, grad f and Hessian the Python library evaluates. They are printed by SymPy's JavaScript code
printer (``sympy.printing.jscode``) from the surface's expression, after the same common
subexpression elimination ``lambdify(..., cse=True)`` does for ``Surface._point_fg``: the
operations run in the same order, so the numbers agree with Python's to the last bit or so
(``tests/test_jsmath.py`` runs them in Chromium and compares).

Nothing here evaluates JavaScript or Python text; the output is plain source for a page.
"""
from __future__ import annotations

import json
import re
from typing import Any

import sympy as sp
from sympy.printing.jscode import JavascriptCodePrinter

from . import symbolic

__all__ = ["expr_js", "surface_js", "JSMathError"]


class JSMathError(ValueError):
    """The expression uses a function SymPy's JavaScript printer cannot print."""


# The derivative of abs()/sign() is DiracDelta: 0 everywhere but at the kink (as in surfaces).
_PRELUDE = "const DiracDelta = () => 0; const Heaviside = (v) => (v > 0 ? 1 : v < 0 ? 0 : 0.5);"


class _Printer(JavascriptCodePrinter):
    """jscode with full-precision floats (repr round-trips), and DiracDelta/Heaviside helpers."""

    def __init__(self) -> None:
        super().__init__({"strict": True, "user_functions": {"DiracDelta": "DiracDelta",
                                                             "Heaviside": "Heaviside"}})

    def _print_Float(self, expr: sp.Float) -> str:
        return repr(float(expr))

    def _print_Rational(self, expr: sp.Rational) -> str:
        return f"{int(expr.p)}/{int(expr.q)}"


def _print(expr: sp.Expr) -> str:
    try:
        return _Printer().doprint(expr)
    except Exception as err:  # noqa: BLE001 - anything the printer refuses
        raise JSMathError(f"expr: cannot print {expr} as JavaScript ({err})") from None


_RESERVED = frozenset("""break case catch class const continue debugger default delete do else enum
export extends false finally for function if implements import in instanceof interface let new null
package private protected public return static super switch this throw true try typeof var void
while with yield await arguments eval undefined NaN Infinity Math DiracDelta Heaviside""".split())


def _js_name(sym: sp.Symbol) -> str:
    name = sym.name
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name) or name in _RESERVED:
        raise JSMathError(f"variables: {name!r} cannot be a JavaScript variable name")
    return name


def expr_js(exprs: list[sp.Expr], variables: tuple[sp.Symbol, ...]) -> str:
    """``function (x, y) { const x0 = ...; return [e0, e1, ...]; }`` for the expressions.

    Common subexpressions are shared exactly as ``sympy.lambdify(..., cse=True)`` shares them
    (same cse call, same symbol names), so the operations run in the same order as in Python.
    """
    names = [_js_name(v) for v in variables]
    subs, reduced = sp.cse([sp.sympify(e) for e in exprs], list=True)
    lines = [f"const {_js_name(sym)} = {_print(value)};" for sym, value in subs]
    out = ", ".join(_print(e) for e in reduced)
    return f"function ({', '.join(names)}) {{ {' '.join(lines)} return [{out}]; }}"


def surface_js(surface: Any) -> str:
    """A JavaScript object literal ``{fg, h, n}`` for a Surface:

        fg(v0, ..., vn) -> [f, df/dv0, ..., df/dvn]       (as Surface._point_fg)
        h(v0, ..., vn)  -> [H00, H01, ..., Hnn] row by row (as Surface._point_hess)

    Raises JSMathError if the expression uses a function JavaScript's Math lacks.
    """
    variables = tuple(surface.variables)
    grad = symbolic.gradient(surface.expr, variables)
    hess = symbolic.hessian(surface.expr, variables)
    fg = expr_js([surface.expr, *grad], variables)
    h = expr_js(list(hess), variables)
    return (f"(() => {{ {_PRELUDE} return {{n: {len(variables)}, fg: {fg}, h: {h}, "
            f"name: {json.dumps(surface.name)}}}; }})()")
