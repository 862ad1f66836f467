"""The browser renderer every explorer draws with: one anywidget, one ES module (canvas.js).

    canvas = Canvas()
    canvas.show(scene, frame)       # gradlib.scene.Scene / Frame: the static layer, what moves
    canvas.frame = frame.to_json()  # a settings change sends the whole path once
    canvas.on_click(callback)       # callback(panel, x, y): a click on an image panel, in data units

Traits (synced with the page; docs/explorers.md has the contract):
    scene   dict: width, height, image (PNG bytes), panels (name, kind, bbox, limits, log flags)
    frame   dict: layers (float64 bytes + style + reveal rule), n_steps, status, kind, charts
    step    int: the step shown (-1: the last); the page writes it back when Play pauses

Play and the step slider run in the page (``requestAnimationFrame``): the kernel answers only
settings changes. ``static_html`` gives the same module inlined in a page with no kernel.
"""
from __future__ import annotations

import base64
import html
import itertools
import json
import re
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import anywidget
import traitlets

from ..scene import Frame, Scene, to_plain_json

__all__ = ["Canvas", "ESM_PATH", "module_source", "static_html", "CanvasDashboard", "status_html",
           "error_frame", "GridControl", "GRID_BUDGET", "grid_static_data", "grid_static_html",
           "snapshot_fallback", "static_bundle"]

#: The ES module, shipped inside the package (pyproject: package data).
ESM_PATH = Path(__file__).with_name("canvas.js")
#: Embedded data per explorer in a page without a kernel (issue 11's budget).
GRID_BUDGET = 1_000_000


class Canvas(anywidget.AnyWidget):
    """The renderer widget. Set ``scene`` once per surface/view and ``frame`` per settings
    change (``show`` does both, skipping an unchanged scene)."""

    _esm = ESM_PATH
    scene = traitlets.Dict().tag(sync=True)
    frame = traitlets.Dict().tag(sync=True)
    step = traitlets.Int(-1).tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._scene_obj: Scene | None = None
        self._click_handlers: list[Callable[[str, float, float], Any]] = []
        self.on_msg(self._handle_msg)

    def show(self, scene: Scene, frame: Frame) -> None:
        """Send ``scene`` (only if it is not the one shown) and ``frame``; the page shows the
        last step until the learner scrubs or plays."""
        with self.hold_sync():
            if scene is not self._scene_obj:
                self.scene = scene.to_json()
                self._scene_obj = scene
            self.step = -1
            self.frame = frame.to_json()

    def on_click(self, callback: Callable[[str, float, float], Any]) -> None:
        """Call ``callback(panel, x, y)`` when the learner clicks an image panel."""
        self._click_handlers.append(callback)

    def _handle_msg(self, _widget: Any, content: Any, _buffers: Any) -> None:
        if isinstance(content, dict) and content.get("type") == "click":
            try:
                panel, x, y = str(content["panel"]), float(content["x"]), float(content["y"])
            except (KeyError, TypeError, ValueError):
                return
            for callback in self._click_handlers:
                callback(panel, x, y)


@lru_cache(maxsize=1)
def module_source() -> str:
    """The ES module's text (read once)."""
    return ESM_PATH.read_text(encoding="utf-8")


def _script_safe(text: str) -> str:
    """Text that cannot close the <script> element it sits in."""
    return text.replace("</", "<\\/")


def static_html(data: dict[str, Any], surfaces_js: dict[str, str], *, css_class: str = "",
                title: str = "explorer", mount: str = "mountStatic",
                fallback: tuple[bytes, str] | None = None) -> str:
    """A kernel-free explorer: plain HTML controls driving canvas.js's ``render`` through a tiny
    in-page model. ``data`` is plain JSON (bytes allowed: they become base64), ``surfaces_js``
    maps surface name -> JavaScript object source from ``gradlib.jsmath.surface_js``.

    The page loads nothing from outside: the module is inlined (``<script type="module">``),
    the data sits in a ``<script type="application/json">`` element. ``mount`` names the
    module's function that builds the explorer (``mountStatic`` for descent,
    ``mountStaticRace``, ``mountStaticQuadratic``); it is called as ``mount(el, data, fns)``.
    ``fallback`` = (PNG bytes, alt text): an ``<img>`` (data URI) shown until the module runs
    and replaces it, so viewers that strip scripts (GitHub, nbviewer) still show a picture.
    """
    if not re.fullmatch(r"mountStatic[A-Za-z]*", mount):
        raise ValueError(f"mount must name a mountStatic* function of canvas.js, got {mount!r}")
    uid = "gx" + secrets.token_hex(5)
    payload = _script_safe(json.dumps(to_plain_json(data), separators=(",", ":"),
                                      allow_nan=False))
    fns = ",\n".join(f"{json.dumps(name)}: {src}" for name, src in surfaces_js.items())
    boot = (f"\n;(() => {{ const el = document.getElementById({json.dumps(uid)});\n"
            f"const data = JSON.parse(document.getElementById({json.dumps(uid + '-data')})"
            f".textContent);\nconst fns = {{{fns}}};\nel.replaceChildren();\n{mount}(el, data, fns); }})();\n")
    module = _script_safe(module_source() + boot)
    img = ""
    if fallback is not None:
        png, alt = fallback
        src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
        img = (f'<img class="gradlib-static-snapshot" src="{src}" alt="{html.escape(alt)}" '
               f'style="max-width:100%;height:auto">')
    return (f'<div class="gradlib-static {html.escape(css_class)}" id="{uid}" role="group" '
            f'aria-label="{html.escape(title)} (works in this page, no kernel needed)">'
            f'{img}<noscript>This explorer needs JavaScript to respond to its controls.</noscript>'
            f'</div>\n'
            f'<script type="application/json" id="{uid}-data">{payload}</script>\n'
            f'<script type="module">{module}</script>')


# ---------------------------------------------------------------------------------------------
# What every explorer drawn by the renderer shares
# ---------------------------------------------------------------------------------------------
def status_html(text: str, kind: str) -> str:
    """The status line under an explorer, coloured by the frame's kind."""
    color = {"converged": "#1a7f37", "diverged": "#c00", "max_steps": "#555",
             "error": "#c00"}.get(kind, "#333")
    return f'<span style="color:{color}">{html.escape(text)}</span>'


def error_frame(text: str, previous: Frame | None = None) -> Frame:
    """A frame for a refused input: the previous picture stays (never a blank canvas), the
    status line says what went wrong."""
    layers = previous.layers if previous is not None else ()
    n = previous.n_steps if previous is not None else 0
    charts = previous.charts if previous is not None else {}
    return Frame(layers, n, text, "error", charts)


def _dashboard() -> type:
    from ._base import Dashboard
    return Dashboard


class CanvasDashboard(_dashboard()):  # type: ignore[misc]
    """An explorer whose picture the page draws: ``scene`` and ``frame`` are what it sent last.

    Subclasses build ``self.canvas``, call the frame function in ``update()`` and send the result
    with ``self.canvas.show``; they name their static layer in ``_error_scene()`` (used when the
    very first input is refused) and may extend ``_forget()`` (what a refused input invalidates).
    """

    scene: Scene | None = None
    frame: Frame | None = None
    settings: Any = None

    def _error_scene(self) -> Scene | None:
        return None

    def _forget(self) -> None:
        self.settings = None

    def _show_error(self, text: str) -> None:
        """The status line says what is wrong; the last picture stays."""
        self.status.value = status_html(text, "error")
        if self.scene is None:
            try:
                self.scene = self._error_scene()
            except Exception:  # noqa: BLE001 - e.g. a surface matplotlib cannot contour
                self.scene = None
        if self.scene is not None:
            self.canvas.show(self.scene, error_frame(text, self.frame))
        self._forget()

    @property
    def figure(self) -> Any:
        """The current frame drawn by matplotlib (a snapshot for images and documents), at
        ``canvas.step`` (-1: the whole run)."""
        from ..scene import snapshot
        if self.scene is None or self.frame is None:
            raise ValueError("no frame to draw: the explorer has no valid settings yet")
        return snapshot(self.scene, self.frame, int(self.canvas.step))

    def redraw(self) -> None:
        """Nothing to do: the page redraws when a frame arrives."""

    #: The kernel-free copy's title (its aria-label) and the note above its controls (None:
    #: "This page shows N runs computed in advance…").
    static_title: str = "explorer"
    static_note: str | None = None

    def layout(self) -> Any:
        """The controls in a column beside the canvas (above it when the page is narrow)."""
        if self._box is None:
            import ipywidgets as W

            from ._base import wrap_layout
            panel = W.VBox(list(self.controls.values()), layout=W.Layout(min_width="300px"))
            self._box = W.VBox([W.HBox([panel, self.canvas], layout=wrap_layout())])
        return self._box

    # -- the kernel-free copy ------------------------------------------------------------------
    def static_controls(self) -> list[GridControl]:
        """The controls of the kernel-free copy, each over a few values (explorers whose page
        computes frames itself override ``static_html`` instead)."""
        raise NotImplementedError(f"{type(self).__name__} has no precomputed static copy")

    def static_frame(self, values: dict[str, Any]) -> tuple[Scene, Frame]:
        """(scene, frame) for one combination of ``static_controls()``' values."""
        raise NotImplementedError(f"{type(self).__name__} has no precomputed static copy")

    def grid_page(self, controls: Sequence[GridControl],
                  frame_for: Callable[[dict[str, Any]], tuple[Scene, Frame]], *,
                  budget: int = GRID_BUDGET, note: str | None = None,
                  fallback: tuple[bytes, str] | None = None) -> str:
        """``grid_static_html`` with this explorer's title, CSS class and snapshot (``fallback``:
        one already made)."""
        if fallback is None:
            fallback = snapshot_fallback(self.scene, self.frame)
        return grid_static_html(controls, frame_for, title=self.static_title,
                                css_class=f"gradlib-{type(self).__name__.lower()}-static",
                                fallback=fallback,
                                budget=budget, note=self.static_note if note is None else note)

    def page_html(self, data: dict[str, Any], fns: dict[str, str], mount: str = "mountStatic") -> str:
        """``static_html`` (a page that computes its frames, ``mount`` naming canvas.js's
        function) with this explorer's title, CSS class and snapshot."""
        return static_html(data, fns, css_class=f"gradlib-{type(self).__name__.lower()}-static",
                           title=self.static_title, mount=mount,
                           fallback=snapshot_fallback(self.scene, self.frame))

    def static_html(self) -> str:
        """The explorer for a page with no kernel: the frames of every combination of
        ``static_controls()`` (``static_frame``), computed now and embedded."""
        return self.grid_page(self.static_controls(), self.static_frame)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """The live widget and, for pages without a kernel, the static copy (a settings the
        copy cannot be built for gives a line saying why, never a failed display)."""
        try:
            page = self.static_html()
        except ValueError as err:
            page = f"<p>{html.escape(f'cannot build the static copy: {err}')}</p>"
        return static_bundle(self.layout(), type(self).__name__, page)

    def _own_widgets(self) -> tuple[Any, ...]:
        """Widgets besides the canvas, status line and controls that ``close`` frees (buttons,
        a leaderboard); subclasses name theirs."""
        return ()

    def close(self) -> None:
        """Free the canvas, the status line, the controls, the explorer's own widgets and the
        layout box."""
        canvas = getattr(self, "canvas", None)
        for w in (*self._own_widgets(), canvas, self.status, *self.controls.values()):
            if w is not None:
                w.close()
        if self._box is not None:
            self._box.close()


# ---------------------------------------------------------------------------------------------
# Static pages from frames precomputed over a grid of control values (explorers whose math is
# too big for the page: MLPs, data sets). The page's controls snap to the grid.
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GridControl:
    """One control of a precomputed static page: ``values`` (JSON-able: numbers or strings) in
    order, what each reads as (``labels``, default ``str(value)``), the value shown first
    (``initial``, one of ``values``) and the input: ``"range"`` (a slider over the values'
    indices) or ``"select"`` (a menu)."""

    name: str
    label: str
    values: tuple[Any, ...]
    initial: Any = None
    kind: str = "range"
    labels: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(self.name)):
            raise ValueError(f"GridControl name must be an identifier, got {self.name!r}")
        values = tuple(self.values)
        if not values:
            raise ValueError(f"GridControl {self.name!r}: values must not be empty")
        if len(set(map(repr, values))) != len(values):
            raise ValueError(f"GridControl {self.name!r}: values must be distinct, got {values!r}")
        object.__setattr__(self, "values", values)
        if self.kind not in ("range", "select"):
            raise ValueError(f"GridControl {self.name!r}: kind must be 'range' or 'select', "
                             f"got {self.kind!r}")
        initial = values[0] if self.initial is None else self.initial
        if initial not in values:
            raise ValueError(f"GridControl {self.name!r}: initial must be one of {values!r}, "
                             f"got {initial!r}")
        object.__setattr__(self, "initial", initial)
        labels = tuple(str(v) for v in values) if self.labels is None else tuple(map(str, self.labels))
        if len(labels) != len(values):
            raise ValueError(f"GridControl {self.name!r}: {len(labels)} labels for "
                             f"{len(values)} values")
        object.__setattr__(self, "labels", labels)

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "label": self.label, "kind": self.kind,
                "labels": list(self.labels or ()), "initial": self.values.index(self.initial),
                "values": list(self.values)}


def grid_static_data(controls: Sequence[GridControl],
                     frame_for: Callable[[dict[str, Any]], tuple[Scene, Frame]], *,
                     budget: int = GRID_BUDGET, note: str | None = None) -> dict[str, Any]:
    """Every frame of the grid ``controls[0].values × controls[1].values × …``, for a page that
    works without a kernel (``mountStaticGrid``): ``frame_for({name: value, …}) -> (scene,
    frame)`` is called once per combination. Equal scenes are embedded once.

    Keys: ``"i|j|…"`` (the values' indices, in the order of ``controls``). Raises ValueError
    when the embedded data exceed ``budget`` bytes (name fewer values), never silently trims.
    """
    controls = list(controls)
    if not controls:
        raise ValueError("controls must name at least one GridControl")
    if len({c.name for c in controls}) != len(controls):
        raise ValueError(f"controls must have distinct names, got {[c.name for c in controls]}")
    scenes: list[dict[str, Any]] = []
    scene_index: dict[str, int] = {}
    frames: dict[str, dict[str, Any]] = {}
    for combo in itertools.product(*(range(len(c.values)) for c in controls)):
        settings = {c.name: c.values[i] for c, i in zip(controls, combo)}
        scene, frame = frame_for(settings)
        scene_json = to_plain_json(scene.to_json())
        key = json.dumps(scene_json, sort_keys=True, separators=(",", ":"))
        if key not in scene_index:
            scene_index[key] = len(scenes)
            scenes.append(scene_json)
        frames["|".join(map(str, combo))] = {"scene": scene_index[key],
                                             "frame": to_plain_json(frame.to_json())}
    data = {"controls": [c.to_json() for c in controls], "scenes": scenes, "frames": frames,
            "note": note if note is not None else
            f"This page shows {len(frames)} runs computed in advance: the controls snap to them."}
    size = len(json.dumps(data, separators=(",", ":")))
    if size > budget:
        raise ValueError(f"the precomputed frames take {size:,} bytes, over the budget of "
                         f"{budget:,}: give the controls fewer values "
                         f"({' × '.join(str(len(c.values)) for c in controls)} = {len(frames)} "
                         f"frames, {len(scenes)} scenes)")
    return data


def grid_static_html(controls: Sequence[GridControl],
                     frame_for: Callable[[dict[str, Any]], tuple[Scene, Frame]], *,
                     title: str, css_class: str, fallback: tuple[bytes, str] | None = None,
                     budget: int = GRID_BUDGET, note: str | None = None) -> str:
    """``static_html`` for an explorer whose page shows precomputed frames
    (``grid_static_data``); the page's module function is ``mountStaticGrid``."""
    data = grid_static_data(controls, frame_for, budget=budget, note=note)
    return static_html(data, {}, css_class=css_class, title=title, mount="mountStaticGrid",
                       fallback=fallback)


def snapshot_fallback(scene: Scene | None, frame: Frame | None) -> tuple[bytes, str] | None:
    """(snapshot PNG, alt text = the status line) for a static page's <img>."""
    from ..scene import snapshot_png
    if scene is None or frame is None:
        return None
    return snapshot_png(scene, frame), frame.status


def static_bundle(view: Any, name: str, page: str) -> dict[str, Any]:
    """The live widget view of ``view`` plus ``text/html`` (the explorer working without a
    kernel, with a snapshot <img> for viewers that strip scripts)."""
    view.add_class("gradlib-dashboard")
    view.add_class(f"gradlib-{name.lower()}")
    bundle = dict(view._repr_mimebundle_() or {})
    bundle["text/html"] = page
    bundle["text/plain"] = (f"<{name}: an interactive explorer; its controls work in "
                            f"JupyterLab and in the exported HTML page>")
    return bundle
