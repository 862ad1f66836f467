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
           "from_plain_json", "image_png", "ALIGNS"]

#: What a layer shows at step k of Play.
REVEALS = ("all", "upto", "at", "end")
#: How a layer's points are drawn. "segments-per-step": one short polyline per step (NaN
#: breaks it into pieces), step t's being xy[offsets[t]:offsets[t + 1]] (shapes that change
#: shape at every step: eigen-glyphs, a local model's level sets, a cursor). "text": one
#: string per point (``texts``), drawn centred on it (numbers in a graph's boxes, a heat map's
#: cells). "image": pictures in data coordinates (``images``: PNG bytes; ``xy`` = the two
#: corners (x0, y0), (x1, y1) of the extent), one per step with reveal "at" (the last past the
#: end), the last one with "all" (decision boundaries, a probability map as training goes);
#: style ``smooth`` False draws its pixels as squares (an 8×8 digit), not blurred.
KINDS = ("line", "points", "segments-per-step", "text", "image")
#: Kinds of status line (colour of the text).
STATUS_KINDS = ("info", "converged", "diverged", "max_steps", "error")
#: Style keys the page understands (others are refused, so a typo is caught in Python).
STYLE_KEYS = frozenset({"color", "width", "marker", "size", "fill", "edge", "dash", "label",
                        "alpha", "align", "weight", "box", "smooth"})
#: Text alignment of a "text" layer (``style["align"]``).
ALIGNS = ("left", "center", "right")
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
    texts: Sequence[str] | None = None
    images: Sequence[bytes] | None = None

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
        if self.kind == "text":
            texts = tuple(str(t) for t in (self.texts or ()))
            if len(texts) != len(xy):
                raise ValueError(f"a text layer needs one string per point: {len(texts)} texts "
                                 f"for {len(xy)} points")
            if self.style.get("align", "center") not in ALIGNS:
                raise ValueError(f"style: align must be one of {ALIGNS}, got {self.style['align']!r}")
            object.__setattr__(self, "texts", texts)
        elif self.texts is not None:
            raise ValueError(f"texts belong to text layers, not {self.kind!r}")
        if self.kind == "image":
            images = tuple(bytes(b) for b in (self.images or ()))
            if not images or not all(b.startswith(b"\x89PNG") for b in images):
                raise ValueError("an image layer needs images: a non-empty sequence of PNG bytes")
            if xy.shape != (2, 2) or not np.all(np.isfinite(xy)) or xy[0, 0] == xy[1, 0] \
                    or xy[0, 1] == xy[1, 1]:
                raise ValueError(f"an image layer's xy is its extent: two finite corners "
                                 f"(x0, y0), (x1, y1) with x0 != x1 and y0 != y1, got {xy.tolist()}")
            if self.reveal not in ("at", "all"):
                raise ValueError(f"reveal of an image layer must be 'at' or 'all', got {self.reveal!r}")
            object.__setattr__(self, "images", images)
        elif self.images is not None:
            raise ValueError(f"images belong to image layers, not {self.kind!r}")

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
        if self.texts is not None:
            out["texts"] = list(self.texts)
        if self.images is not None:
            out["images"] = list(self.images)
        return out

    def image_at(self, step: int) -> bytes:
        """An image layer's picture at ``step`` (reveal "at": image t, the last past the end;
        "all": the last)."""
        if self.images is None:
            raise ValueError(f"image_at: a {self.kind!r} layer has no images")
        if self.reveal == "all":
            return self.images[-1]
        return self.images[max(0, min(int(step), len(self.images) - 1))]


@dataclass(frozen=True, eq=False)
class Frame:
    """Everything the page needs after one settings change.

    ``n_steps``: Play and the step slider run over 0..n_steps. ``step_ms``: Play's pace for
    runs of a few meaningful steps (a backward sweep): at least this many ms a step (default:
    one step or more a display frame, a whole run in <= 4 s). ``status``: one plain-text line
    (no NaN: callers format numbers), ``kind``: one of ``STATUS_KINDS``. ``charts``: per-frame
    settings of chart panels, e.g. ``{"loss": {"ylog": True, "title": "loss", "xlim": [0, 200]}}``.
    """

    layers: tuple[Layer, ...]
    n_steps: int
    status: str
    kind: str = "info"
    charts: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    step_ms: float | None = None

    def __post_init__(self) -> None:
        if self.step_ms is not None:
            if not (isinstance(self.step_ms, (int, float, np.floating)) and math.isfinite(self.step_ms)
                    and 0 < self.step_ms <= 10_000):
                raise ValueError(f"step_ms must be a number of milliseconds in (0, 10000], "
                                 f"got {self.step_ms!r}")
            object.__setattr__(self, "step_ms", float(self.step_ms))
        if self.kind not in STATUS_KINDS:
            raise ValueError(f"kind must be one of {', '.join(STATUS_KINDS)}, got {self.kind!r}")
        if not isinstance(self.n_steps, (int, np.integer)) or self.n_steps < 0:
            raise ValueError(f"n_steps must be an integer >= 0, got {self.n_steps!r}")
        object.__setattr__(self, "layers", tuple(self.layers))
        object.__setattr__(self, "n_steps", int(self.n_steps))

    def to_json(self) -> dict[str, Any]:
        out = {"layers": [layer.to_json() for layer in self.layers], "n_steps": self.n_steps,
               "status": str(self.status), "kind": self.kind,
               "charts": {k: dict(v) for k, v in self.charts.items()}}
        if self.step_ms is not None:
            out["step_ms"] = self.step_ms
        return out

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


def image_png(values: Any) -> bytes:
    """PNG bytes of an image for an "image" layer: ``values`` is (h, w, 3|4) floats in [0, 1] or
    uint8 (RGB / RGBA), row 0 at the top (as ``imshow(origin="upper")`` shows it)."""
    from PIL import Image
    arr = np.asarray(values)
    if arr.ndim != 3 or arr.shape[2] not in (3, 4) or arr.shape[0] < 1 or arr.shape[1] < 1:
        raise ValueError(f"image_png: values must have shape (h, w, 3) or (h, w, 4), got {arr.shape}")
    if arr.dtype != np.uint8:
        if not np.all(np.isfinite(arr)):
            raise ValueError("image_png: values must be finite")
        arr = np.round(np.clip(arr, 0.0, 1.0) * 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(arr), "RGBA" if arr.shape[2] == 4 else "RGB").save(
        buf, format="png")
    return buf.getvalue()


def _visible_start(layer: Layer, step: int) -> int:
    """Index of the first point ``_visible`` returns (for a text layer's strings)."""
    if layer.reveal == "at":
        return max(0, min(step, len(layer.xy) - 1))
    return 0


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
        if panel.xlog:
            ax.set_xscale("log")
        handles = []
        for layer in frame.layers:
            if layer.panel != panel.name or len(layer.xy) == 0:
                continue
            st = layer.style
            if layer.kind == "image":
                (x0, y0), (x1, y1) = layer.xy
                ax.imshow(imread(io.BytesIO(layer.image_at(k)), format="png"),
                          extent=(x0, x1, y0, y1), origin="upper", aspect="auto",
                          interpolation="nearest" if st.get("smooth", True) is False else "antialiased",
                          alpha=float(st.get("alpha", 1.0)), zorder=0.5)
                continue
            pts = _visible(layer, k, frame.n_steps)
            if layer.kind == "text":
                lo = len(layer.xy) if layer.reveal == "end" and k < frame.n_steps else \
                    _visible_start(layer, k)
                for (tx, ty), text in zip(pts, layer.texts[lo:lo + len(pts)]):
                    if np.isfinite(tx) and np.isfinite(ty):
                        box = st.get("box")
                        ax.text(tx, ty, text, color=st.get("color", "#111"), ha=st.get("align", "center"),
                                va="center", fontsize=float(st.get("size", 11)) * 72 / dpi,
                                fontweight=st.get("weight", "normal"), zorder=3,
                                bbox=dict(facecolor=box, edgecolor="none", pad=1.5) if box else None)
                continue
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
                    and len(pts) and layer.kind not in ("text", "image"):
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
