"""Text alternatives for figures (WCAG 2.1, success criterion 1.1.1): every picture a notebook
shows carries a description built from the figure itself.

    describe_figure(fig)     "Two panels side by side. Left, 'Paths': filled contour plot ..."
    install()                figures shown in an IPython kernel carry that text as their alt

What a description says, read off the figure's artists (nothing is guessed): the figure's title;
how many panels and where each one is; per panel its title, its kind (line plot, filled contour
plot, scatter plot, bar chart, image, 3-D surface ...), every labelled mark (lines, points,
shaded bands) and where each line goes (from (x0, y0) to (x1, y1); a curve of x adds the range
of y beyond its ends, a path its number of points), reference lines (horizontal line at y = 2),
text written on the plot, the legend's entries not named already, each axis's label, range and
scale, and the colour bar's label and range. Unlabelled marks are counted, not guessed at. A
figure with nothing in it says so. Mathtext is read as text ($\\nabla f$ is ∇f).

How the text reaches a page. IPython builds every output through ``DisplayFormatter.format``:
first the *mime-bundle formatter*, then one formatter per MIME type; a per-MIME formatter that
returns metadata replaces the bundle's metadata for that type, one that returns only data keeps
it. ``install()`` registers a mime-bundle formatter for ``matplotlib.figure.Figure`` that returns
no data and the metadata ``{"image/png": {"alt": text}, ..., "alt": text}``. The pixels still come
from the inline backend's own formatter (PNG, or whatever ``InlineBackend.figure_formats``
says), which the backend re-registers whenever it is activated (``select_figure_formats`` pops
every per-MIME formatter of Figure, not the mime-bundle one, so the order of ``import gradlib``
and ``%matplotlib inline`` does not matter). Every path the inline backend shows a figure by
(``plt.show()``, the end-of-cell ``flush_figures``, ``display(fig)``, a figure as a cell's last
expression) goes through ``format``, so each gets the alt. The retina format returns its own
width/height metadata for image/png, replacing ours there: the top-level ``"alt"`` is what
nbconvert falls back to then (``get_metadata("alt", "image/png")`` reads the MIME type's entry,
then the top level). nbconvert's *lab* HTML template does not read ``alt`` at all;
``gradlib.handouts`` uses a template that does.
"""
from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Sequence
from typing import Any

__all__ = ["describe_figure", "install", "uninstall", "alt_metadata", "plain_text"]

#: MIME types a figure may be shown as (the inline backend's figure formats) that get the alt.
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")
#: At most this many items are named in one list (lines, texts, legend entries); the rest counted.
MOST_NAMED = 8
#: Longest piece of text quoted from a figure (a title, a label, a text mark).
LONGEST_QUOTE = 80

_NUMBER_WORDS = {2: "Two", 3: "Three", 4: "Four", 5: "Five", 6: "Six", 7: "Seven", 8: "Eight",
                 9: "Nine", 10: "Ten", 11: "Eleven", 12: "Twelve"}

# -- text as a reader hears it ---------------------------------------------------------------------
_TEX = {r"\alpha": "α", r"\beta": "β", r"\gamma": "γ", r"\delta": "δ", r"\Delta": "Δ",
        r"\epsilon": "ε", r"\varepsilon": "ε", r"\eta": "η", r"\theta": "θ", r"\lambda": "λ",
        r"\mu": "μ", r"\nu": "ν", r"\pi": "π", r"\rho": "ρ", r"\sigma": "σ", r"\Sigma": "Σ",
        r"\tau": "τ", r"\phi": "φ", r"\varphi": "φ", r"\omega": "ω", r"\nabla": "∇",
        r"\partial": "∂", r"\cdot": "·", r"\times": "×", r"\leq": "≤", r"\le": "≤",
        r"\geq": "≥", r"\ge": "≥", r"\neq": "≠", r"\approx": "≈", r"\infty": "∞",
        r"\to": "→", r"\rightarrow": "→", r"\leftarrow": "←", r"\sum": "Σ", r"\pm": "±",
        r"\ell": "ℓ", r"\|": "‖", r"\sqrt": "√", r"\in": "∈", r"\max": "max", r"\min": "min",
        r"\log": "log", r"\exp": "exp", r"\ln": "ln"}
_TEX_WORD = re.compile(r"(\\[A-Za-z]+|\\\|)( ?)(?=(.?))")
_OPERATORS = set("·×≤≥≠≈→←±∈")


def _tex_word(match: re.Match) -> str:
    """A control word as its symbol. The space after it is TeX's delimiter: dropped between a
    symbol and the letter it applies to (``\\nabla f`` is ∇f), kept around operators and
    before anything else (``a \\cdot b``, ``\\eta = 0.1``, ``\\max x``)."""
    word, space, after = match.group(1), match.group(2), match.group(3)
    symbol = _TEX.get(word, word.lstrip("\\"))
    joined = symbol not in _OPERATORS and not symbol.isascii() and after.isalnum()
    return symbol + ("" if joined else space)


def plain_text(text: str) -> str:
    """A label as a reader hears it: matplotlib's mathtext ``$\\nabla f$`` becomes ``∇f``
    (known commands to their symbols, ``\\mathrm{x}`` to ``x``, braces and dollars dropped),
    whitespace and newlines collapsed, quotes made single, at most LONGEST_QUOTE characters."""
    def math(m: re.Match) -> str:
        body = m.group(1)
        body = re.sub(r"\\(?:mathrm|mathbf|mathit|text|operatorname|boldsymbol|mathcal)\s*\{([^{}]*)\}",
                      r"\1", body)
        body = _TEX_WORD.sub(_tex_word, body)
        body = re.sub(r"\\[,;:! ]", " ", body)
        return body.replace("{", "").replace("}", "")
    text = re.sub(r"(?<!\\)\$(.+?)(?<!\\)\$", math, str(text)).replace(r"\$", "$")
    text = " ".join(text.replace('"', "'").split())
    if len(text) > LONGEST_QUOTE:
        text = text[:LONGEST_QUOTE - 1].rstrip() + "…"
    return text


def _q(text: str) -> str:
    return f"'{plain_text(text)}'"


def _num(value: float) -> str:
    """Three significant digits, positional where that stays short: 0.001, 2500, 1e-08."""
    import numpy as np
    v = float(value)
    if not np.isfinite(v):
        return "infinity" if v > 0 else ("minus infinity" if v < 0 else "undefined")
    if v == 0:
        return "0"
    if 1e-4 <= abs(v) < 1e6:
        text = np.format_float_positional(v, precision=3, unique=True, fractional=False, trim="-")
        return text.replace("-", "−") if text.startswith("-") else text
    return f"{v:.3g}".replace("-", "−", 1) if v < 0 else f"{v:.3g}"


def _listing(items: Sequence[str], noun: str | None = None) -> str:
    """'a', 'a and b', 'a, b and c', at most MOST_NAMED named, then 'and N more'."""
    items = list(items)
    if len(items) > MOST_NAMED:
        shown, rest = items[:MOST_NAMED], len(items) - MOST_NAMED
        return ", ".join(shown) + f" and {rest} more" + (f" {noun}" if noun else "")
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _count(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _labelled(artist: Any) -> str | None:
    label = artist.get_label()
    if not isinstance(label, str) or not label.strip() or label.startswith("_"):
        return None
    return label


# -- one panel -------------------------------------------------------------------------------------
def _line_kind(line: Any) -> str:
    style = str(line.get_linestyle())
    marker = line.get_marker()
    no_line = style in ("None", "none", "", " ")
    has_marker = marker not in (None, "None", "none", "", " ")
    return "points" if no_line and has_marker else "line"


def _reference_line(line: Any, ax: Any) -> str | None:
    """'horizontal line at y = 2' for axhline/axvline (one coordinate in axes units)."""
    import numpy as np
    if line.get_transform() == ax.transData:
        return None
    x, y = (np.asarray(d, dtype=float) for d in line.get_data())
    if len(x) == 2 and x[0] == 0 and x[1] == 1 and len(set(y.tolist())) == 1:
        return f"horizontal line at y = {_num(y[0])}"
    if len(y) == 2 and y[0] == 0 and y[1] == 1 and len(set(x.tolist())) == 1:
        return f"vertical line at x = {_num(x[0])}"
    return None


def _course(line: Any) -> str | None:
    """Where a line goes: 'from (x0, y0) to (x1, y1)'; a curve of x (x strictly monotonic) adds
    the range of y when it goes beyond its ends, a path (x not monotonic) its number of points;
    a single point: 'at (x, y)'. Non-finite points are left out."""
    import numpy as np
    try:
        x, y = (np.asarray(d, dtype=float).ravel() for d in line.get_data())
    except (TypeError, ValueError):
        return None
    if len(x) != len(y):
        return None
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) == 0:
        return "(empty)"
    if len(x) == 1:
        return f"at ({_num(x[0])}, {_num(y[0])})"
    text = f"from ({_num(x[0])}, {_num(y[0])}) to ({_num(x[-1])}, {_num(y[-1])})"
    dx = np.diff(x)
    if np.all(dx > 0) or np.all(dx < 0):
        lo, hi = float(np.min(y)), float(np.max(y))
        if lo < min(y[0], y[-1]) or hi > max(y[0], y[-1]):
            text += f", y between {_num(lo)} and {_num(hi)}"
        return text
    return text + f", {len(x)} points"


def _points(line: Any, label: str) -> str:
    """Markers without a line: 'point 'start' at (1, 2)', 'points 'minima' at (1, 1) and
    (3, 2)'; more than MOST_NAMED of them: how many and the box they fill."""
    import numpy as np
    x, y = (np.asarray(d, dtype=float).ravel() for d in line.get_data())
    keep = np.isfinite(x) & np.isfinite(y)
    x, y = x[keep], y[keep]
    if len(x) == 0:
        return f"points {_q(label)} (none shown)"
    if len(x) == 1:
        return f"point {_q(label)} at ({_num(x[0])}, {_num(y[0])})"
    if len(x) <= MOST_NAMED:
        return f"points {_q(label)} at " + _listing([f"({_num(a)}, {_num(b)})" for a, b in zip(x, y)])
    return (f"{len(x)} points {_q(label)} with x from {_num(x.min())} to {_num(x.max())} "
            f"and y from {_num(y.min())} to {_num(y.max())}")


def _collection(coll: Any) -> tuple[str, str | None]:
    """(kind, label) of a collection: contours, scatter, shaded band, mesh, arrows, surface."""
    import numpy as np
    from matplotlib import collections as mc
    from matplotlib.contour import ContourSet
    from matplotlib.quiver import Quiver
    label = _labelled(coll)
    if isinstance(coll, ContourSet):
        levels = len(np.atleast_1d(coll.levels))
        kind = "filled contour plot" if coll.filled else "contour lines"
        return f"{kind} ({_count(levels, 'level')})", label
    if isinstance(coll, Quiver):
        return f"arrow field ({_count(int(coll.N), 'arrow')})", label
    name = type(coll).__name__
    if name in ("Poly3DCollection",):
        return "3-D surface", label
    if isinstance(coll, mc.PathCollection):
        n = len(coll.get_offsets())
        return _count(n, "scattered point"), label
    if isinstance(coll, mc.QuadMesh):
        colours = _colours(coll.get_cmap())
        return "colour mesh" + (f" ({colours[2:]})" if colours else ""), label
    if isinstance(coll, mc.PolyCollection):
        return "shaded region", label
    if isinstance(coll, mc.LineCollection):
        return _count(len(coll.get_segments()), "line segment"), label
    return _count(len(coll.get_paths()), "shape"), label


def _axis(ax: Any, which: str) -> str | None:
    """"x 'step' from 0 to 400, log scale" (categories named when the axis has them)."""
    axis = getattr(ax, f"{which}axis")
    label = getattr(ax, f"get_{which}label")()
    shown = plain_text(label)
    head = which + (f" {_q(label)}" if shown and shown != which else "")
    units = axis.get_units()
    mapping = getattr(units, "_mapping", None)
    if mapping:
        return f"{head}: categories {_listing([_q(k) for k in mapping])}"
    lo, hi = getattr(ax, f"get_{which}lim")()
    text = f"{head} from {_num(lo)} to {_num(hi)}"
    scale = getattr(ax, f"get_{which}scale")()
    if scale != "linear":
        text += f", {scale} scale"
    return text


def _colours(cmap: Any) -> str:
    """', viridis colours' for a named colour map, ', 4 colours' for a short unnamed list."""
    name = getattr(cmap, "name", "") or ""
    if name and name not in ("unnamed", "from_list") and not name.startswith("_"):
        return f", {name} colours"
    n = getattr(cmap, "N", 0)
    return f", {n} colours" if 0 < n <= 16 else ""


# what leads a panel's description: a picture under everything first, then contours, bars, dots
_LEADS = ("image", "colour mesh", "filled contour plot", "contour lines", "3-D surface")


def _precedence(kind: str) -> int:
    return next((i for i, lead in enumerate(_LEADS) if kind.startswith(lead)), len(_LEADS))


def _merged_contours(kinds: list[str]) -> list[str]:
    """plots.contour draws filled contours and their lines at the same levels: one mark."""
    out = list(kinds)
    for filled in [k for k in out if k.startswith("filled contour plot (")]:
        lines = filled.replace("filled contour plot", "contour lines", 1)
        if lines in out:
            out.remove(lines)
            out[out.index(filled)] = filled[:-1] + ", contour lines drawn)"
    return out


def _repeats(kinds: list[str]) -> list[str]:
    """The same mark drawn several times is named once: '20 scattered points (drawn 6 times)',
    'arrow field (1 arrow, drawn twice)'."""
    out: list[str] = []
    counts: dict[str, int] = {}
    for kind in kinds:
        if kind not in counts:
            out.append(kind)
        counts[kind] = counts.get(kind, 0) + 1

    def said(kind: str) -> str:
        n = counts[kind]
        if n == 1:
            return kind
        times = "drawn twice" if n == 2 else f"drawn {n} times"
        return kind[:-1] + f", {times})" if kind.endswith(")") else kind + f" ({times})"
    return [said(k) for k in out]


def _panel_parts(ax: Any) -> dict[str, list]:
    """What is drawn in one axes, sorted into kinds, labelled marks, reference lines, texts."""
    from matplotlib.container import BarContainer
    parts: dict[str, list] = {"kinds": [], "marks": [], "lines": [], "refs": [], "texts": [],
                              "shapes": []}
    in_bars = set()
    for container in ax.containers:
        if isinstance(container, BarContainer):
            in_bars.update(map(id, container.patches))
            label = _labelled(container)
            orient = getattr(container, "orientation", "vertical")
            kind = _count(len(container.patches), "bar" if orient == "vertical" else "horizontal bar")
            parts["kinds"].append(kind + (f" {_q(label)}" if label else ""))
    for coll in ax.collections:
        kind, label = _collection(coll)
        parts["kinds"].append(kind + (f" {_q(label)}" if label else ""))
    for image in ax.images:
        array = image.get_array()
        rows, cols = array.shape[:2] if array is not None else (0, 0)
        colours = _colours(image.get_cmap()) if array is not None and array.ndim == 2 else ""
        parts["kinds"].append(f"image ({rows} × {cols} pixels{colours})")
    for line in ax.lines:
        if not line.get_visible():
            continue
        ref = _reference_line(line, ax)
        if ref is not None:
            label = _labelled(line)
            parts["refs"].append(ref + (f" ({_q(label)})" if label else ""))
            continue
        parts["lines"].append(line)
    for patch in ax.patches:
        if id(patch) not in in_bars and patch.get_visible():
            parts["shapes"].append(patch)
    parts["kinds"] = _repeats(_merged_contours(sorted(parts["kinds"], key=_precedence)))
    for text in ax.texts:
        if text.get_visible() and text.get_text().strip():
            parts["texts"].append(text.get_text())
    return parts


def _describe_lines(lines: list) -> list[str]:
    """Labelled lines by name with their course; unlabelled ones counted by kind."""
    out, unnamed = [], {"line": 0, "points": 0}
    named = [(ln, _labelled(ln)) for ln in lines]
    for ln, label in named:
        kind = _line_kind(ln)
        if label is None:
            unnamed[kind] += 1
            continue
        if kind == "points":
            out.append(_points(ln, label))
            continue
        course = _course(ln)
        out.append(f"line {_q(label)}" + (f" {course}" if course else ""))
    if len(out) > MOST_NAMED:
        out = out[:MOST_NAMED] + [f"{len(out) - MOST_NAMED} more labelled lines"]
    if unnamed["line"]:
        out.append(_count(unnamed["line"], "unlabelled line"))
    if unnamed["points"]:
        out.append(_count(unnamed["points"], "unlabelled set of points", "unlabelled sets of points"))
    return out


def _legend_entries(legend: Any) -> list[str]:
    if legend is None or not legend.get_visible():
        return []
    return [t.get_text() for t in legend.get_texts() if t.get_text().strip()]


def _colorbars(fig: Any) -> dict[int, list[Any]]:
    """id(axes the colour bar belongs to) -> its colour bars (figure-level ones under 0)."""
    out: dict[int, list[Any]] = {}
    for cax in fig.axes:
        cb = getattr(cax, "_colorbar", None)
        if cb is None:
            continue
        owner = getattr(cb.mappable, "axes", None)
        out.setdefault(id(owner) if owner is not None else 0, []).append(cb)
    return out


def _colorbar_text(cb: Any) -> str:
    cax = cb.ax
    label = cax.get_ylabel() if cb.orientation == "vertical" else cax.get_xlabel()
    text = "colour bar" + (f" {_q(label)}" if label.strip() else "")
    try:
        lo, hi = float(cb.vmin), float(cb.vmax)
        text += f" from {_num(lo)} to {_num(hi)}"
    except (TypeError, ValueError, AttributeError):
        pass
    from matplotlib.colors import LogNorm
    if isinstance(cb.norm, LogNorm):
        text += ", log scale"
    return text


def _describe_panel(ax: Any, colorbars: list[Any], twins: list[Any]) -> str:
    """One panel: '<main mark> with <other marks>; <axes>; <legend>; <colour bar>' (the caller
    gives its place and title). The main mark is the first contour set, image, mesh, bar group
    or scatter; a panel of lines only is a 'line plot', one of texts and shapes a 'drawing'."""
    parts = _panel_parts(ax)
    marks = _describe_lines(parts["lines"]) + parts["refs"]
    if parts["shapes"]:
        marks.append(_count(len(parts["shapes"]), "shape"))
    if parts["texts"]:
        marks.append("text " + _listing([_q(t) for t in parts["texts"]], "texts"))
    name = getattr(ax, "name", "")
    prefix = {"3d": "3-D ", "polar": "polar "}.get(name, "")
    if parts["kinds"]:
        lead, marks = parts["kinds"][0], parts["kinds"][1:] + marks
        if prefix and not lead.startswith("3-D"):
            lead = prefix + lead
    elif parts["lines"]:
        lead = prefix + "line plot"
    elif marks and ax.axison:
        lead = prefix + "plot"
    elif marks:
        lead = "drawing"
    else:
        lead = prefix + "empty plot (nothing drawn)"
    pieces = [lead + (" with " + "; ".join(marks) if marks else "")]
    shown = getattr(ax, "_axis3don", True) if name == "3d" else ax.axison
    if shown and name != "polar":
        pieces.append(", ".join(_axis(ax, w) for w in ("xyz" if name == "3d" else "xy")))
    named_marks = {plain_text(_labelled(ln) or "") for ln in parts["lines"]}
    extra = [e for e in _legend_entries(ax.get_legend()) if plain_text(e) not in named_marks]
    if extra:
        pieces.append("legend " + _listing([_q(e) for e in extra]))
    for twin in twins:
        twin_parts = _panel_parts(twin)
        lines = _describe_lines(twin_parts["lines"]) + twin_parts["kinds"]
        pieces.append("second y axis " + (_axis(twin, "y") or "")[2:].lstrip()
                      + (": " + "; ".join(lines) if lines else ""))
    for cb in colorbars:
        pieces.append(_colorbar_text(cb))
    for inset in getattr(ax, "child_axes", []):
        if inset.get_visible():
            title = inset.get_title()
            pieces.append("inset" + (f" {_q(title)}" if title.strip() else "") + ": "
                          + _describe_panel(inset, [], []))
    return "; ".join(pieces)


# -- where panels sit ------------------------------------------------------------------------------
def _clusters(values: Iterable[float], tol: float) -> list[float]:
    centres: list[float] = []
    for v in sorted(values):
        if not centres or v - centres[-1] > tol:
            centres.append(v)
    return centres


def _places(axes: list) -> tuple[list[int], list[str], str]:
    """The panels in reading order (indices into ``axes``), a name for each one's place ('Left',
    'Top right', 'Panel 4', 'Row 2, column 3'), and the layout ('side by side', 'one above the
    other', 'in a 2 × 3 grid')."""
    boxes = [ax.get_position() for ax in axes]
    xs = [(b.x0 + b.x1) / 2 for b in boxes]
    ys = [(b.y0 + b.y1) / 2 for b in boxes]
    cols = _clusters(xs, 0.05)
    rows = _clusters(ys, 0.05)[::-1]          # top row first
    col_of = [min(range(len(cols)), key=lambda j: abs(cols[j] - x)) for x in xs]
    row_of = [min(range(len(rows)), key=lambda i: abs(rows[i] - y)) for y in ys]
    order = sorted(range(len(axes)), key=lambda k: (row_of[k], col_of[k]))
    ncols, nrows = len(cols), len(rows)
    words = {1: [""], 2: ["left", "right"], 3: ["left", "middle", "right"]}
    vwords = {1: [""], 2: ["top", "bottom"], 3: ["top", "middle", "bottom"]}
    if nrows == 1:
        layout = "side by side"
    elif ncols == 1:
        layout = "one above the other"
    else:
        layout = f"in a {nrows} × {ncols} grid" if nrows * ncols == len(axes) else "arranged in a grid"
    names = []
    for k in order:
        i, j = row_of[k], col_of[k]
        if ncols <= 3 and nrows <= 3:
            names.append(" ".join(w for w in (vwords[nrows][i], words[ncols][j]) if w))
        elif nrows == 1 or ncols == 1:
            names.append(f"panel {(j if nrows == 1 else i) + 1}")
        else:
            names.append(f"row {i + 1}, column {j + 1}")
    if len(set(names)) < len(names) or "" in names:    # overlapping or irregular: number them
        names = [f"panel {k + 1}" for k in range(len(axes))]
    if names[0].startswith("panel") and layout in ("side by side", "one above the other"):
        layout += ", numbered from the " + ("left" if nrows == 1 else "top")
    return order, [n[0].upper() + n[1:] for n in names], layout


# -- the figure ------------------------------------------------------------------------------------
def describe_figure(fig: Any) -> str:
    """A text alternative for a matplotlib figure, built from what is drawn in it.

    One sentence for the figure (its title, the number of panels and their layout), then one per
    panel: its place and title, its kind and marks, its axes (label, range, scale), legend
    entries not already named, colour bar (label, range). A figure with nothing drawn says so.
    """
    from matplotlib.figure import Figure, SubFigure
    if not isinstance(fig, (Figure, SubFigure)):
        raise ValueError(f"fig must be a matplotlib Figure, got {type(fig).__name__}")
    colorbars = _colorbars(fig)
    cb_axes = {id(cb.ax) for cbs in colorbars.values() for cb in cbs}
    visible = [ax for ax in fig.axes if ax.get_visible() and id(ax) not in cb_axes]
    # twin axes (twinx/twiny) share their host's box: described with the host
    hosts: list[Any] = []
    twins: dict[int, list[Any]] = {}
    for ax in visible:
        host = next((h for h in hosts if h.get_position().bounds == ax.get_position().bounds
                     and not ax.patch.get_visible()), None)
        if host is None:
            hosts.append(ax)
        else:
            twins.setdefault(id(host), []).append(ax)

    head: list[str] = []
    suptitle = getattr(fig, "_suptitle", None)
    title = suptitle.get_text() if suptitle is not None and suptitle.get_visible() else ""
    fig_texts = [t.get_text() for t in fig.texts if t is not suptitle and t.get_visible()
                 and t.get_text().strip()]
    fig_legend = [e for leg in getattr(fig, "legends", []) for e in _legend_entries(leg)]
    if not hosts:
        text = "Figure" + (f" {_q(title)}" if title.strip() else "") + " with no plot in it"
        if fig_texts:
            text += "; text " + _listing([_q(t) for t in fig_texts])
        return text + "." if (title.strip() or fig_texts) else "An empty figure: nothing is drawn in it."
    if len(hosts) == 1:
        if title.strip():
            head.append(f"Figure {_q(title)}.")
        places = [""]
    else:
        order, places, layout = _places(hosts)
        hosts = [hosts[k] for k in order]
        count = _NUMBER_WORDS.get(len(hosts), str(len(hosts)))
        head.append(f"{count} panels {layout}" + (f", titled {_q(title)}" if title.strip() else "") + ".")
    sentences = []
    for place, ax in zip(places, hosts):
        ax_title = " ".join(t for t in (ax.get_title("left"), ax.get_title(), ax.get_title("right"))
                            if t.strip())
        body = _describe_panel(ax, colorbars.get(id(ax), []), twins.get(id(ax), []))
        if place:
            lead = place + (f", {_q(ax_title)}" if ax_title else "")
        else:
            lead = f"Plot {_q(ax_title)}" if ax_title else ""
        if lead:
            sentences.append(f"{lead}: {body}.")
        else:
            sentences.append(body[0].upper() + body[1:] + ".")
    tail = []
    if fig_legend:
        tail.append("Figure legend " + _listing([_q(e) for e in fig_legend]) + ".")
    if 0 in colorbars:
        tail.append(" ".join(_colorbar_text(cb)[0].upper() + _colorbar_text(cb)[1:] + "."
                             for cb in colorbars[0]))
    if fig_texts:
        tail.append("Text " + _listing([_q(t) for t in fig_texts]) + ".")
    return " ".join(head + sentences + tail)


# -- IPython -----------------------------------------------------------------------------------------
def _will_render(fig: Any) -> bool:
    """IPython's print_figure returns nothing for a figure with no axes and no lines."""
    return bool(fig.axes or getattr(fig, "lines", None))


def alt_metadata(fig: Any, mimetypes: Iterable[str] = ("image/png",)) -> dict[str, Any]:
    """Display metadata carrying ``describe_figure(fig)`` as the alt text of each image type in
    ``mimetypes``, and at the top level (nbconvert's fallback when a type's own entry has none)."""
    text = describe_figure(fig)
    return {**{mime: {"alt": text} for mime in mimetypes}, "alt": text}


def _shown_as(fig: Any) -> list[str]:
    """The image types the running shell draws a figure as (its inline backend's formats)."""
    from IPython import get_ipython
    shell = get_ipython()
    if shell is None:
        return ["image/png"]
    out = []
    for mime in IMAGE_TYPES:
        try:
            shell.display_formatter.formatters[mime].lookup(fig)
        except KeyError:
            continue
        out.append(mime)
    return out


def _figure_bundle(fig: Any) -> tuple[dict, dict] | None:
    """The mime-bundle formatter for Figure: no data (the backend's formatters draw the figure),
    only the alt metadata. A figure that will not render gets nothing."""
    if not _will_render(fig):
        return None
    try:
        return {}, alt_metadata(fig, _shown_as(fig))
    except Exception as error:       # a description must never cost the reader the picture
        import warnings
        warnings.warn(f"gradlib.figalt: no alt text for this figure ({type(error).__name__}: "
                      f"{error})", RuntimeWarning, stacklevel=2)
        return None


def install(shell: Any = None) -> bool:
    """Make every matplotlib figure an IPython shell shows carry its description as alt text.

    Registers a mime-bundle formatter for ``matplotlib.figure.Figure`` (by name while matplotlib
    is not imported yet: installing never imports it). ``shell``: default the running IPython;
    with none running nothing happens and False is returned. Calling it again is harmless.
    """
    if shell is None:
        if "IPython" not in sys.modules:
            return False
        from IPython import get_ipython
        shell = get_ipython()
        if shell is None:
            return False
    formatter = shell.display_formatter.mimebundle_formatter
    if "matplotlib.figure" in sys.modules:
        formatter.for_type(sys.modules["matplotlib.figure"].Figure, _figure_bundle)
    else:                            # resolved on the first figure shown; matplotlib not imported
        formatter.for_type_by_name("matplotlib.figure", "Figure", _figure_bundle)
    return True


def uninstall(shell: Any = None) -> None:
    """Undo ``install`` (tests; a user who wants IPython's plain behaviour back)."""
    if shell is None:
        from IPython import get_ipython
        shell = get_ipython()
    if shell is None:
        return
    formatter = shell.display_formatter.mimebundle_formatter
    formatter.deferred_printers.pop(("matplotlib.figure", "Figure"), None)
    if "matplotlib.figure" in sys.modules:
        formatter.type_printers.pop(sys.modules["matplotlib.figure"].Figure, None)
