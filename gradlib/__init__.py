"""gradlib: partial derivatives and optimization for deep learning, three ways that agree.

Submodules (each one idea):
    symbolic   exact partials, gradients, Hessians and Jacobians with SymPy; a safe formula parser
    numeric    finite differences (forward, backward, central, complex-step) and gradcheck
    surfaces   a catalogue of 2-D loss surfaces built from SymPy expressions
    optim      optimizers (GD ... Adam, Newton), learning-rate schedules, descend() -> Path
    curvature  Hessian eigen-analysis, stability thresholds, local quadratic models
    mlp        a NumPy multilayer perceptron with backprop, trained by the same optimizers
    autodiff   automatic differentiation from scratch: forward mode (JVP), reverse mode (VJP), HVP
    practice   training in practice: LR range test, gradient noise scale, data-parallel workers
    data       toy data sets generated in code, and scikit-learn's bundled digits
    plots      matplotlib figures; animate: animations that play without a kernel
    figalt     text alternatives for figures (alt text), attached to every figure a kernel shows
    widgets    ipywidgets dashboards (explorers) built from the above
"""
from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

_SUBMODULES = ("symbolic", "numeric", "surfaces", "optim", "curvature", "mlp", "autodiff", "practice", "data",
               "plots", "animate", "figalt", "widgets")
__all__ = [*_SUBMODULES, "__version__"]


def __getattr__(name: str) -> Any:
    # Submodules load on first use, so `import gradlib` stays cheap and the numeric core
    # never pulls in matplotlib or ipywidgets.
    if name in _SUBMODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module 'gradlib' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)


def _alt_text_in_kernels() -> bool:
    """In a Jupyter kernel (an IPython shell with a ``kernel``), every matplotlib figure shown
    carries a text description as its alt text (``figalt.install``; WCAG 2.1 SC 1.1.1), so saved
    notebooks and their HTML copies describe their pictures. Anywhere else (plain Python, a
    terminal IPython) nothing happens; IPython and matplotlib are never imported here."""
    import sys
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is None or getattr(shell, "kernel", None) is None:
        return False
    from . import figalt
    return figalt.install(shell)


_alt_text_in_kernels()
