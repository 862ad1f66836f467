"""Checks for the vanishing/exploding-gradients notebook's exercise (notebook 10).

    check_backward_norms(backward_norms)
        the gradient at every layer of a chain h_{l+1} = f(z_l), z_l = h_l W_l (row vectors, the
        convention of gradlib.mlp) as a product of layer Jacobians:

            J_l = ∂h_{l+1}/∂h_l = diag(f'(z_l)) W_lᵀ          (n_{l+1} × n_l)
            g_l = ∂L/∂h_l = g_{l+1} J_l = (g_{l+1} ⊙ f'(z_l)) W_lᵀ,   g_L = g_top
            backward_norms(Ws, hs, fprime, g_top) = [‖g_0‖, ‖g_1‖, ..., ‖g_L‖]

        checked against reverse-mode autodiff (``gradlib.autodiff.vjp`` of the chain from h_l to
        the top, started from g_top) on a square tanh chain and a non-square sigmoid chain.

The typical mistakes are named: W_l instead of W_lᵀ, the slope applied after the weights (or at
the layer's output h_{l+1} instead of its pre-activation z_l), the slope forgotten, the norms in
reverse order (top first), the top or the bottom layer left out, an index one layer too far.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from gradlib import autodiff as ad
from gradlib.exercises import Result, attempt, compare, first_failure

__all__ = ["check_backward_norms", "chain_case", "reference_norms"]

_F = {"tanh": (np.tanh, ad.tanh, lambda z: 1.0 - np.tanh(z) ** 2),
      "sigmoid": (lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)), ad.sigmoid,
                  lambda z: 0.5 * (1.0 + np.tanh(0.5 * z)) * (1.0 - 0.5 * (1.0 + np.tanh(0.5 * z))))}


def chain_case(widths: Sequence[int], activation: str, seed: int
               ) -> tuple[list[np.ndarray], list[np.ndarray], Callable[[np.ndarray], np.ndarray],
                          np.ndarray]:
    """A chain with weights W_l of shape (widths[l], widths[l+1]) (std 1.5/sqrt(n_in), so the
    slopes f'(z) are spread out, not all near f'(0)), its activations hs = [h_0, ..., h_L] with
    h_{l+1} = f(h_l W_l), the derivative f' and a gradient g_top = ∂L/∂h_L."""
    f, _, fprime = _F[activation]
    rng = np.random.default_rng(seed)
    Ws = [rng.normal(0.0, 1.5 / np.sqrt(a), (a, b)) for a, b in zip(widths[:-1], widths[1:])]
    hs = [rng.standard_normal(widths[0])]
    for W in Ws:
        hs.append(f(hs[-1] @ W))
    return Ws, hs, fprime, rng.standard_normal(widths[-1])


def reference_norms(Ws: Sequence[np.ndarray], hs: Sequence[np.ndarray], activation: str,
                    g_top: np.ndarray) -> np.ndarray:
    """‖∂L/∂h_l‖ for l = 0 .. L by reverse-mode autodiff, an independent route: for each l, the
    vector-Jacobian product g_topᵀ ∂h_L/∂h_l of the recorded chain from h_l to the top."""
    act = _F[activation][1]

    def top_from(l: int) -> Callable[[Any], Any]:
        def chain(h: Any) -> Any:
            for W in Ws[l:]:
                h = act(h @ W)
            return h
        return chain

    L = len(Ws)
    norms = [np.linalg.norm(ad.vjp(top_from(l), hs[l], g_top)[1]) for l in range(L)]
    return np.array(norms + [np.linalg.norm(g_top)])


def _variant(Ws: Sequence[np.ndarray], hs: Sequence[np.ndarray], fprime: Callable, g_top: np.ndarray,
             step: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], np.ndarray]) -> np.ndarray:
    """The norms from a (possibly wrong) one-layer step g_l = step(g_{l+1}, W_l, slope, slope_out)."""
    g, norms = g_top, [np.linalg.norm(g_top)]
    for l in range(len(Ws) - 1, -1, -1):
        z = hs[l] @ Ws[l]
        g = step(g, Ws[l], fprime(z), fprime(hs[l + 1]))
        norms.append(np.linalg.norm(g))
    return np.array(norms[::-1])


def _wrong_answers(Ws: Sequence[np.ndarray], hs: Sequence[np.ndarray], fprime: Callable,
                   g_top: np.ndarray) -> list[tuple[str, np.ndarray]]:
    right = _variant(Ws, hs, fprime, g_top, lambda g, W, s, so: (g * s) @ W.T)
    wrong = [("The norms are in reverse order: entry 0 must be the input side, ‖∂L/∂h_0‖, and the "
              "last entry the top, ‖g_top‖.", right[::-1]),
             ("You forgot the slopes: J_l = diag(f'(z_l)) W_lᵀ, so g_l = (g_{l+1} ⊙ f'(z_l)) W_lᵀ, "
              "not g_{l+1} W_lᵀ.", _variant(Ws, hs, fprime, g_top, lambda g, W, s, so: g @ W.T)),
             ("f' is evaluated at the layer's output h_{l+1} = f(z_l); it belongs at the "
              "pre-activation z_l = h_l W_l.",
              _variant(Ws, hs, fprime, g_top, lambda g, W, s, so: (g * so) @ W.T))]
    if all(W.shape[0] == W.shape[1] for W in Ws):            # only square layers let these run
        wrong += [("You multiplied by W_l where the chain rule needs W_lᵀ: with row vectors "
                   "z_l = h_l W_l, so ∂z_l/∂h_l brings W_lᵀ (g_l = (g_{l+1} ⊙ f'(z_l)) W_lᵀ).",
                   _variant(Ws, hs, fprime, g_top, lambda g, W, s, so: (g * s) @ W)),
                  ("The slope is applied on the wrong side of the weights: f'(z_l) has one entry "
                   "per unit of h_{l+1}, so multiply g_{l+1} by it first, then by W_lᵀ.",
                   _variant(Ws, hs, fprime, g_top, lambda g, W, s, so: (g @ W.T) * s))]
    return wrong


def check_backward_norms(backward_norms: Callable[..., Any]) -> Result:
    """``backward_norms(Ws, hs, activation_derivative, g_top)`` must return the L + 1 norms
    ‖∂L/∂h_l‖, l = 0 (input) .. L (top, = ‖g_top‖), for h_{l+1} = f(h_l W_l). Checked on a
    square tanh chain (widths 5, 5, 5, 5: a transposed W still runs, so it can be named) and a
    non-square sigmoid chain (widths 3, 6, 4, 2), against autodiff, to 1e-12 relative."""
    cases = [((5, 5, 5, 5), "tanh", 3), ((3, 6, 4, 2), "sigmoid", 4)]

    def run(widths: tuple[int, ...], activation: str, seed: int) -> Result:
        Ws, hs, fprime, g_top = chain_case(widths, activation, seed)
        expected = reference_norms(Ws, hs, activation, g_top)
        label = f"backward_norms ({activation} chain, widths {', '.join(map(str, widths))})"
        try:
            got = attempt(backward_norms, [W.copy() for W in Ws], [h.copy() for h in hs], fprime,
                          g_top.copy())
        except (ValueError, IndexError) as err:
            return Result(label, "failed", f"your function raised {type(err).__name__}: {err}. "
                          f"Hint: {_hint_for(err)}")
        got_arr = np.asarray(got, dtype=float) if _numeric(got) else got
        if np.shape(got_arr) == (len(Ws),):
            return Result(label, "failed", f"{len(Ws)} norms for {len(Ws)} layers, expected "
                          f"{len(Ws) + 1}: one per activation h_0 .. h_L, the top one ‖g_top‖ "
                          f"included (did you leave out the top or the input?)")
        return compare(label, got_arr, expected, rtol=1e-12, atol=1e-14, what="layer",
                       wrong=_wrong_answers(Ws, hs, fprime, g_top))

    return first_failure("backward_norms", [lambda c=c: run(*c) for c in cases])


def _numeric(value: Any) -> bool:
    try:
        np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return False
    return True


def _hint_for(err: Exception) -> str:
    if isinstance(err, IndexError):
        return ("an index one layer too far? The slope in J_l is f'(z_l), z_l = h_l W_l: the "
                "pre-activation of the layer that maps h_l to h_{l+1}, not f'(z_{l+1}).")
    return ("shapes that do not fit: with row vectors g_l = (g_{l+1} ⊙ f'(z_l)) W_lᵀ, where "
            "W_l is n_l × n_{l+1}; W_l instead of W_lᵀ, or the slope applied after the weights, "
            "only runs for square layers.")
