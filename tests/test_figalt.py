"""gradlib.figalt: a figure's text alternative names what the figure holds, and a kernel that
imported gradlib attaches it to every figure it shows, whichever way the figure is shown.

Oracles: figures built here, whose titles, labels, data and limits the test chose (the expected
text is written from those choices, not from the function's output); a real kernel (nbclient)
executing a small notebook, whose saved outputs are read back.
"""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import matplotlib.pyplot as plt
import numpy as np
import pytest

from gradlib import figalt

pytestmark = pytest.mark.usefixtures("close_figures")


def _two_panels():
    fig, (left, right) = plt.subplots(1, 2, figsize=(9, 4))
    fig.suptitle("Descent")
    x, y = np.meshgrid(np.linspace(-2, 2, 41), np.linspace(-1, 3, 41))
    filled = left.contourf(x, y, (1 - x) ** 2 + 100 * (y - x ** 2) ** 2, levels=12)
    fig.colorbar(filled, ax=left, label="$f(x, y)$")
    left.plot([-1.5, 0.2, 0.0, 1.0], [2.0, 0.5, 0.6, 1.0], label="lr = 0.001")    # paths: x
    left.plot([-1.5, 0.5, 0.4, 1.0], [2.0, 0.1, 0.3, 1.0], label="lr = 0.002")    # turns back
    left.plot([-1.5], [2.0], "o", label="start")
    left.set(xlim=(-2, 2), ylim=(-1, 3), title="Gradient descent on Rosenbrock")
    left.legend()
    steps = np.arange(101)
    right.semilogy(steps, 10.0 * 0.9 ** steps, label=r"$\eta = 0.1$")
    right.axhline(1e-3, color="k", linestyle="--")
    right.text(50, 0.5, "plateau")
    right.set(xlim=(0, 100), ylim=(1e-5, 100), xlabel="step", ylabel="loss", title="Loss")
    return fig


def test_two_panels_are_placed_titled_and_their_marks_named() -> None:
    text = figalt.describe_figure(_two_panels())
    assert text.startswith("Two panels side by side, titled 'Descent'. ")
    left, right = text.split(" Right, ")
    assert "Left, 'Gradient descent on Rosenbrock': filled contour plot (" in left
    assert "line 'lr = 0.001' from (−1.5, 2) to (1, 1), 4 points" in left
    assert "line 'lr = 0.002' from (−1.5, 2) to (1, 1), 4 points" in left
    assert "point 'start' at (−1.5, 2)" in left
    assert "x from −2 to 2, y from −1 to 3" in left
    assert "colour bar 'f(x, y)' from " in left               # mathtext read as text
    assert "legend" not in left                                # every entry already named
    # a curve of x (x increasing): its ends; 10 * 0.9^100 = 0.000266
    assert right.startswith("'Loss': line plot with line 'η = 0.1' from (0, 10) to (100, 0.000266);")
    assert "horizontal line at y = 0.001" in right
    assert "text 'plateau'" in right
    assert "x 'step' from 0 to 100, y 'loss' from 1e-05 to 100, log scale" in right


def test_a_figure_with_nothing_in_it_says_so() -> None:
    assert figalt.describe_figure(plt.figure()) == "An empty figure: nothing is drawn in it."
    fig = plt.figure()
    fig.suptitle("Coming soon")
    assert figalt.describe_figure(fig) == "Figure 'Coming soon' with no plot in it."
    fig, ax = plt.subplots()
    assert figalt.describe_figure(fig) == "Empty plot (nothing drawn); x from 0 to 1, y from 0 to 1."


def test_grid_places_and_kinds_of_plot() -> None:
    fig, axs = plt.subplots(2, 2)
    axs[0, 0].imshow(np.arange(12.0).reshape(3, 4), cmap="viridis")
    axs[0, 1].scatter([1, 2, 3], [3, 4, 5], label="data")
    axs[1, 0].bar(["a", "b", "c"], [1, 2, 3])
    axs[1, 1].quiver([0, 1], [0, 1], [1, 0], [0, 1])
    text = figalt.describe_figure(fig)
    assert text.startswith("Four panels in a 2 × 2 grid. ")
    assert "Top left: image (3 × 4 pixels, viridis colours)" in text
    assert "Top right: 3 scattered points 'data'" in text
    assert "Bottom left: 3 bars; x: categories 'a', 'b' and 'c', y from 0 to" in text
    assert "Bottom right: arrow field (2 arrows)" in text


def test_panels_are_read_in_reading_order_whatever_order_they_were_made() -> None:
    fig = plt.figure()
    grid = fig.add_gridspec(2, 2)
    fig.add_subplot(grid[1, 1]).set_title("made first")
    fig.add_subplot(grid[0, 0]).set_title("made second")
    text = figalt.describe_figure(fig)
    assert text.startswith("Two panels arranged in a grid. Top left, 'made second': ")
    assert text.index("Top left") < text.index("Bottom right, 'made first'")
    fig, axs = plt.subplots(1, 5)
    for k, ax in enumerate(axs):
        ax.set_title(f"t{k}")
    text = figalt.describe_figure(fig)
    assert text.startswith("Five panels side by side, numbered from the left. Panel 1, 't0': ")
    assert "Panel 5, 't4': " in text


def test_a_mark_drawn_several_times_is_named_once() -> None:
    fig, ax = plt.subplots()
    for k in range(3):
        ax.scatter([1, 2], [k, k])
    ax.quiver([0], [0], [1], [1])
    ax.quiver([1], [1], [1], [1])
    assert figalt.describe_figure(fig).startswith(
        "2 scattered points (drawn 3 times) with arrow field (1 arrow, drawn twice); x from ")


def test_twin_axes_3d_and_hidden_axes() -> None:
    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [1, 2, 3], label="loss")
    ax.set(ylabel="loss", xlim=(0, 2), ylim=(0, 4))
    twin = ax.twinx()
    twin.plot([0, 1, 2], [0.1, 0.01, 0.001], label="lr")
    twin.set(ylabel="learning rate", ylim=(0, 0.2))
    text = figalt.describe_figure(fig)
    assert text.startswith("Line plot with line 'loss' from (0, 1) to (2, 3); x from 0 to 2, "
                           "y 'loss' from 0 to 4; second y axis 'learning rate' from 0 to 0.2: "
                           "line 'lr' from (0, 0.1) to (2, 0.001)")

    fig = plt.figure()
    ax3 = fig.add_subplot(projection="3d")
    x, y = np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5))
    ax3.plot_surface(x, y, x * y)
    ax3.set_zlabel("f")
    assert figalt.describe_figure(fig).startswith("3-D surface; x from ")
    assert " z 'f' from " in figalt.describe_figure(fig)

    fig, ax = plt.subplots()
    ax.text(0.5, 0.5, "w = 0.3")
    ax.add_patch(plt.Circle((0.5, 0.5), 0.2))
    ax.axis("off")
    assert figalt.describe_figure(fig) == "Drawing with 1 shape; text 'w = 0.3'."


def test_legend_entries_lists_and_points() -> None:
    fig, ax = plt.subplots()
    for k in range(12):
        ax.plot([0, 1], [k, k + 1], label=f"run {k}")
    ax.plot([0, 1, 2], [0, np.nan, 2], label="gappy")           # the NaN is left out
    ax.plot([1, 2, 3], [1, 1, 1], "x", label="minima")
    ax.plot([1, 2], [3, 4])                                       # unlabelled
    proxy = plt.Line2D([], [], color="k", label="proxy entry")   # in the legend only
    ax.legend(handles=[*ax.lines[:2], proxy])
    text = figalt.describe_figure(fig)
    assert "line 'run 0' from (0, 0) to (1, 1)" in text
    assert "line 'run 7'" in text and "line 'run 8'" not in text
    assert "6 more labelled lines" in text                        # 12 + gappy + minima - 8
    assert "1 unlabelled line" in text
    assert "legend 'proxy entry'" in text and "legend 'run 0'" not in text

    fig, ax = plt.subplots()
    ax.plot([0, 1, 2], [0, np.nan, 2], label="gappy")
    ax.plot([1, 2, 3], [1, 1, 1], "x", label="minima")
    text = figalt.describe_figure(fig)
    assert "line 'gappy' from (0, 0) to (2, 2)" in text
    assert "points 'minima' at (1, 1), (2, 1) and (3, 1)" in text


@pytest.mark.parametrize("raw, heard", [
    (r"$\nabla f(x)$", "∇f(x)"),
    (r"$\mathrm{lr} \cdot g$", "lr · g"),
    (r"loss $L(\theta_t)$ vs $\lambda_{max}$", "loss L(θ_t) vs λ_max"),
    ("a  \n  b", "a b"),
    ('say "hi"', "say 'hi'"),
    (r"costs \$5", "costs $5"),
])
def test_plain_text_reads_mathtext(raw: str, heard: str) -> None:
    assert figalt.plain_text(raw) == heard


def test_long_text_is_cut_and_numbers_are_short() -> None:
    assert figalt.plain_text("x" * 200) == "x" * (figalt.LONGEST_QUOTE - 1) + "…"
    assert [figalt._num(v) for v in (0, 0.001, 2500, -1.5, 1e-8, 3e7, np.inf, np.nan)] == \
        ["0", "0.001", "2500", "−1.5", "1e-08", "3e+07", "infinity", "undefined"]


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="fig must be a matplotlib Figure, got str"):
        figalt.describe_figure("fig")


def test_alt_metadata_shape() -> None:
    fig = _two_panels()
    meta = figalt.alt_metadata(fig, ["image/png", "image/jpeg"])
    text = figalt.describe_figure(fig)
    assert meta == {"image/png": {"alt": text}, "image/jpeg": {"alt": text}, "alt": text}


# -- in IPython ------------------------------------------------------------------------------------
def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                          text=True, check=True, timeout=120).stdout


def test_import_gradlib_has_no_side_effect_outside_a_kernel() -> None:
    """Plain Python: IPython and matplotlib are not imported. A terminal IPython (no kernel):
    nothing registered."""
    out = _python("""
        import sys, gradlib
        print("IPython" in sys.modules, "matplotlib" in sys.modules)
        from IPython.core.interactiveshell import InteractiveShell
        shell = InteractiveShell.instance()
        import importlib; importlib.reload(gradlib)
        printers = shell.display_formatter.mimebundle_formatter
        print(("matplotlib.figure", "Figure") in printers.deferred_printers, gradlib.figalt.install())
    """)
    assert out.split() == ["False", "False", "False", "True"]


def test_formatter_survives_the_inline_backend_choosing_its_formats() -> None:
    """The inline backend's select_figure_formats pops every per-MIME formatter of Figure when it
    is activated; the alt rides on the mime-bundle formatter, which it leaves alone."""
    out = _python("""
        import json, matplotlib
        matplotlib.use("Agg")
        from IPython.core.interactiveshell import InteractiveShell
        from IPython.core.pylabtools import select_figure_formats
        import matplotlib.pyplot as plt
        from gradlib import figalt
        shell = InteractiveShell.instance()
        assert figalt.install(shell)
        select_figure_formats(shell, {"png"})
        fig, ax = plt.subplots(); ax.set_title("after"); ax.plot([0, 1], [2, 3], label="a")
        data, meta = shell.display_formatter.format(fig)
        print(json.dumps([sorted(data), meta]))
        figalt.uninstall(shell)
        print(json.dumps(shell.display_formatter.format(fig)[1]))
    """)
    first, after = out.strip().splitlines()
    keys, meta = json.loads(first)
    assert keys == ["image/png", "text/plain"]
    want = "Plot 'after': line plot with line 'a' from (0, 2) to (1, 3); x from −0.05 to 1.05, " \
           "y from 1.95 to 3.05."
    assert meta == {"image/png": {"alt": want}, "alt": want}
    assert json.loads(after) == {}


NOTEBOOK_CELLS = [
    "%matplotlib inline\nimport matplotlib.pyplot as plt\n"
    "fig, ax = plt.subplots(); ax.set_title('before gradlib'); plt.show()",
    "import gradlib",
    "fig, ax = plt.subplots(); ax.plot([0, 1], [1, 0], label='a'); ax.set_title('shown'); plt.show()",
    "fig, ax = plt.subplots(); ax.set_title('flushed at the end of the cell')",
    "from IPython.display import display\n"
    "fig2, ax = plt.subplots(); ax.set_title('displayed'); display(fig2); plt.close(fig2)",
    "import matplotlib.figure\nf = matplotlib.figure.Figure(); f.add_subplot().set_title('last expression'); f",
    "%matplotlib inline\nfig, ax = plt.subplots(); ax.set_title('inline again')",
    "%config InlineBackend.figure_formats = ['retina']\nfig, ax = plt.subplots(); ax.set_title('retina')",
    "fig = plt.figure()",       # no axes: IPython draws nothing, and gets no alt
]


@pytest.fixture(scope="module")
def kernel_outputs() -> list[list[dict]]:
    import nbformat
    from nbclient import NotebookClient
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c) for c in NOTEBOOK_CELLS]
    NotebookClient(nb, timeout=120, kernel_name="python3").execute()
    return [[o for o in cell.outputs if "image/png" in o.get("data", {})] for cell in nb.cells]


def test_every_way_a_kernel_shows_a_figure_carries_its_alt(kernel_outputs) -> None:
    """plt.show(), the end-of-cell flush, display(fig), a figure as the last expression, after a
    second %matplotlib inline, and in retina (whose width/height metadata replaces the PNG's own:
    the top-level alt is nbconvert's fallback). A figure shown before gradlib was imported has
    none (the formatter is installed by the import)."""
    before, _, shown, flushed, displayed, expression, again, retina, blank = kernel_outputs
    assert len(before) == 1 and "alt" not in json.dumps(before[0].get("metadata", {}))
    empty = "empty plot (nothing drawn); x from 0 to 1, y from 0 to 1."
    expected = {
        "shown": ("Plot 'shown': line plot with line 'a' from (0, 1) to (1, 0); "
                  "x from −0.05 to 1.05, y from −0.05 to 1.05."),
        "flushed": f"Plot 'flushed at the end of the cell': {empty}",
        "displayed": f"Plot 'displayed': {empty}",
        "expression": f"Plot 'last expression': {empty}",
        "again": f"Plot 'inline again': {empty}",
    }
    for name, outputs in [("shown", shown), ("flushed", flushed), ("displayed", displayed),
                          ("expression", expression), ("again", again)]:
        assert len(outputs) == 1, name
        meta = outputs[0]["metadata"]
        assert meta["image/png"] == {"alt": expected[name]}, name
        assert meta["alt"] == expected[name], name
    assert len(retina) == 1
    meta = retina[0]["metadata"]
    assert set(meta["image/png"]) == {"width", "height"}
    assert meta["alt"] == f"Plot 'retina': {empty}"
    assert blank == []
