"""What every explorer shares: controls wired to an ``update()``, a status line, ``hold()``.

An explorer reads its controls into a settings value, calls a pure frame function and sends the
result to the browser renderer (``canvas.CanvasDashboard``, docs/explorers.md). Tests and
benchmarks drive it without a browser by setting ``dash.controls[name].value``; the update
runs synchronously. ``new_figure`` makes a matplotlib figure for the static pictures and
animations the notebooks show (nothing here draws per update).
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import ipywidgets as W
import matplotlib.pyplot as plt
from matplotlib.figure import Figure

__all__ = ["Dashboard", "new_figure", "wrap_layout"]


def wrap_layout() -> W.Layout:
    """Controls beside the figure when the page is wide enough, above it when not (laptops,
    JupyterLab with its side panel open), so the figure is never cut off."""
    return W.Layout(flex_flow="row wrap", align_items="flex-start")


def new_figure(figsize: tuple[float, float], **kwargs: Any) -> Figure:
    """A figure for a dashboard: created without being shown, header and footer hidden."""
    with plt.ioff():
        fig = plt.figure(figsize=figsize, **kwargs)
    canvas = fig.canvas
    for attr, value in (("header_visible", False), ("footer_visible", False),
                        ("toolbar_visible", False), ("resizable", False)):
        if hasattr(canvas, attr):
            setattr(canvas, attr, value)
    return fig


def _show_whole_label(control: W.Widget) -> None:
    """Size a control's label to its text: the default fixed width cuts "β (momentum)" to
    "β (mome…"."""
    style = getattr(control, "style", None)
    if style is not None and hasattr(style, "description_width") and getattr(control, "description", ""):
        style.description_width = "initial"


class Dashboard:
    """Base class: ``controls`` (name -> ipywidgets control), ``status`` (an HTML line for
    messages such as "converged in 143 steps") and ``update()``.

    Subclasses fill ``self.controls`` and call ``self._wire()``; they implement ``update()``.
    """

    controls: dict[str, W.ValueWidget]

    def __init__(self) -> None:
        self.controls = {}
        self.status = W.HTML(value="")
        self._box: W.Widget | None = None
        self._holding = False

    # -- wiring ---------------------------------------------------------------------------
    def _wire(self, extra: Mapping[str, W.Widget] | None = None) -> None:
        """Observe every control (labels sized to their text) and run the first update."""
        for control in self.controls.values():
            control.observe(self._on_change, names="value")
            _show_whole_label(control)
        self._extra = dict(extra or {})
        self.update()

    def _on_change(self, change: Any = None) -> None:
        if not self._holding:
            self.update()

    def hold(self) -> "_Hold":
        """Context manager: set several controls, update once at the end."""
        return _Hold(self)

    def update(self) -> None:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def close(self) -> None:
        """Close the widgets (frees memory in long sessions and tests)."""
        for control in self.controls.values():
            control.close()
        if self._box is not None:
            self._box.close()


class _Hold:
    def __init__(self, dash: Dashboard) -> None:
        self.dash = dash

    def __enter__(self) -> Dashboard:
        self.dash._holding = True
        return self.dash

    def __exit__(self, *exc: object) -> None:
        self.dash._holding = False
        self.dash.update()
