"""The explorers' renderer, Python side of its data contract: scenes, layers and frames.

The kernel computes numbers, the browser draws them (docs/explorers.md tells the whole story):

    Scene   what stays put while a learner turns controls: ONE picture of the static layer
            (contours, axes, ticks, labels, rendered by matplotlib once per surface or view) and
            the panels on it, each with its data -> pixel transform (pixel box of the axes in
            the picture, data limits, log flags), or "chart" panels whose axes the page draws
            itself (loss curves, whose range follows the data)
    Layer   something that moves: a polyline or a set of markers, as float64 (x, y) pairs, a
            style (colour, width, marker, label for the legend) and a reveal rule saying what
            is drawn at step k of Play ("all", "upto" the points 0..k, "at" point k only,
            "end" only when k is the last step)
    Frame   one settings change: the layers, the number of steps Play runs over, the status
            line (also the canvas's text alternative) and its kind, per-frame chart settings

``to_json()`` gives the plain dicts the widget (``gradlib.widgets.canvas.Canvas``) syncs: numbers
travel as little-endian float64 bytes (binary websocket buffers), never as JSON lists. Nothing
here imports a widget, so frames are tested without a browser.
"""
from __future__ import annotations

import base64
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Layer", "Frame", "Panel", "Scene", "REVEALS", "KINDS", "STATUS_KINDS",
           "STYLE_KEYS", "scene_from_figure", "snapshot", "snapshot_png", "to_plain_json",
           "from_plain_json"]

#: What a layer shows at step k of Play.
REVEALS = ("all", "upto", "at", "end")
#: How a layer's points are drawn. "segments-per-step": one short polyline per step (NaN
#: breaks it into pieces), step t's being xy[offsets[t]:offsets[t + 1]] (shapes that change
#: shape at every step: eigen-glyphs, a local model's level sets, a cursor).
KINDS = ("line", "points", "segments-per-step")
#: Kinds of status line (colour of the text).
STATUS_KINDS = ("info", "converged", "diverged", "max_steps", "error")
#: Style keys the page understands (others are refused, so a typo is caught in Python).
STYLE_KEYS = frozenset({"color", "width", "marker", "size", "fill", "edge", "dash", "label",
                        "alpha"})
MARKERS = ("o", "s", "X", "*", "D", "^", "")


@dataclass(frozen=True, eq=False)
class Layer:
    """Points (x, y) of one panel, drawn as a polyline ("line") or markers ("points").

    ``style``: ``color`` (CSS), ``width`` (line width, px), ``marker`` (one of ``MARKERS``),
    ``size`` (marker size, px), ``fill`` / ``edge`` (marker colours), ``dash`` (list of px),
    ``alpha``, ``label`` (the legend entry; every drawn mark should have one).
    Non-finite points are skipped by the page (a line breaks there).
    """

    panel: str
    xy: np.ndarray
    kind: str = "line"
    reveal: str = "all"
    style: Mapping[str, Any] = field(default_factory=dict)
    offsets: Any = None

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {', '.join(KINDS)}, got {self.kind!r}")
        if self.reveal not in REVEALS:
            raise ValueError(f"reveal must be one of {', '.join(REVEALS)}, got {self.reveal!r}")
        extra = sorted(set(self.style) - STYLE_KEYS)
        if extra:
            raise ValueError(f"style: unknown key(s) {extra}; known: {sorted(STYLE_KEYS)}")
        if self.style.get("marker", "") not in MARKERS:
            raise ValueError(f"style: marker must be one of {MARKERS}, got {self.style['marker']!r}")
        xy = np.ascontiguousarray(np.asarray(self.xy, dtype="<f8"))
        if xy.size == 0:
            xy = xy.reshape(0, 2)
        if xy.ndim != 2 or xy.shape[1] != 2:
            raise ValueError(f"xy must have shape (k, 2), got {xy.shape}")
        object.__setattr__(self, "xy", xy)
        object.__setattr__(self, "style", dict(self.style))
        if self.kind == "segments-per-step":
            if self.reveal not in ("at", "all"):
                raise ValueError(f"reveal of a segments-per-step layer must be 'at' or 'all', "
                                 f"got {self.reveal!r}")
            off = np.ascontiguousarray(np.asarray(
                [0.0] if self.offsets is None else self.offsets, dtype="<f8"))
            if off.ndim != 1 or off.size < 1 or off[0] != 0 or off[-1] != len(xy) \
                    or np.any(np.diff(off) < 0) or np.any(off != np.round(off)):
                raise ValueError(f"offsets must rise from 0 to len(xy) = {len(xy)} in whole "
                                 f"numbers (step t: xy[offsets[t]:offsets[t + 1]])")
            object.__setattr__(self, "offsets", off)
        elif self.offsets is not None:
            raise ValueError(f"offsets belong to segments-per-step layers, not {self.kind!r}")

    @property
    def n_chunks(self) -> int:
        """Steps a segments-per-step layer holds (0 for other kinds)."""
        return len(self.offsets) - 1 if self.offsets is not None else 0

    def chunk(self, step: int) -> np.ndarray:
        """A segments-per-step layer's points at ``step`` (the last chunk past the end)."""
        if self.offsets is None:
            raise ValueError(f"chunk: a {self.kind!r} layer has no steps")
        k = min(int(step), self.n_chunks - 1)
        if k < 0:
            return self.xy[:0]
        return self.xy[int(self.offsets[k]): int(self.offsets[k + 1])]

    def to_json(self) -> dict[str, Any]:
        out = {"panel": self.panel, "kind": self.kind, "reveal": self.reveal,
               "style": dict(self.style), "n": int(len(self.xy)), "xy": self.xy.tobytes()}
        if self.offsets is not None:
            out["offsets"] = self.offsets.tobytes()
        return out


@dataclass(frozen=True, eq=False)
class Frame:
    """Everything the page needs after one settings change.

    ``n_steps``: Play and the step slider run over 0..n_steps. ``status``: one plain-text line
    (no NaN: callers format numbers), ``kind``: one of ``STATUS_KINDS``. ``charts``: per-frame
    settings of chart panels, e.g. ``{"loss": {"ylog": True, "title": "loss", "xlim": [0, 200]}}``.
    """

    layers: tuple[Layer, ...]
    n_steps: int
    status: str
    kind: str = "info"
    charts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.kind not in STATUS_KINDS:
            raise ValueError(f"kind must be one of {', '.join(STATUS_KINDS)}, got {self.kind!r}")
        if not isinstance(self.n_steps, (int, np.integer)) or self.n_steps < 0:
            raise ValueError(f"n_steps must be an integer >= 0, got {self.n_steps!r}")
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "n_steps", int(self.n_steps))

    def to_json(self) -> dict[str, Any]:
        return {"layers": [layer.to_json() for layer in self.layers], "n_steps": self.n_steps,
                "status": str(self.status), "kind": self.kind,
                "charts": {k: dict(v) for k, v in self.charts.items()}}

    @property
    def nbytes(self) -> int:
        """Bytes sent for this frame: the binary buffers plus the JSON around them."""
        return _size(self.to_json())

    def layer(self, label: str) -> Layer:
        """The layer whose style label is ``label`` (KeyError if none)."""
        for layer in self.layers:
            if layer.style.get("label") == label:
                return layer
        raise KeyError(label)


@dataclass(frozen=True)
class Panel:
    """A region of the scene: ``bbox`` = (x, y, width, height) in scene pixels from the top
    left. ``kind`` "image": its axes are in the scene's picture, ``xlim``/``ylim`` map data to
    the box (log10 when ``xlog``/``ylog``). ``kind`` "chart": the page draws the axes, ticks and
    ``title``/``xlabel`` itself, with limits from the frame's ``charts`` entry or the data."""

    name: str
    kind: str
    bbox: tuple[float, float, float, float]
    xlim: tuple[float, float] | None = None
    ylim: tuple[float, float] | None = None
    xlog: bool = False
    ylog: bool = False
    title: str = ""
    xlabel: str = ""
    ylabel: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "kind": self.kind, "bbox": [float(v) for v in self.bbox],
                "xlim": None if self.xlim is None else [float(v) for v in self.xlim],
                "ylim": None if self.ylim is None else [float(v) for v in self.ylim],
                "xlog": bool(self.xlog), "ylog": bool(self.ylog), "title": self.title,
                "xlabel": self.xlabel, "ylabel": self.ylabel}


@dataclass(frozen=True, eq=False)
class Scene:
    """The static layer: a PNG of ``width`` x ``height`` scene pixels (drawn at the top left)
    and the panels on it. ``alt`` describes the picture for screen readers."""

    width: int
    height: int
    image: bytes
    panels: tuple[Panel, ...]
    alt: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"width": int(self.width), "height": int(self.height), "image": self.image,
                "panels": [p.to_json() for p in self.panels], "alt": self.alt}

    @property
    def nbytes(self) -> int:
        return _size(self.to_json())


def scene_from_figure(fig: Any, axes: Mapping[str, Any], charts: Sequence[Panel] = (),
                      alt: str = "") -> Scene:
    """Render ``fig`` (a matplotlib Figure) ONCE as PNG and read each named axes' transform.

    The pixel box of an axes is ``ax.get_window_extent()`` (matplotlib measures from the bottom
    left; the scene from the top left), its data limits ``get_xlim()``/``get_ylim()``, its
    scales ``get_xscale()``/``get_yscale()`` ("log" or "linear"). ``charts`` are added as given.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    width, height = (int(round(v)) for v in canvas.get_width_height())
    panels = []
    for name, ax in axes.items():
        box = ax.get_window_extent()
        for which in ("x", "y"):
            scale = getattr(ax, f"get_{which}scale")()
            if scale not in ("linear", "log"):
                raise ValueError(f"axes {name!r}: {which} scale {scale!r} is not linear or log")
        panels.append(Panel(name, "image", (box.x0, height - box.y1, box.width, box.height),
                            tuple(ax.get_xlim()), tuple(ax.get_ylim()),
                            ax.get_xscale() == "log", ax.get_yscale() == "log"))
    return Scene(width, height, _png(canvas), (*panels, *charts), alt)


def _png(canvas: Any) -> bytes:
    """The canvas as a 256-colour palette PNG: a third of the bytes of the RGBA one and, for
    contour plots (a few dozen flat colours plus anti-aliasing), indistinguishable from it."""
    from PIL import Image

    rgba = np.asarray(canvas.buffer_rgba())
    image = Image.fromarray(rgba[..., :3].copy()).quantize(
        colors=256, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    buffer = io.BytesIO()
    image.save(buffer, format="png", optimize=True)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# plain JSON (for pages without a kernel): bytes become {"$b64": "..."}
# ---------------------------------------------------------------------------------------------
def to_plain_json(value: Any) -> Any:
    """The same structure with every bytes value as ``{"$b64": base64}`` (JSON-safe), and
    non-finite floats as None."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$b64": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, Mapping):
        return {str(k): to_plain_json(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [to_plain_json(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, np.integer):
        return int(value)
    return value


def from_plain_json(value: Any) -> Any:
    """Inverse of ``to_plain_json`` (for tests)."""
    if isinstance(value, Mapping):
        if set(value) == {"$b64"}:
            return base64.b64decode(value["$b64"])
        return {k: from_plain_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [from_plain_json(v) for v in value]
    return value


def _size(value: Any) -> int:
    """Bytes on the wire: binary buffers at their length, the rest as compact JSON."""
    buffers: list[int] = []

    def strip(v: Any) -> Any:
        if isinstance(v, (bytes, bytearray, memoryview)):
            buffers.append(len(bytes(v)))
            return None
        if isinstance(v, Mapping):
            return {k: strip(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [strip(x) for x in v]
        return v

    text = json.dumps(strip(value), separators=(",", ":"), allow_nan=False)
    return len(text.encode()) + sum(buffers)


# ---------------------------------------------------------------------------------------------
# a matplotlib snapshot of a frame (images for documents; the page draws the live view)
# ---------------------------------------------------------------------------------------------
_MPL_MARKERS = {"o": "o", "s": "s", "X": "X", "*": "*", "D": "D", "^": "^", "": None}


def _visible(layer: Layer, step: int, n_steps: int) -> np.ndarray:
    """The points of ``layer`` shown at ``step`` (the page's reveal rule)."""
    xy, n = layer.xy, len(layer.xy)
    if layer.kind == "segments-per-step":
        return layer.chunk(step) if layer.reveal == "at" else xy
    if layer.reveal == "upto":
        return xy[: min(n, step + 1)]
    if layer.reveal == "at":
        k = min(step, n - 1)
        return xy[k : k + 1] if k >= 0 else xy[:0]
    if layer.reveal == "end":
        return xy if step >= n_steps else xy[:0]
    return xy


def snapshot(scene: Scene, frame: Frame, step: int = -1, dpi: float = 100.0) -> Any:
    """A matplotlib Figure showing ``frame`` at ``step`` (-1: the last) over the scene's
    picture: the same panels, reveal rules, styles and legends as the page draws."""
    from matplotlib.figure import Figure
    from matplotlib.image import imread

    k = frame.n_steps if step < 0 or step > frame.n_steps else int(step)
    fig = Figure(figsize=(scene.width / dpi, scene.height / dpi), dpi=dpi)
    fig.figimage(imread(io.BytesIO(scene.image), format="png"), 0, 0, origin="upper",
                 resize=False, zorder=-1)
    for panel in scene.panels:
        x, y, w, h = panel.bbox
        rect = (x / scene.width, 1 - (y + h) / scene.height, w / scene.width, h / scene.height)
        ax = fig.add_axes(rect)
        chart = dict(frame.charts.get(panel.name, {}))
        if panel.kind == "image":
            ax.set_axis_off()
            ax.patch.set_alpha(0)
        else:
            ax.set_title(chart.get("title", panel.title), fontsize=10, pad=4)
            ax.set_xlabel(panel.xlabel)
            ax.grid(alpha=0.25)
            ax.tick_params(labelsize=8)
        if chart.get("ylog", panel.ylog):
            ax.set_yscale("log")
        handles = []
        for layer in frame.layers:
            if layer.panel != panel.name or len(layer.xy) == 0:
                continue
            st = layer.style
            pts = _visible(layer, k, frame.n_steps)
            marker = _MPL_MARKERS.get(st.get("marker", ""), None)
            size = float(st.get("size", 6)) * 72 / dpi
            if layer.kind in ("line", "segments-per-step"):
                (artist,) = ax.plot(pts[:, 0], pts[:, 1], color=st.get("color", "k"),
                                    linewidth=float(st.get("width", 1.5)) * 72 / dpi,
                                    marker=marker, markersize=size, label=st.get("label"))
            else:
                (artist,) = ax.plot(pts[:, 0], pts[:, 1], linestyle="none", marker=marker,
                                    markersize=size, markerfacecolor=st.get("fill", "k"),
                                    markeredgecolor=st.get("edge", "none"),
                                    label=st.get("label"))
            if st.get("dash") and layer.kind != "points":
                artist.set_dashes([float(v) * 72 / dpi for v in st["dash"]])
            if st.get("label") and st["label"] not in {h.get_label() for h in handles} \
                    and len(pts):
                handles.append(artist)
        if panel.kind == "image":
            ax.set_xlim(panel.xlim)
            ax.set_ylim(panel.ylim)
        else:
            if chart.get("xlim"):
                ax.set_xlim(chart["xlim"])
            if chart.get("ylim"):
                ax.set_ylim(chart["ylim"])
        if handles:
            ax.legend(handles=handles, loc="upper right", fontsize=7, framealpha=0.85)
    return fig


def snapshot_png(scene: Scene, frame: Frame, step: int = -1, dpi: float = 100.0) -> bytes:
    """``snapshot`` as a 256-colour palette PNG (the picture a static page shows until its
    script runs, and where scripts are stripped: GitHub, nbviewer)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(snapshot(scene, frame, step, dpi))
    canvas.draw()
    return _png(canvas)
