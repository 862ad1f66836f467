"""Animations that play in JupyterLab and in a static HTML page, without a kernel or a network.

    anim = animate_paths(surface, [p1, p2])   # contour drawn once; path lines and heads move
    to_html(anim)                             # <video> with a base64 H.264 mp4 (ffmpeg)
    html_animation(surface, [p1, p2])         # both at once: display it, or .save("page.html")
    animate_frames(fig, update, frames)       # any figure: training curves, decision boundaries

Why a video: ``to_jshtml`` embeds one image per frame (about 1.5 MB for 100 JPEG frames of a
contour plot, 20 MB as PNG), while H.264 stores what changes between frames: 100 frames of
paths over a contour fit in well under 1 MB. The encoder is the ffmpeg binary shipped by the
``imageio-ffmpeg`` wheel; without it, to_html falls back to a small JavaScript player that
embeds the first frame once and then only transparent PNG overlays of what moved.

Rendering is fast because the background (contour, legend, ticks) is drawn once and each frame
only redraws the moving artists on a copy of it (blitting), then pipes the pixels to ffmpeg.
The figure is closed after rendering, so a notebook shows the animation and no stray image.
The HTML is deterministic: the same animation gives the same bytes (notebook checks compare it).

Text alternative (WCAG 2.1, success criteria 1.1.1 and 1.2.1: a silent video needs a text that
says what it shows): the video, or the player's picture, is labelled ``Animation, N frames: <the
figure's title>`` and described (``aria-describedby``) by a paragraph under it, folded in a
``<details>``: the number of frames, the rate and duration, and ``gradlib.figalt``'s description
of the first and the last frame (titles, axes, every labelled line and where it goes, the text
written on the plot, such as a step counter).
"""
from __future__ import annotations

import base64
import hashlib
import html as html_lib
import re
import shutil
import subprocess
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path as FilePath
from typing import Any

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from . import _checks as check
from . import plots

__all__ = ["play_animation", "HTMLAnimation", "FrameAnimation", "PathAnimation", "animate_paths", "to_html",
           "html_animation", "animate_frames", "ffmpeg_exe", "MAX_FRAMES"]

#: Most frames an animation may have: the size budget (<= 1 MB embedded) is stated for 100.
MAX_FRAMES = 100
#: H.264 constant rate factor: 0 lossless ... 51 worst; 28 keeps thin lines sharp at 72 dpi.
DEFAULT_CRF = 28
#: JPEG quality of the JavaScript fallback's frames.
DEFAULT_JPEG_QUALITY = 60
_FORMATS = ("video", "jshtml")


# -- the result ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class HTMLAnimation:
    """An animation embedded in one HTML fragment; a notebook displays it via ``_repr_html_``.

    ``fmt`` is what was produced: "video" (an HTML5 <video> with a base64 mp4) or "jshtml"
    (JavaScript frames, used when ffmpeg is missing or asked for). ``seconds`` is the time it
    took to render and encode.
    """
    html: str
    fmt: str
    frames: int
    seconds: float = field(compare=False)

    @property
    def nbytes(self) -> int:
        """Size of the embedded HTML in bytes (what it adds to a notebook or a page)."""
        return len(self.html.encode("utf-8"))

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:  # the html itself is far too long to print
        return f"HTMLAnimation(fmt={self.fmt!r}, frames={self.frames}, nbytes={self.nbytes})"

    def save(self, path: str | FilePath, title: str = "gradlib animation") -> FilePath:
        """Write a standalone HTML page holding this animation; returns the path."""
        path = FilePath(path)
        path.write_text("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\">"
                        f"<title>{html_lib.escape(title)}</title></head>\n<body>\n"
                        f"{self.html}\n</body></html>\n", encoding="utf-8")
        return path


# -- animations that remember their frames ------------------------------------------------------
class FrameAnimation(FuncAnimation):
    """A FuncAnimation over a fixed list of frames that `to_html` can encode quickly.

    ``update(frame)`` moves artists and returns the ones it changed. With ``blit=True`` those
    must be the ONLY things that change between frames: the rest is drawn once as background.
    """

    def __init__(self, fig: Figure, update: Callable[[Any], Sequence[Artist]],
                 frames: Sequence[Any], *, interval: float = 100.0, blit: bool = False) -> None:
        self.figure = fig
        self.update = update
        self.frame_data = tuple(frames)
        self.interval = float(interval)
        self.blit = bool(blit)
        self.html_cache: dict[tuple, HTMLAnimation] = {}
        super().__init__(fig, update, frames=self.frame_data, interval=interval, blit=blit,
                         repeat=True, cache_frame_data=False)

    def detach(self) -> None:
        """Stop the animation from starting its timer on the next draw (matplotlib starts it on
        the figure's first draw_event): we draw the frames ourselves while encoding."""
        self.figure.canvas.mpl_disconnect(self._first_draw_id)

    def _repr_html_(self) -> str:
        """Displayed in a notebook: encoded with `to_html` (figure closed, result cached)."""
        return to_html(self).html

    def mark_rendered(self) -> None:
        """Tell matplotlib this animation was rendered (silences its 'deleted without
        rendering anything' warning when we encoded it through our own frame loop)."""
        self._draw_was_started = True


class PathAnimation(FrameAnimation):
    """`animate_paths`'s animation; keeps handles to its artists.

    Frame data are step numbers: at step t path i shows xs[:min(t, k_i) + 1] and its head sits at
    xs[min(t, k_i)], where k_i is its last kept step. A diverged run stops there; from step k_i + 1
    (the step that blew up) its head is an X and the counter says so. ``update(t)`` moves the
    artists to step t and returns them.
    """
    trails: list[Line2D]
    heads: list[Line2D]
    counter: Text
    contour: plots.ContourResult


def ffmpeg_exe() -> str | None:
    """Path of an ffmpeg binary: the imageio-ffmpeg wheel's, else one on PATH, else None."""
    try:
        import imageio_ffmpeg
        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError, OSError):
        return shutil.which("ffmpeg")


# -- paths on a contour -----------------------------------------------------------------------
def _step_frames(last_step: int, frames: int | None) -> np.ndarray:
    """Steps shown by each frame: 0 .. last_step, evenly subsampled to at most `frames`."""
    most = MAX_FRAMES if frames is None else check.integer("frames", frames, 1, MAX_FRAMES)
    count = min(last_step + 1, most)
    return np.unique(np.round(np.linspace(0, last_step, count)).astype(int))


def animate_paths(surface: Any, paths: Any, *, frames: int | None = None,
                  interval: float = 100.0, figsize: tuple[float, float] = (6, 5),
                  dpi: float = 72, labels: Sequence[str] | None = None,
                  colors: Sequence[str] | None = None, levels: int | Sequence[float] = 30,
                  title: str | None = None, blit: bool = True) -> PathAnimation:
    """Descent paths moving over the surface's contour, step by step, all together.

    The contour, minima, start markers and legend are drawn once; each frame moves every path's
    trail (x_0 .. x_t) and head (x_t) and the "step t / T" counter. Paths of different lengths
    are fine: a path that stopped (converged or diverged) stays at its last point. With more than
    ``frames`` steps (default: at most MAX_FRAMES), frames show evenly spaced steps.
    """
    items = plots._path_list(paths)
    xs_list = [plots._xs(p, f"paths[{i}]") for i, p in enumerate(items)]
    plots._window(surface)
    interval = check.positive("interval", interval)
    dpi = check.positive("dpi", dpi)
    labels, colors = plots._labels_and_colors(items, labels, colors)
    diverged = [plots._diverged(p) for p in items]
    # a diverged run of k+1 kept points blew up at step k+1: the frames reach that step too
    last_step = max(len(xs) - 1 + div for xs, div in zip(xs_list, diverged))
    steps = _step_frames(last_step, frames)

    with plt.ioff():
        fig, ax = plt.subplots(figsize=figsize, dpi=dpi, layout="constrained")
    result = plots.contour(surface, ax, levels=levels)
    plots.minima(surface, ax)
    trails, heads = [], []
    for xs, label, color in zip(xs_list, labels, colors):
        ax.plot(xs[:1, 0], xs[:1, 1], linestyle="none", marker="o", markersize=8,
                markerfacecolor="white", markeredgecolor=color, markeredgewidth=2, zorder=5)
        (trail,) = ax.plot(xs[:1, 0], xs[:1, 1], color=color, marker="o", markersize=2.5,
                           linewidth=1.5, label=label, zorder=6)
        (head,) = ax.plot(xs[:1, 0], xs[:1, 1], linestyle="none", marker="o", markersize=9,
                          markerfacecolor=color, markeredgecolor="k", zorder=7)
        trails.append(trail)
        heads.append(head)
    ax.legend(handles=trails, loc="upper right", fontsize="small", framealpha=0.85)
    heading = title if title is not None else (getattr(surface, "title", None)
                                               or getattr(surface, "name", None))
    if heading:
        ax.set_title(str(heading))
    counter = ax.text(0.02, 0.97, "", transform=ax.transAxes, va="top", ha="left",
                      fontsize="small", family="monospace", zorder=8,
                      bbox=dict(boxstyle="round,pad=0.25", facecolor="white", alpha=0.85,
                                edgecolor="none"))
    width = len(str(last_step))
    (x0, x1), (y0, y1) = plots._window(surface)

    def pin(v: float, lo: float, hi: float) -> float:
        # inside the window: v itself; outside: just inside the nearest edge (fully visible)
        pad = 0.01 * (hi - lo)
        return v if lo <= v <= hi else min(max(v, lo + pad), hi - pad)

    def update(step: int) -> list[Artist]:
        # At step t each path shows x_0 .. x_min(t, k_i); a finished path stays at its end.
        # A head outside the window is pinned just inside its edge, so a runaway run stays
        # visible (its trail shows the direction it went).
        notes = []
        for xs, trail, head, div, label in zip(xs_list, trails, heads, diverged, labels):
            k = min(int(step), len(xs) - 1)
            trail.set_data(xs[:k + 1, 0], xs[:k + 1, 1])
            head.set_data([pin(xs[k, 0], x0, x1)], [pin(xs[k, 1], y0, y1)])
            stopped = div and int(step) > len(xs) - 1
            head.set_marker("X" if stopped else "o")
            if stopped:
                notes.append(f"{label}: diverged at step {len(xs)}")
        counter.set_text("\n".join([f"step {int(step):>{width}d} / {last_step}", *notes]))
        return [*trails, *heads, counter]

    anim = PathAnimation(fig, update, [int(s) for s in steps], interval=interval, blit=blit)
    anim.trails, anim.heads, anim.counter, anim.contour = trails, heads, counter, result
    update(int(steps[0]))
    return anim


# -- encoding ---------------------------------------------------------------------------------
def _x264_args(crf: int) -> list[str]:
    """Output options: H.264 in yuv420p (plays in every browser), tuned for flat graphics,
    index at the front (playback starts at once), no timestamps, one encoder thread (x264
    writes its thread count into the stream: fixing it keeps the bytes independent of the
    number of cores)."""
    return ["-c:v", "libx264", "-preset", "medium", "-tune", "animation", "-crf", str(crf),
            "-threads", "1",
            "-pix_fmt", "yuv420p", "-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-movflags", "+faststart", "-map_metadata", "-1",
            "-fflags", "+bitexact", "-flags:v", "+bitexact"]


def _render_frames(anim: FrameAnimation, sink: Callable[[memoryview], None],
                   seen: dict[str, str] | None = None) -> None:
    """Draw every frame of `anim` on its Agg canvas and hand the RGBA pixels to `sink`; with
    ``seen``, store the description of the first and the last frame under "first" and "last".

    blit: draw the background once without the moving artists, then per frame restore it and
    draw only the artists `update` returned. Otherwise: a full draw per frame.
    """
    fig, canvas = anim.figure, anim.figure.canvas
    last = len(anim.frame_data) - 1

    def note(k: int) -> None:
        if seen is not None and k in (0, last):
            seen["first" if k == 0 else "last"] = _describe(fig)
            if k == 0:
                seen["title"] = _title(fig)
            if k == last and last == 0:
                seen["last"] = seen["first"]

    anim.detach()
    if not anim.blit:
        for k, frame in enumerate(anim.frame_data):
            anim.update(frame)
            canvas.draw()
            sink(canvas.buffer_rgba())
            note(k)
        return
    moving = list(anim.update(anim.frame_data[0]))
    for a in moving:
        a.set_animated(True)
    try:
        canvas.draw()
        background = canvas.copy_from_bbox(fig.bbox)
        for k, frame in enumerate(anim.frame_data):
            canvas.restore_region(background)
            for a in sorted(anim.update(frame), key=lambda a: a.get_zorder()):
                fig.draw_artist(a)
            sink(canvas.buffer_rgba())
            note(k)
    finally:
        for a in moving:
            a.set_animated(False)


def _encode_video(anim: FuncAnimation, exe: str, crf: int, fps: float,
                  seen: dict[str, str]) -> tuple[bytes, int, int]:
    """The animation as mp4 bytes (H.264), with its frame width and height in pixels; the
    first and last frames' descriptions go into ``seen``."""
    with tempfile.TemporaryDirectory(prefix="gradlib-anim-") as tmp:
        out = FilePath(tmp, "anim.mp4")
        if isinstance(anim, FrameAnimation) and isinstance(anim.figure.canvas, FigureCanvasAgg):
            w, h = anim.figure.canvas.get_width_height(physical=True)
            cmd = [exe, "-hide_banner", "-loglevel", "error", "-f", "rawvideo",
                   "-pix_fmt", "rgba", "-s", f"{w}x{h}", "-framerate", f"{fps:g}", "-i", "pipe:0",
                   *_x264_args(crf), "-y", str(out)]
            with open(FilePath(tmp, "ffmpeg.log"), "wb") as log:
                proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                        stderr=log)
                try:
                    _render_frames(anim, proc.stdin.write, seen)
                except BrokenPipeError:
                    pass                      # ffmpeg stopped early; its log says why (below)
                finally:
                    try:
                        proc.stdin.close()
                    except BrokenPipeError:
                        pass
                    code = proc.wait()
            if code != 0:
                message = FilePath(tmp, "ffmpeg.log").read_text(errors="replace").strip()
                raise RuntimeError(f"ffmpeg failed (exit {code}): {message[-500:]}")
            anim.mark_rendered()
        else:   # any other FuncAnimation: matplotlib's own save loop, same encoder settings
            from matplotlib.animation import FFMpegWriter
            writer = FFMpegWriter(fps=fps, codec="libx264", bitrate=-1,
                                  extra_args=_x264_args(crf)[2:])     # [2:]: codec given here
            with mpl.rc_context({"animation.ffmpeg_path": exe}):
                anim.save(str(out), writer=writer)
            seen["last"], seen["title"] = _describe(anim._fig), _title(anim._fig)
            w, h = writer.frame_size
        return out.read_bytes(), int(w), int(h)


def _video_html(data: bytes, width: int, height: int, label: str, text_id: str) -> str:
    video = base64.b64encode(data).decode("ascii")
    return (f'<video width="{width}" height="{height}" style="max-width:100%;height:auto" '
            f'controls loop autoplay muted playsinline aria-label="{html_lib.escape(label)}" '
            f'aria-describedby="{text_id}">\n'
            f'  <source type="video/mp4" src="data:video/mp4;base64,{video}">\n'
            f'  Your browser cannot play this H.264 video.\n</video>')


# -- the text alternative ---------------------------------------------------------------------------
def _describe(fig: Figure) -> str:
    """``figalt.describe_figure``; a figure it cannot read gets an honest generic text (and a
    warning) rather than costing the reader the animation."""
    from . import figalt
    try:
        return figalt.describe_figure(fig)
    except Exception as error:     # noqa: BLE001 - never lose the animation over its caption
        warnings.warn(f"gradlib.animate: no description of the figure ({type(error).__name__}: "
                      f"{error})", RuntimeWarning, stacklevel=3)
        return "A matplotlib figure (no description could be built from it)."


def _title(fig: Figure) -> str:
    """The figure's title, else its first panel's ("" for neither), as a reader hears it."""
    from . import figalt
    suptitle = getattr(fig, "_suptitle", None)
    titles = [suptitle.get_text()] if suptitle is not None else []
    titles += [ax.get_title() for ax in fig.axes]
    return figalt.plain_text(next((t for t in titles if t and t.strip()), ""))


def _label(frames: int, title: str) -> str:
    """The short accessible name: 'Animation, 100 frames: <title at the first frame>'."""
    return f"Animation, {frames} frame{'s' * (frames != 1)}" + (f": {title}" if title else "")


def _description(frames: int, fps: float, seen: dict[str, str]) -> str:
    """What the animation shows, for the paragraph under it."""
    seconds = frames / fps
    text = (f"Animation of {frames} frame{'s' * (frames != 1)} at {fps:.3g} frames a second "
            f"({seconds:.3g} s), looping.")
    first, last = seen.get("first"), seen.get("last")
    if first and last and first == last:
        return f"{text} Every frame: {first}"
    if first:
        text += f" First frame: {first}"
    if last:
        text += f" Last frame: {last}"
    return text


def _text_html(text_id: str, text: str) -> str:
    return ('\n<details class="gradlib-animation-text"><summary>Text description of the '
            f'animation</summary>\n<p id="{text_id}">{html_lib.escape(text, quote=False)}</p>\n</details>')


def _png(image: Any) -> str:
    from io import BytesIO
    buffer = BytesIO()
    image.save(buffer, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _overlay(frame: np.ndarray, under: np.ndarray) -> str | None:
    """A transparent PNG holding the pixels of `frame` that differ from `under` (None: none do),
    in a 255-color palette: thin lines on a transparent sheet compress to a few KB."""
    from PIL import Image
    changed = np.any(frame != under, axis=-1)
    if not changed.any():
        return None
    sheet = np.zeros(frame.shape[:2] + (4,), dtype=np.uint8)
    sheet[changed, :3] = frame[changed]
    sheet[changed, 3] = 255
    return _png(Image.fromarray(sheet).quantize(255, method=Image.Quantize.FASTOCTREE))


def _encode_player(anim: FrameAnimation, fps: float, seen: dict[str, str]) -> str:
    """A small JavaScript player made of three stacked images: the first frame (PNG), a key
    overlay every KEY_EVERY frames (what differs from the first frame), and a delta overlay per
    frame (what differs from its key frame). Any frame shows at once, without replaying the ones
    before it, and each overlay holds only what moved. No network, no random ids."""
    from PIL import Image
    if not isinstance(anim.figure.canvas, FigureCanvasAgg):
        FigureCanvasAgg(anim.figure)                 # render off-screen with Agg
    first: list[np.ndarray] = []
    key: list[np.ndarray] = []
    keys: list[str | None] = []
    frames: list[tuple[int, str | None]] = []

    def sink(buffer: memoryview) -> None:
        frame = np.asarray(buffer)[..., :3]
        if not first:
            first.append(frame.copy())
        if len(frames) % _KEY_EVERY == 0:
            key[:] = [frame.copy()]
            keys.append(_overlay(frame, first[0]))
        frames.append((len(keys) - 1, _overlay(frame, key[0])))

    _render_frames(anim, sink, seen)
    anim.mark_rendered()
    height, width = first[0].shape[:2]
    background = _png(Image.fromarray(first[0]))            # exact: drawn once, kept sharp
    js = lambda uri: "null" if uri is None else f'"{uri}"'   # noqa: E731
    keys_js = ",\n".join(js(k) for k in keys)
    frames_js = ",\n".join(f"[{k}, {js(d)}]" for k, d in frames)
    uid = "gradlib-anim-" + hashlib.sha1(
        (background + keys_js + frames_js).encode("ascii")).hexdigest()[:12]
    label = html_lib.escape(_label(len(frames), seen.get("title", "")))
    return (_PLAYER.format(uid=uid, width=width, height=height, background=background,
                           keys=keys_js, frames=frames_js, count=len(frames),
                           last=len(frames) - 1, delay=max(1, round(1000.0 / fps)), label=label)
            + _text_html(f"{uid}-text", _description(len(frames), fps, seen)))


_KEY_EVERY = 10
_PLAYER = """<div id="{uid}" style="display:inline-block;max-width:100%;font-family:sans-serif">
<div style="position:relative;max-width:100%;width:{width}px">
<img src="{background}" width="{width}" height="{height}" alt="{label}"
 aria-describedby="{uid}-text" style="display:block;width:100%;height:auto">
<img class="gl-key" alt="" width="{width}" height="{height}"
 style="position:absolute;left:0;top:0;width:100%;height:auto;visibility:hidden">
<img class="gl-delta" alt="" width="{width}" height="{height}"
 style="position:absolute;left:0;top:0;width:100%;height:auto;visibility:hidden">
</div>
<div style="display:flex;align-items:center;gap:4px;margin-top:2px">
<button class="gl-first" title="first frame" aria-label="first frame">|&#9664;</button>
<button class="gl-prev" title="previous frame" aria-label="previous frame">&#9664;&#9664;</button>
<button class="gl-play" title="play / pause" aria-label="play / pause">&#10073;&#10073;</button>
<button class="gl-next" title="next frame" aria-label="next frame">&#9654;&#9654;</button>
<input class="gl-slider" type="range" min="0" max="{last}" value="0" style="flex:1"
 aria-label="frame">
<span class="gl-label" style="font-size:small;min-width:6em;text-align:right">1 / {count}</span>
</div>
</div>
<script>
(function () {{
  var root = document.getElementById("{uid}");
  if (document.currentScript && document.currentScript.previousElementSibling) {{
    root = document.currentScript.previousElementSibling;
  }}
  var keys = [
{keys}
  ];
  var frames = [
{frames}
  ];
  var q = function (c) {{ return root.querySelector(c); }};
  var key = q(".gl-key"), delta = q(".gl-delta"), slider = q(".gl-slider");
  var label = q(".gl-label"), play = q(".gl-play"), current = 0, timer = null, cache = [];
  keys.concat(frames.map(function (f) {{ return f[1]; }})).forEach(function (uri) {{
    if (uri) {{ var im = new Image(); im.src = uri; cache.push(im); }}   // decode once, early
  }});
  function layer(img, uri) {{
    if (uri) {{ img.src = uri; img.style.visibility = "visible"; }}
    else {{ img.style.visibility = "hidden"; }}
  }}
  function show(k) {{
    current = (k + frames.length) % frames.length;
    layer(key, keys[frames[current][0]]);
    layer(delta, frames[current][1]);
    slider.value = current;
    label.textContent = (current + 1) + " / " + frames.length;
  }}
  function start() {{
    if (timer === null) {{ timer = setInterval(function () {{ show(current + 1); }}, {delay}); }}
    play.innerHTML = "&#10073;&#10073;";
  }}
  function stop() {{
    if (timer !== null) {{ clearInterval(timer); timer = null; }}
    play.innerHTML = "&#9654;";
  }}
  play.onclick = function () {{ if (timer === null) {{ start(); }} else {{ stop(); }} }};
  q(".gl-first").onclick = function () {{ stop(); show(0); }};
  q(".gl-prev").onclick = function () {{ stop(); show(current - 1); }};
  q(".gl-next").onclick = function () {{ stop(); show(current + 1); }};
  slider.oninput = function () {{ stop(); show(parseInt(slider.value, 10)); }};
  show(0);
  start();
}})();
</script>"""


def _encode_jshtml(anim: FuncAnimation, fps: float, quality: int,
                   embed_limit: float | None, frames: int) -> str:
    """matplotlib's JavaScript player with JPEG frames (for animations not built here), its
    random element id replaced by a hash of the content so the text is stable; its picture
    labelled and described, its slider named."""
    with tempfile.TemporaryDirectory(prefix="gradlib-anim-") as tmp:
        out = FilePath(tmp, "anim.html")
        writer = HTMLWriter(fps=fps, embed_frames=True, default_mode="loop",
                            embed_limit=embed_limit)
        writer.frame_format = "jpeg"
        anim.save(str(out), writer=writer, savefig_kwargs={"pil_kwargs": {"quality": quality}})
        text = out.read_text()
    fig = anim._fig
    label = html_lib.escape(_label(frames, _title(fig)))
    uids = set(re.findall(r"_anim_img([0-9a-f]{32})", text))
    for uid in uids:
        text = text.replace(f'<img id="_anim_img{uid}">',
                            f'<img id="_anim_img{uid}" alt="{label}" aria-describedby="_anim_text{uid}">')
        text = text.replace(f'<input id="_anim_slider{uid}" ',
                            f'<input id="_anim_slider{uid}" aria-label="frame" ')
        text += _text_html(f"_anim_text{uid}", _description(frames, fps, {"last": _describe(fig)}))
    for uid in uids:
        digest = hashlib.sha1(text.replace(uid, "").encode("utf-8")).hexdigest()[:32]
        text = text.replace(uid, digest)
    return text


def to_html(anim: FuncAnimation, *, fmt: str = "video", crf: int = DEFAULT_CRF,
            jpeg_quality: int = DEFAULT_JPEG_QUALITY, embed_limit: float | None = None,
            close: bool = True) -> HTMLAnimation:
    """Encode an animation into HTML that plays without a kernel or a network.

    fmt="video": an HTML5 <video controls loop autoplay muted playsinline> holding a base64 H.264
    mp4 (ffmpeg from imageio-ffmpeg). fmt="jshtml", or "video" when no ffmpeg is found (with a
    UserWarning): a JavaScript player; for animations made here (`FrameAnimation`) a PNG of the
    first frame plus transparent PNG overlays of what moved, for any other FuncAnimation
    matplotlib's player with JPEG frames (``jpeg_quality``). ``crf`` is x264's quality (lower is
    sharper and larger). ``embed_limit`` (MB, default rcParams "animation.embed_limit") caps the
    size: a bigger result raises ValueError. The figure is closed afterwards unless
    ``close=False``. Encoding the same animation again returns the cached result. Either format
    carries a text alternative: an accessible name and a described-by paragraph (module doc).
    """
    if not isinstance(anim, FuncAnimation):
        raise ValueError(f"anim must be a matplotlib FuncAnimation, got {type(anim).__name__}")
    fmt = check.one_of("fmt", fmt, _FORMATS)
    crf = check.integer("crf", crf, 0, 51)
    jpeg_quality = check.integer("jpeg_quality", jpeg_quality, 1, 95)
    limit_mb = check.positive("embed_limit", mpl.rcParams["animation.embed_limit"]
                               if embed_limit is None else embed_limit)
    ours = isinstance(anim, FrameAnimation)
    interval = anim.interval if ours else getattr(anim, "_interval", 100.0)
    fps = 1000.0 / float(interval)
    key = (fmt, crf, jpeg_quality, limit_mb)
    cache = getattr(anim, "html_cache", None)
    if cache is not None and key in cache:
        return cache[key]
    fig = anim.figure if ours else anim._fig
    t0 = time.perf_counter()
    exe = ffmpeg_exe() if fmt == "video" else None
    if fmt == "video" and exe is None:
        warnings.warn("no ffmpeg found (install imageio-ffmpeg): falling back to JavaScript "
                      "frames, which are larger", UserWarning, stacklevel=2)
    frames = len(anim.frame_data) if ours else int(getattr(anim, "_save_count", 0) or 0)
    seen: dict[str, str] = {}
    try:
        if exe is not None:
            data, w, h = _encode_video(anim, exe, crf, fps, seen)
            text_id = "gradlib-anim-" + hashlib.sha1(data).hexdigest()[:12] + "-text"
            html = (_video_html(data, w, h, _label(frames, seen.get("title", "")), text_id)
                    + _text_html(text_id, _description(frames, fps, seen)))
            used = "video"
        elif isinstance(anim, FrameAnimation):
            html = _encode_player(anim, fps, seen)
            used = "jshtml"
        else:
            html = _encode_jshtml(anim, fps, jpeg_quality, limit_mb, frames)
            used = "jshtml"
        if len(html) > limit_mb * 1024 * 1024:
            raise ValueError(f"embed_limit: the animation is {len(html) / 2**20:.2f} MB, above "
                             f"the limit of {limit_mb:g} MB; use fewer frames, a lower dpi"
                             + (" or a higher crf" if used == "video" else ""))
    finally:
        if close:
            plt.close(fig)
    result = HTMLAnimation(html, used, frames, time.perf_counter() - t0)
    if cache is not None:
        cache[key] = result
    return result


def html_animation(surface: Any, paths: Any, *, fmt: str = "video", crf: int = DEFAULT_CRF,
                   embed_limit: float | None = None, **kwargs: Any) -> HTMLAnimation:
    """`animate_paths(surface, paths, **kwargs)` then `to_html`: paths to an embeddable
    animation in one call (display it in a notebook, or ``.save("page.html")``)."""
    check.one_of("fmt", fmt, _FORMATS)
    return to_html(animate_paths(surface, paths, **kwargs), fmt=fmt, crf=crf,
                   embed_limit=embed_limit)


def animate_frames(fig: Figure, update: Callable[[Any], Sequence[Artist] | None],
                   frames: int | Sequence[Any], *, interval: float = 100.0, blit: bool = False,
                   fmt: str = "video", crf: int = DEFAULT_CRF,
                   jpeg_quality: int = DEFAULT_JPEG_QUALITY,
                   embed_limit: float | None = None) -> HTMLAnimation:
    """Any figure as an embedded animation: ``update(frame)`` is called for each frame
    (0 .. frames-1, or each item of ``frames``) before it is captured.

    With ``blit=True``, ``update`` must return every artist it changed and nothing else may
    change (axes limits, titles): the background is drawn once. Default: full redraws, always
    right (autoscaling axes, new titles), a little slower. The figure is closed afterwards.
    """
    if not isinstance(fig, Figure):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    if not callable(update):
        raise ValueError(f"update must be a callable of one frame, got {type(update).__name__}")
    if check.is_integer(frames):
        frame_list: list[Any] = list(range(check.integer("frames", frames, 1, MAX_FRAMES)))
    else:
        try:
            frame_list = list(frames)
        except TypeError:
            raise ValueError(f"frames must be a count or a sequence of frame values, "
                             f"got {type(frames).__name__}") from None
        if not frame_list:
            raise ValueError("frames must not be empty")
        check.integer("frames", len(frame_list), 1, MAX_FRAMES)
    interval = check.positive("interval", interval)
    check.one_of("fmt", fmt, _FORMATS)

    def step(frame: Any) -> list[Artist]:
        changed = update(frame)
        return list(changed) if changed is not None else []

    if blit:
        probe = step(frame_list[0])
        if not probe or not all(isinstance(a, Artist) for a in probe):
            raise ValueError("update must return the artists it changed when blit=True")
    anim = FrameAnimation(fig, step, frame_list, interval=interval, blit=blit)
    return to_html(anim, fmt=fmt, crf=crf, jpeg_quality=jpeg_quality, embed_limit=embed_limit)


# ---------------------------------------------------------------------------------------------
# An explorer's Play as a video (for pages that strip scripts: GitHub, some LMSs)
# ---------------------------------------------------------------------------------------------
def _animated(layer: Any) -> bool:
    """Whether ``play_animation`` redraws a layer at every video frame: lines and markers whose
    reveal rule is not "all", and one-text-per-step layers (reveal "at")."""
    if layer.kind == "text":
        return layer.reveal == "at"
    return layer.kind != "image" and layer.reveal != "all"


def _legend_only(layer: Any) -> Any:
    """A layer that draws nothing but keeps its legend entry (one non-finite point)."""
    from .scene import Layer
    kind = "line" if layer.kind == "segments-per-step" else layer.kind
    return Layer(layer.panel, [[np.nan, np.nan]], kind, "all", layer.style)


def _artist(ax: Axes, layer: Any, dpi: float) -> Any:
    """An empty matplotlib artist styled like ``scene.snapshot`` draws ``layer``."""
    st, px = layer.style, 72.0 / dpi
    if layer.kind == "text":
        return ax.text(np.nan, np.nan, "", color=st.get("color", "#111"), ha=st.get("align", "center"),
                       va="center", fontsize=float(st.get("size", 11)) * px,
                       fontweight=st.get("weight", "normal"), animated=True)
    if layer.kind == "points":
        return ax.plot([], [], linestyle="none", marker=st.get("marker", "o") or None,
                       markersize=float(st.get("size", 6)) * px, markerfacecolor=st.get("fill", "k"),
                       markeredgecolor=st.get("edge", "none"), alpha=st.get("alpha"), animated=True)[0]
    line = ax.plot([], [], color=st.get("color", "k"), alpha=st.get("alpha"),
                   linewidth=float(st.get("width", 1.5)) * px, animated=True)[0]
    if st.get("dash"):
        line.set_dashes([float(v) * px for v in st["dash"]])
    return line


def play_animation(scene: Any, frame: Any, frames: int = 25, *, interval: float = 160.0,
                   dpi: float = 72.0) -> Any:
    """An explorer's Play as an embedded video (``animate_frames``): ``scene`` and ``frame``
    (``gradlib.scene``) shown at ``frames`` steps evenly spread over 0 .. frame.n_steps (the last
    one included), at ``dpi``.

    What does not move (the scene, layers revealed "all", the legends, and any image layer at
    its last picture) is drawn once by ``scene.snapshot``; each video frame redraws only the
    moving lines, markers and per-step texts, with ``scene.snapshot``'s reveal rule and styles,
    on one transparent axes per panel that shares the snapshot axes' placement and limits."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from .scene import _visible, _visible_start, snapshot

    frames = check.integer("frames", frames, 1, MAX_FRAMES)
    steps = sorted({int(round(t)) for t in np.linspace(0, frame.n_steps, frames)})
    still = replace(frame, layers=tuple(_legend_only(lay) if _animated(lay) else lay
                                        for lay in frame.layers
                                        if not (_animated(lay) and lay.kind == "text")))
    fig = snapshot(scene, still, frame.n_steps, dpi)
    FigureCanvasAgg(fig).draw()
    under = dict(zip((p.name for p in scene.panels), fig.axes))
    overlays: dict[str, Axes] = {}
    artists = []
    for layer in frame.layers:
        if not _animated(layer) or layer.panel not in under:
            continue
        if layer.panel not in overlays:
            base = under[layer.panel]
            ax = overlays[layer.panel] = fig.add_axes(base.get_position(), sharex=base,
                                                      sharey=base, label=f"play-{layer.panel}")
            ax.set_axis_off()
            ax.patch.set_alpha(0)
        artists.append((layer, _artist(overlays[layer.panel], layer, dpi)))

    def show(step: int) -> list[Any]:
        for layer, art in artists:
            pts = _visible(layer, step, frame.n_steps)
            if layer.kind != "text":
                art.set_data(pts[:, 0], pts[:, 1])
                continue
            ok = len(pts) and np.all(np.isfinite(pts[0]))
            art.set_position(tuple(pts[0]) if ok else (np.nan, np.nan))
            art.set_text(layer.texts[_visible_start(layer, step)] if ok else "")
        return [art for _, art in artists]

    return animate_frames(fig, show, steps, interval=interval, blit=True)
