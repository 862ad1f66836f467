"""The one pattern every explorer follows.

A dashboard builds its matplotlib figure ONCE, keeps handles to the artists it will move, and
on every control change recomputes its numbers with tested gradlib functions and moves those
artists (``set_data``, ``set_offsets``, ``set_text``) before one ``draw_idle()``. It never
rebuilds the figure. Tests and benchmarks drive it without a browser by setting
``dash.controls[name].value``; the update runs synchronously.

Backends: under ``%matplotlib widget`` (ipympl) the figure's canvas is itself a widget and is
placed beside the controls. Under any other backend (inline, Agg) the figure is shown as an
image inside a fixed-height ``Output`` that is refreshed after each update.
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
    """Base class: ``controls`` (name -> ipywidgets control), ``figure``, ``update()``.

    Subclasses create ``self.figure`` and their artists, fill ``self.controls`` and call
    ``self._wire()``; they implement ``update()``, which moves artists and ends with
    ``self.redraw()``. ``status`` is a small HTML line under the figure for messages such as
    "converged in 143 steps".
    """

    figure: Figure
    controls: dict[str, W.ValueWidget]

    def __init__(self) -> None:
        self.controls = {}
        self.status = W.HTML(value="")
        self._output: W.Output | None = None
        self._box: W.Widget | None = None
        self._holding = False

    # -- wiring ---------------------------------------------------------------------------
    def _wire(self, extra: Mapping[str, W.Widget] | None = None) -> None:
        """Observe every control; call after ``self.controls`` and the figure exist."""
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

    # -- drawing --------------------------------------------------------------------------
    @property
    def _canvas_is_widget(self) -> bool:
        return isinstance(self.figure.canvas, W.DOMWidget)

    def redraw(self) -> None:
        """Ask the canvas to redraw; outside ipympl, refresh the image in the Output too."""
        self.figure.canvas.draw_idle()
        if self._output is not None:
            from IPython.display import display
            with self._output:
                self._output.clear_output(wait=True)
                display(self.figure)

    def layout(self) -> W.Widget:
        """Controls on the left, the figure on the right, the status line underneath."""
        if self._box is None:
            if self._canvas_is_widget:
                view: W.Widget = self.figure.canvas
            else:
                w, h = self.figure.get_size_inches() * self.figure.dpi
                self._output = W.Output(layout=W.Layout(height=f"{int(h) + 10}px",
                                                        width=f"{int(w) + 10}px"))
                view = self._output
            panel = W.VBox(list(self.controls.values()) + list(getattr(self, "_extra", {}).values()),
                           layout=W.Layout(min_width="300px"))
            self._box = W.VBox([W.HBox([panel, view], layout=wrap_layout()), self.status])
            if self._output is not None:
                self.redraw()
        return self._box

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The live widget view, plus a PNG snapshot of the figure for static copies.

        Front-ends with a kernel render the widget; a static HTML handout (where widgets cannot
        run) falls back to the snapshot, so a reader still sees what the explorer showed.
        """
        import base64
        import io
        box = self.layout()
        # CSS hooks, so browser tests (and instructors' custom CSS) can find each explorer.
        box.add_class("gradlib-dashboard")
        box.add_class(f"gradlib-{type(self).__name__.lower()}")
        bundle = dict(box._repr_mimebundle_(include=include, exclude=exclude) or {})
        buffer = io.BytesIO()
        self.figure.savefig(buffer, format="png", dpi=72)
        bundle["image/png"] = base64.b64encode(buffer.getvalue()).decode("ascii")
        bundle["text/plain"] = (f"<{type(self).__name__}: an interactive explorer; run the "
                                f"notebook in JupyterLab to use its controls>")
        return bundle

    def close(self) -> None:
        """Close the widgets and the figure (frees memory in long sessions and tests)."""
        for control in self.controls.values():
            control.close()
        if self._box is not None:
            self._box.close()
        plt.close(self.figure)


class _Hold:
    def __init__(self, dash: Dashboard) -> None:
        self.dash = dash

    def __enter__(self) -> Dashboard:
        self.dash._holding = True
        return self.dash

    def __exit__(self, *exc: object) -> None:
        self.dash._holding = False
        self.dash.update()
