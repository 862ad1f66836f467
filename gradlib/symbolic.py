"""Symbolic partial derivatives with SymPy, and a safe parser for learner-typed formulas.

    parse("x**2*y + sin(y)", ["x", "y"])   -> SymPy expression (the text is never eval'd)
    partial(f, "x")                         -> df/dx
    gradient(f, [x, y])                     -> [df/dx, df/dy]^T          (n x 1)
    hessian(f, [x, y])                      -> [d2f/dxi dxj]              (n x n)
    jacobian([f1, f2], [x, y])              -> [dfi/dxj]                  (m x n)
    lambdify(expr_or_matrix, [x, y])        -> NumPy function that broadcasts

The Hessian is the matrix of second partials. It is the Jacobian *of the gradient*,
not "the Jacobian" of f: the Jacobian is the matrix of first partials of a vector function.
"""
from __future__ import annotations

import ast
import keyword
import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import sympy as sp

from . import _checks as check

__all__ = ["parse", "partial", "gradient", "hessian", "jacobian", "lambdify", "symbols",
           "FUNCTIONS", "CONSTANTS"]

#: Functions a learner may use in a typed formula, name -> (SymPy function, allowed arities).
FUNCTIONS: dict[str, tuple[Any, tuple[int, ...]]] = {
    "sin": (sp.sin, (1,)), "cos": (sp.cos, (1,)), "tan": (sp.tan, (1,)),
    "asin": (sp.asin, (1,)), "acos": (sp.acos, (1,)), "atan": (sp.atan, (1,)),
    "arcsin": (sp.asin, (1,)), "arccos": (sp.acos, (1,)), "arctan": (sp.atan, (1,)),
    "atan2": (sp.atan2, (2,)), "arctan2": (sp.atan2, (2,)),
    "sinh": (sp.sinh, (1,)), "cosh": (sp.cosh, (1,)), "tanh": (sp.tanh, (1,)),
    "exp": (sp.exp, (1,)), "log": (sp.log, (1, 2)), "ln": (sp.log, (1,)),
    "sqrt": (sp.sqrt, (1,)), "abs": (sp.Abs, (1,)), "Abs": (sp.Abs, (1,)),
}
#: Named constants a learner may use.
CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E, "e": sp.E}

MAX_LENGTH = 1000        # characters in a typed formula
MAX_EXPONENT = 100       # |n| in a numeric power a**n (stops 9**9**9 from eating the machine)
MAX_DIGITS = 1000        # decimal digits of an exact number built by a power such as (99**99)**99
_NOT_REAL = (sp.I, sp.zoo, sp.nan, sp.oo, sp.S.NegativeInfinity)
_WORD = re.compile(r"(?<![\w.])[A-Za-z_]\w*")
_BINOPS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)


def symbols(variables: Sequence[str | sp.Symbol] | str) -> tuple[sp.Symbol, ...]:
    """Turn variable names (``"x y"``, ``["x", "y"]`` or Symbols) into real SymPy symbols."""
    if isinstance(variables, str):
        variables = variables.replace(",", " ").split()
    if isinstance(variables, sp.Symbol):
        variables = [variables]
    try:
        items = list(variables)
    except TypeError:
        raise ValueError(f"variables must be a sequence of names or Symbols, "
                         f"got {type(variables).__name__}") from None
    out = []
    for v in items:
        if isinstance(v, sp.Symbol):
            out.append(sp.Symbol(v.name, real=True))
        elif (isinstance(v, str) and v.isidentifier() and not v.startswith("_")
              and not keyword.iskeyword(v)):
            if v in FUNCTIONS or v in CONSTANTS:
                raise ValueError(f"variables: {v!r} is a function or constant name, "
                                 f"pick another variable name")
            out.append(sp.Symbol(v, real=True))
        else:
            raise ValueError(f"variables: {v!r} is not a valid variable name "
                             f"(expected identifiers such as 'x', 'y', 'theta0')")
    if not out:
        raise ValueError("variables must name at least one variable")
    if len({s.name for s in out}) != len(out):
        raise ValueError(f"variables must be distinct, got {[s.name for s in out]}")
    return tuple(out)


def parse(text: str, variables: Sequence[str | sp.Symbol] | str) -> sp.Expr:
    """Parse a typed formula such as ``"x**2*y + sin(y)"`` into a SymPy expression, safely.

    The text is parsed by Python's ``ast`` module and rebuilt node by node; nothing is ever
    evaluated as Python. Allowed: the given variable names, numbers, ``+ - * / **`` (``^`` is
    read as power too), parentheses, the constants in ``CONSTANTS`` and the functions in
    ``FUNCTIONS``. Anything else raises ``ValueError`` naming the offending token: Python
    keywords, attribute access, calls of anything but a whitelisted function, comprehensions,
    strings, complex literals, control characters. Guards against runaway input: at most
    ``MAX_LENGTH`` characters, numeric exponents within ``MAX_EXPONENT``, exact numbers of at
    most ``MAX_DIGITS`` digits, and every number the formula contains must be real and finite
    (``log(0)``, ``sqrt(-1)``, ``x/0`` are refused).
    """
    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ValueError(f"text is {len(text)} characters long; at most {MAX_LENGTH} are accepted")
    if not text.strip():
        raise ValueError("text is empty; type a formula such as 'x**2 + y**2'")
    bad = next((c for c in text if not c.isprintable()), None)
    if bad is not None:
        raise ValueError(f"text contains the control character {bad!r}; type the formula on one line")
    for word in _WORD.findall(text):
        if keyword.iskeyword(word):
            raise ValueError(f"{word!r} is not allowed: Python keywords cannot appear in a formula")
    syms = {s.name: s for s in symbols(variables)}
    # "^" means power to a learner; swap it textually so it keeps the precedence of "**"
    # (as an AST operator it would bind more loosely than "+").
    source = text.strip().replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        raise ValueError(f"could not parse {_short(text)}: {err.msg} "
                         f"{_where(source, err.offset)}") from None
    except (RecursionError, MemoryError):
        raise ValueError(f"could not parse {_short(text)}: nested too deeply") from None
    try:
        return _build(tree.body, syms)
    except RecursionError:
        raise ValueError(f"could not parse {_short(text)}: nested too deeply") from None


def _short(text: str, limit: int = 60) -> str:
    """repr of a typed formula, shortened in the middle so an error message stays readable."""
    return repr(text) if len(text) <= limit else repr(text[:limit // 2] + " ... " + text[-limit // 2:])


def _where(source: str, offset: int | None) -> str:
    """Name the token a SyntaxError points at (``offset`` is 1-based; 0 or None means the end)."""
    if offset and 1 <= offset <= len(source):
        match = re.compile(r"\w+|\S").search(source, offset - 1)
        if match:
            return f"at {match.group()!r} (column {match.start() + 1})"
    return "at the end of the text"


def _checked(result: sp.Expr, node: ast.AST) -> sp.Expr:
    """Refuse a sub-formula that is not a finite real number, e.g. log(0), sqrt(-1), acos(2)."""
    if result.has(*_NOT_REAL) or (result.is_number and result.is_extended_real is False):
        raise ValueError(f"{ast.unparse(node)!r} is not a finite real number (SymPy makes it "
                         f"{result}); formulas must stay real and finite")
    return result


def _log10_size(value: sp.Expr) -> float:
    """log10 |value| for an exact rational (works for integers far beyond float range)."""
    p, q = abs(int(value.p)), int(value.q)
    return (math.log10(p) if p else 0.0) - math.log10(q)


def _build(node: ast.AST, syms: dict[str, sp.Symbol]) -> sp.Expr:
    """Rebuild an AST node as a SymPy expression, refusing anything off the whitelist."""
    if isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ValueError(f"{value!r} is not allowed: only real numbers may appear as constants")
        if isinstance(value, float):
            if not np.isfinite(value):
                raise ValueError(f"{value!r} is not allowed: numbers must be finite")
            return sp.Float(value)
        return sp.Integer(value)
    if isinstance(node, ast.Name):
        if node.id in syms:
            return syms[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            raise ValueError(f"{node.id!r} is a function: call it with parentheses, e.g. {node.id}(x)")
        raise ValueError(f"unknown name {node.id!r}: allowed variables are "
                         f"{', '.join(syms)}; functions are {', '.join(sorted(FUNCTIONS))}")
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
        operand = _build(node.operand, syms)
        return -operand if isinstance(node.op, ast.USub) else operand
    if isinstance(node, ast.BinOp) and isinstance(node.op, _BINOPS):
        left, right = _build(node.left, syms), _build(node.right, syms)
        if isinstance(node.op, ast.Add):
            return left + right
        if isinstance(node.op, ast.Sub):
            return left - right
        if isinstance(node.op, ast.Mult):
            return left * right
        if isinstance(node.op, ast.Div):
            if right.is_zero:
                raise ValueError(f"division by zero in {ast.unparse(node)!r}")
            return left / right
        if right.is_number and (not right.is_finite or bool(abs(right) > MAX_EXPONENT)):
            raise ValueError(f"exponent {ast.unparse(node.right)!r} is too large: numeric exponents "
                             f"must lie within +-{MAX_EXPONENT}")
        if (isinstance(left, sp.Rational) and isinstance(right, sp.Rational)
                and abs(float(right)) * abs(_log10_size(left)) > MAX_DIGITS):
            raise ValueError(f"{ast.unparse(node)!r} is too large: exact numbers in a formula may "
                             f"have at most {MAX_DIGITS} digits")
        return _checked(left ** right, node)
    if isinstance(node, ast.Call):
        name = getattr(node.func, "id", None) if isinstance(node.func, ast.Name) else None
        if name is None:
            raise ValueError(f"{ast.unparse(node.func)!r} cannot be called: only the functions "
                             f"{', '.join(sorted(FUNCTIONS))} are allowed")
        if name not in FUNCTIONS:
            raise ValueError(f"unknown function {name!r}: allowed functions are "
                             f"{', '.join(sorted(FUNCTIONS))}")
        if node.keywords:
            raise ValueError(f"{name}() takes no keyword arguments")
        func, arities = FUNCTIONS[name]
        starred = next((a for a in node.args if isinstance(a, ast.Starred)), None)
        if starred is not None:
            raise ValueError(f"{ast.unparse(starred)!r} is not allowed: pass {name}() its "
                             f"argument(s) directly")
        if len(node.args) not in arities:
            raise ValueError(f"{name}() takes {' or '.join(map(str, arities))} argument(s), "
                             f"got {len(node.args)}")
        return _checked(func(*(_build(a, syms) for a in node.args)), node)
    if isinstance(node, ast.Attribute):
        raise ValueError(f"attribute access {'.' + node.attr!r} is not allowed")
    token = ast.unparse(node) if hasattr(ast, "unparse") else type(node).__name__
    kind = type(getattr(node, "op", node)).__name__
    raise ValueError(f"{token!r} is not allowed ({kind}): use numbers, variables, + - * / ** "
                     f"and the functions {', '.join(sorted(FUNCTIONS))}")


def _symbol(var: str | sp.Symbol, expr: sp.Expr | None = None) -> sp.Symbol:
    """One variable, matched by name to a free symbol of ``expr`` when there is one."""
    if isinstance(var, str):
        try:
            (var,) = symbols([var])
        except ValueError as err:
            raise ValueError(f"var: {str(err).removeprefix('variables: ')}") from None
    if not isinstance(var, sp.Symbol):
        raise ValueError(f"var must be a variable name or a SymPy Symbol, got {type(var).__name__}")
    if expr is not None:
        for s in expr.free_symbols:
            if s.name == var.name:
                return s
    return var


def _as_expr(expr: Any, arg: str = "expr") -> sp.Expr:
    if isinstance(expr, str):
        raise ValueError(f"{arg} must be a SymPy expression; parse text first with parse(text, variables)")
    try:
        result = sp.sympify(expr, strict=True)
    except (sp.SympifyError, TypeError):
        result = None
    if not isinstance(result, sp.Expr) or isinstance(result, sp.MatrixBase):
        raise ValueError(f"{arg} must be a SymPy expression (one scalar formula), "
                         f"got {type(expr).__name__}")
    return result


def _variables(variables: Any, exprs: Sequence[sp.Expr]) -> list[sp.Symbol]:
    free: set[sp.Symbol] = set().union(*(e.free_symbols for e in exprs)) if exprs else set()
    names = {s.name: s for s in free}
    return [names.get(s.name, s) for s in symbols(variables)]


def partial(expr: sp.Expr, var: str | sp.Symbol, order: int = 1) -> sp.Expr:
    """The partial derivative d^order expr / d var^order, holding every other variable fixed."""
    expr = _as_expr(expr)
    order = check.integer("order", order, lo=1)
    return sp.diff(expr, _symbol(var, expr), order)


def gradient(expr: sp.Expr, variables: Sequence[str | sp.Symbol] | str) -> sp.Matrix:
    """The gradient: the column (n x 1) of first partials [df/dx1, ..., df/dxn]^T."""
    expr = _as_expr(expr)
    return sp.Matrix([sp.diff(expr, v) for v in _variables(variables, [expr])])


def jacobian(exprs: Sequence[sp.Expr] | sp.Matrix, variables: Sequence[str | sp.Symbol] | str) -> sp.Matrix:
    """The Jacobian of a vector function (f1, ..., fm): the m x n matrix J[i, j] = dfi/dxj."""
    if isinstance(exprs, sp.MatrixBase):
        items = list(exprs)
    elif isinstance(exprs, (list, tuple)):
        items = [_as_expr(e, "exprs") for e in exprs]
    else:
        raise ValueError(f"exprs must be a list of expressions or a SymPy Matrix, got "
                         f"{type(exprs).__name__} (for one expression use gradient or hessian)")
    if not items:
        raise ValueError("exprs must hold at least one expression")
    variables = _variables(variables, items)
    return sp.Matrix(items).jacobian(variables)


def hessian(expr: sp.Expr, variables: Sequence[str | sp.Symbol] | str) -> sp.Matrix:
    """The Hessian: the n x n matrix of second partials H[i, j] = d2f / dxi dxj.

    It is the Jacobian *of the gradient*; for smooth f it is symmetric (mixed partials agree).
    """
    expr = _as_expr(expr)
    variables = _variables(variables, [expr])
    return jacobian(gradient(expr, variables), variables)


# Differentiating abs() or sign() yields DiracDelta, a distribution NumPy cannot evaluate; as a
# function it is 0 everywhere except at the kink itself, so we evaluate it as 0.
_NUMPY_EXTRAS = {"DiracDelta": lambda *args: np.zeros_like(np.real(args[0]))}


def lambdify(expr: sp.Expr | sp.MatrixBase | Sequence[sp.Expr],
             variables: Sequence[str | sp.Symbol] | str) -> Callable[..., np.ndarray]:
    """Compile an expression (or a matrix / list of them) into a NumPy function of the variables.

    The function takes one array per variable; they broadcast together to a shape S. It returns
    shape S for a scalar expression, S + (m,) for a list or a column vector (a gradient), and
    S + (m, n) for an m x n matrix (a Hessian). Constant entries are broadcast too, so the
    Hessian of a quadratic has the same shape as any other. Complex inputs pass through
    (the complex-step derivative needs that).
    """
    if isinstance(expr, sp.MatrixBase):
        shape = expr.shape if expr.shape[1] != 1 else (expr.shape[0],)
        entries = list(expr)
    elif isinstance(expr, (list, tuple)):
        entries = [_as_expr(e) for e in expr]
        shape = (len(entries),)
    else:
        entries, shape = [_as_expr(expr)], ()
    free = set().union(*(e.free_symbols for e in entries))
    syms = _variables(variables, entries)
    unknown = sorted(s.name for s in free if s not in set(syms))
    if unknown:
        raise ValueError(f"expression uses {', '.join(unknown)}, which is not among the variables "
                         f"{[s.name for s in syms]}")
    funcs = [sp.lambdify(syms, e, modules=[_NUMPY_EXTRAS, "numpy"]) for e in entries]
    names = [s.name for s in syms]

    def evaluate(*args: Any) -> np.ndarray:
        if len(args) != len(syms):
            raise ValueError(f"expected {len(syms)} argument(s) ({', '.join(names)}), got {len(args)}")
        arrays = []
        for name, a in zip(names, args):
            arr = np.asarray(a)
            if arr.dtype.kind not in "fc":
                if arr.dtype.kind not in "iub":
                    raise ValueError(f"argument {name} must be numeric, got dtype {arr.dtype}")
                arr = arr.astype(float)
            arrays.append(arr)
        arrays = np.broadcast_arrays(*arrays)
        out_shape = arrays[0].shape
        raw = [np.asarray(fn(*arrays)) for fn in funcs]
        # float64, or complex128 when an input or a value is complex (one dtype at a time:
        # older NumPy caps result_type at 32 arguments, and a Jacobian can have more entries)
        dtype = np.dtype(np.float64)
        for a in (*arrays, *raw):
            dtype = np.result_type(dtype, a.dtype)
        values = [np.broadcast_to(v.astype(dtype, copy=False), out_shape) for v in raw]
        if not shape:
            return np.array(values[0])
        return np.stack(values, axis=-1).reshape(out_shape + shape)

    evaluate.__doc__ = f"Evaluate {expr} at ({', '.join(names)}); arrays broadcast."
    return evaluate
