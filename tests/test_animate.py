"""gradlib.animate: frames show the paths where they are, the HTML plays without a kernel, stays
under 1 MB for 100 frames, is the same text on every run, and bad input is refused.

Oracles: the paths' own points; ffmpeg itself (decoding the embedded mp4 and counting frames);
the picture rebuilt from the JavaScript player's background + overlay against a full redraw.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import re
import subprocess

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from PIL import Image

from gradlib import animate, optim, plots, surfaces

MB = 1024 * 1024


pytestmark = pytest.mark.usefixtures("close_figures")      # plt.close("all") after each test


@pytest.fixture(scope="module")
def runs(rosenbrock):
    """Three runs of different lengths: 400 steps, 250 steps, and one that diverges early."""
    long = optim.descend(rosenbrock, optim.gd(lr=1e-3), steps=400)
    mid = optim.descend(rosenbrock, optim.momentum(lr=1e-3, beta=0.9), steps=250)
    blown = optim.descend(rosenbrock, optim.gd(lr=1e-2), steps=400)
    assert len(long.xs) == 401 and len(mid.xs) == 251 and blown.status == "diverged"
    return [long, mid, blown]


def _mp4(html: str) -> bytes:
    match = re.search(r'src="data:video/mp4;base64,([A-Za-z0-9+/=]+)"', html)
    assert match, "no base64 mp4 in the html"
    return base64.b64decode(match.group(1))


def _decoded_frames(data: bytes, tmp_path) -> tuple[int, str]:
    """Let ffmpeg decode the whole video: (number of frames, 'WxH')."""
    exe = animate.ffmpeg_exe()
    video = tmp_path / "v.mp4"
    video.write_bytes(data)
    out = subprocess.run([exe, "-hide_banner", "-i", str(video), "-map", "0:v", "-f", "null", "-"],
                         capture_output=True, text=True, check=True).stderr
    frames = int(re.findall(r"frame=\s*(\d+)", out)[-1])
    size = re.search(r"Video: h264.*?, (\d+x\d+)", out).group(1)
    return frames, size


# -- the animation object -----------------------------------------------------------------------
def test_animate_paths_moves_heads_and_trails_along_each_path(runs, rosenbrock):
    anim = animate.animate_paths(rosenbrock, runs)
    assert isinstance(anim, FuncAnimation)
    steps = list(anim.frame_data)
    assert len(steps) == animate.MAX_FRAMES and steps[0] == 0 and steps[-1] == 400
    assert steps == sorted(set(steps))
    ax = anim.figure.axes[0]
    children = len(ax.get_children())
    x0, x1 = rosenbrock.xlim
    y0, y1 = rosenbrock.ylim
    dx, dy = 0.01 * (x1 - x0), 0.01 * (y1 - y0)
    for step in steps[::7] + [steps[-1]]:
        changed = anim.update(step)
        assert set(map(id, changed)) == set(map(id, anim.trails + anim.heads + [anim.counter]))
        for run, trail, head in zip(runs, anim.trails, anim.heads):
            k = min(step, len(run.xs) - 1)
            np.testing.assert_array_equal(trail.get_xydata(), run.xs[:k + 1])
            inside = x0 <= run.xs[k, 0] <= x1 and y0 <= run.xs[k, 1] <= y1
            if inside:
                np.testing.assert_array_equal(head.get_xydata(), run.xs[k:k + 1])
            else:       # a runaway head is pinned just inside the window's edge
                pinned = [v if lo <= v <= hi else np.clip(v, lo + pad, hi - pad) for v, lo, hi, pad
                          in zip(run.xs[k], (x0, y0), (x1, y1), (dx, dy))]
                np.testing.assert_allclose(head.get_xydata(), [pinned], rtol=1e-12)
        assert anim.counter.get_text().startswith(f"step {step:>3d} / 400")
    # the diverged run stopped: its head is an X and the counter says at which step
    blown = runs[2]
    assert anim.heads[2].get_marker() == "X"
    assert f"gd: diverged at step {len(blown.xs)}" in anim.counter.get_text()
    anim.update(0)
    assert anim.heads[2].get_marker() == "o" and "diverged" not in anim.counter.get_text()
    assert len(ax.get_children()) == children       # frames move artists, never add any
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["gd", "momentum", "gd"]


def test_short_paths_give_one_frame_per_step(rosenbrock):
    run = optim.descend(rosenbrock, optim.gd(lr=1e-3), steps=20)
    anim = animate.animate_paths(rosenbrock, [run], frames=50)
    assert list(anim.frame_data) == list(range(21))
    anim = animate.animate_paths(rosenbrock, run, frames=5)
    assert list(anim.frame_data) == [0, 5, 10, 15, 20]


def test_a_lone_diverged_run_shows_the_step_that_blew_up(rosenbrock):
    blown = optim.descend(rosenbrock, optim.gd(lr=1e-2), steps=50)
    k = len(blown.xs) - 1
    anim = animate.animate_paths(rosenbrock, blown)
    assert list(anim.frame_data) == list(range(k + 2))
    anim.update(k)
    assert anim.heads[0].get_marker() == "o"
    anim.update(k + 1)
    assert anim.heads[0].get_marker() == "X"
    assert anim.counter.get_text() == f"step {k + 1} / {k + 1}\ngd: diverged at step {k + 1}"
    assert f"diverged at step {k + 1}" in blown.message          # the same step optim reports


@pytest.mark.parametrize("kwargs, message", [
    (dict(paths=[]), "paths must contain at least one path, got an empty sequence"),
    (dict(frames=0), r"frames must be an integer in \[1, 100\], got 0"),
    (dict(frames=101), r"frames must be an integer in \[1, 100\], got 101"),
    (dict(interval=0), "interval must be a finite number > 0, got 0"),
    (dict(labels=["only one"]), r"labels and colors must have one entry per path \(3\)"),
    (dict(paths=[np.zeros((4, 3))]), r"paths\[0\] must hold points of shape \(k, 2\)"),
])
def test_animate_paths_rejects_bad_input(runs, rosenbrock, kwargs, message):
    kwargs = {"paths": runs, **kwargs}
    with pytest.raises(ValueError, match=message):
        animate.animate_paths(rosenbrock, **kwargs)


def test_a_surface_of_three_variables_cannot_be_animated(runs):
    three = surfaces.get("quadratic_nd", A=np.eye(3))
    with pytest.raises(ValueError, match="surface must be a function of 2 variables"):
        animate.animate_paths(three, [np.zeros((3, 2))])


# -- encoding -----------------------------------------------------------------------------------
def test_video_html_is_small_decodable_deterministic_and_closes_the_figure(runs, rosenbrock,
                                                                           tmp_path):
    anim = animate.animate_paths(rosenbrock, runs)
    fig = anim.figure
    assert plt.fignum_exists(fig.number)
    result = animate.to_html(anim)
    assert result.fmt == "video" and result.frames == 100
    assert not plt.fignum_exists(fig.number)
    html = result._repr_html_()
    assert html.startswith("<video") and "data:video/mp4;base64," in html
    for attribute in ("controls", "loop", "autoplay", "muted", "playsinline"):
        assert re.search(rf"<video[^>]*\b{attribute}\b", html)
    assert result.nbytes == len(html.encode()) <= 1 * MB
    data = _mp4(html)
    assert data[4:8] == b"ftyp"
    assert _decoded_frames(data, tmp_path) == (100, "432x360")      # 6 x 5 in at 72 dpi
    assert animate.to_html(anim) is result                          # cached on the animation
    assert anim._repr_html_() == html                               # a notebook shows the video
    again = animate.html_animation(rosenbrock, runs)
    assert again.html == result.html                                 # same bytes every run
    assert repr(result) == f"HTMLAnimation(fmt='video', frames=100, nbytes={result.nbytes})"


def test_seven_paths_still_fit(rosenbrock):
    runs = [optim.descend(rosenbrock, optim.make(name, lr=lr), steps=300)
            for name, lr in [("gd", 1e-3), ("momentum", 1e-3), ("nesterov", 1e-3),
                             ("adagrad", 0.3), ("rmsprop", 0.01), ("adam", 0.05),
                             ("newton", 1.0)]]
    result = animate.html_animation(rosenbrock, runs)
    assert result.fmt == "video" and result.nbytes <= 1 * MB


def _js_array(html: str, name: str) -> list:
    start = html.index(f"var {name} = [") + len(f"var {name} = ")
    return json.loads(html[start:html.index("];", start) + 1])


def _decode(uri: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
                      .convert("RGBA"), dtype=float)


def _over(under: np.ndarray, uri: str | None) -> np.ndarray:
    if uri is None:
        return under
    sheet = _decode(uri)
    alpha = sheet[..., 3:] / 255
    return under * (1 - alpha) + sheet[..., :3] * alpha


def test_jshtml_player_rebuilds_the_frames_and_has_stable_ids(runs, rosenbrock):
    anim = animate.animate_paths(rosenbrock, runs, frames=30)
    result = animate.to_html(anim, fmt="jshtml", close=False)
    html = result.html
    assert result.fmt == "jshtml" and "<video" not in html and "<script>" in html
    assert result.nbytes <= 1 * MB
    keys, frames = _js_array(html, "keys"), _js_array(html, "frames")
    assert len(frames) == 30 and len(keys) == 3                       # a key every 10 frames
    assert [k for k, _ in frames] == [j // 10 for j in range(30)]
    background = re.search(r'<img src="(data:image/png;base64,[A-Za-z0-9+/=]+)"', html).group(1)
    assert re.search(r'id="gradlib-anim-[0-9a-f]{12}"', html)
    code = html
    for uri in [background, *keys, *(d for _, d in frames)]:
        code = code.replace(uri or "", "")
    assert not re.search(r"[0-9a-f]{32}", code)                       # no uuid4 anywhere
    base = _decode(background)[..., :3]
    # background + key overlay + delta overlay of frame j == a full, ordinary redraw of it
    for j in (0, 25, 29):
        k, delta = frames[j]
        rebuilt = _over(_over(base, keys[k]), delta)
        anim.update(anim.frame_data[j])
        anim.figure.canvas.draw()
        direct = np.asarray(anim.figure.canvas.buffer_rgba(), dtype=float)[..., :3]
        assert rebuilt.shape == direct.shape
        assert np.mean(np.abs(rebuilt - direct)) < 0.5
        if j:
            assert np.mean(np.abs(base - direct)) > 0.5               # something did move
    plt.close(anim.figure)
    assert animate.html_animation(rosenbrock, runs, frames=30, fmt="jshtml").html == html


def test_without_ffmpeg_the_player_is_the_fallback(runs, rosenbrock, monkeypatch):
    monkeypatch.setattr(animate, "ffmpeg_exe", lambda: None)
    anim = animate.animate_paths(rosenbrock, runs, frames=10)
    with pytest.warns(UserWarning, match="no ffmpeg found"):
        result = animate.to_html(anim)
    assert result.fmt == "jshtml" and "<script>" in result.html


def test_to_html_rejects_bad_input(runs, rosenbrock):
    anim = animate.animate_paths(rosenbrock, runs, frames=10)
    with pytest.raises(ValueError, match="fmt must be one of 'video', 'jshtml', got 'gif'"):
        animate.to_html(anim, fmt="gif")
    with pytest.raises(ValueError, match=r"crf must be an integer in \[0, 51\], got 60"):
        animate.to_html(anim, crf=60)
    with pytest.raises(ValueError, match="anim must be a matplotlib FuncAnimation, got str"):
        animate.to_html("anim")
    with pytest.raises(ValueError, match="embed_limit: the animation is .* above the limit of "
                                         "0.001 MB"):
        animate.to_html(anim, embed_limit=0.001)


def test_saved_page_is_standalone(runs, rosenbrock, tmp_path):
    result = animate.html_animation(rosenbrock, runs, frames=10)
    page = result.save(tmp_path / "race.html", title="race")
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and result.html in text
    assert "<title>race</title>" in text
    assert "http://" not in result.html and "https://" not in result.html   # no network needed


# -- any figure ---------------------------------------------------------------------------------
def test_animate_frames_encodes_any_figure(tmp_path):
    with plt.ioff():
        fig, ax = plt.subplots(figsize=(4, 3), dpi=72)
    t = np.linspace(0, 1, 50)
    (line,) = ax.plot([], [])
    seen = []

    def update(i):
        seen.append(i)
        line.set_data(t[: i + 1], np.exp(-3 * t[: i + 1]))
        ax.relim()
        ax.autoscale_view()          # limits change: full redraws (blit=False) handle it
        return [line]

    result = animate.animate_frames(fig, update, 30)
    assert result.fmt == "video" and result.frames == 30
    assert seen == list(range(30))
    assert _decoded_frames(_mp4(result.html), tmp_path) == (30, "288x216")
    assert not plt.fignum_exists(fig.number)


def test_animate_frames_with_blit_and_a_sequence_of_frames(tmp_path):
    with plt.ioff():
        fig, ax = plt.subplots(figsize=(4, 3), dpi=72)
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    (dot,) = ax.plot([0.0], [0.0], "o")
    result = animate.animate_frames(fig, lambda x: [dot.set_data([x], [x]) or dot],
                                    np.linspace(0, 1, 12), blit=True)
    assert _decoded_frames(_mp4(result.html), tmp_path)[0] == 12
    np.testing.assert_array_equal(dot.get_xydata(), [[1.0, 1.0]])


@pytest.mark.parametrize("args, message", [
    (("fig", lambda i: [], 5), "fig must be a matplotlib Figure, got str"),
    ((None, "update", 5), "update must be a callable of one frame, got str"),
    ((None, lambda i: [], 0), r"frames must be an integer in \[1, 100\], got 0"),
    ((None, lambda i: [], range(101)), r"frames must be an integer in \[1, 100\], got 101"),
    ((None, lambda i: [], []), "frames must not be empty"),
])
def test_animate_frames_rejects_bad_input(args, message):
    fig = plt.figure()
    args = tuple(fig if a is None else a for a in args)
    with pytest.raises(ValueError, match=message):
        animate.animate_frames(*args)
    with pytest.raises(ValueError, match="update must return the artists it changed when blit"):
        animate.animate_frames(fig, lambda i: None, 3, blit=True)


def test_a_plain_funcanimation_is_encoded_too(tmp_path):
    with plt.ioff():
        fig, ax = plt.subplots(figsize=(3, 3), dpi=50)
    (line,) = ax.plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda i: line.set_ydata([0, i / 5]), frames=6, interval=100)
    video = animate.to_html(anim)
    assert video.fmt == "video"
    assert _decoded_frames(_mp4(video.html), tmp_path)[0] == 6
    with plt.ioff():
        fig, ax = plt.subplots(figsize=(3, 3), dpi=50)
    (line,) = ax.plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda i: line.set_ydata([0, i / 5]), frames=6, interval=100)
    js = animate.to_html(anim, fmt="jshtml")
    assert js.fmt == "jshtml" and js.html.count("data:image/jpeg;base64,") == 6
    ids = set(re.findall(r"_anim_img([0-9a-f]+)", js.html))
    assert len(ids) == 1          # a digest of the content replaced matplotlib's random uuid
    uid = ids.pop()
    body = js.html.replace(uid, "")
    assert uid == hashlib.sha1(body.encode()).hexdigest()[:32]


def test_odd_frame_sizes_are_padded_for_h264(tmp_path):
    with plt.ioff():
        fig, ax = plt.subplots(figsize=(3.01, 2.01), dpi=100)     # 301 x 201 pixels
    (line,) = ax.plot([0, 1], [0, 1])
    result = animate.animate_frames(fig, lambda i: [line.set_ydata([0, i]) or line], 4)
    assert _decoded_frames(_mp4(result.html), tmp_path) == (4, "302x202")
    with plt.ioff():
        fig, ax = plt.subplots(figsize=(3.01, 2.01), dpi=100)
    (line,) = ax.plot([0, 1], [0, 1])
    anim = FuncAnimation(fig, lambda i: line.set_ydata([0, i]), frames=4, interval=100)
    assert _decoded_frames(_mp4(animate.to_html(anim).html), tmp_path) == (4, "302x202")


# -- the text alternative (WCAG 2.1 SC 1.1.1 and 1.2.1: a silent video needs a text) ----------------
def _described_by(html: str, tag: str) -> tuple[str, str]:
    """(accessible name, text of the element aria-describedby points at) of the first ``tag``."""
    element = re.search(rf"<{tag}\b[^>]*>", html).group(0)
    name = re.search(r'(?:aria-label|alt)="([^"]*)"', element).group(1)
    ref = re.search(r'aria-describedby="([^"]+)"', element).group(1)
    assert html.count(f'id="{ref}"') == 1, ref
    text = re.search(rf'<p id="{re.escape(ref)}">([^<]*)</p>', html).group(1)
    return name, text


def test_video_is_labelled_and_described_by_its_first_and_last_frames(runs, rosenbrock):
    from gradlib.figalt import _num
    result = animate.html_animation(rosenbrock, runs)
    name, text = _described_by(result.html, "video")
    assert name == f"Animation, 100 frames: {rosenbrock.title}"
    assert text.startswith("Animation of 100 frames at 10 frames a second (10 s), looping. "
                           "First frame: ")
    first, last = text.split(" Last frame: ")
    assert "text 'step 0 / 400'" in first
    blown = runs[2]
    assert f"text 'step 400 / 400 gd: diverged at step {len(blown.xs)}'" in last
    for run, label in zip(runs, ["gd", "momentum", "gd"]):      # where each trail ends
        x, y = run.xs[-1]
        assert f"line '{label}' at ({_num(run.xs[0, 0])}, {_num(run.xs[0, 1])})" in first
        assert f"line '{label}' from ({_num(run.xs[0, 0])}, {_num(run.xs[0, 1])}) to " \
               f"({_num(x)}, {_num(y)})" in last
    assert '<details class="gradlib-animation-text"><summary>' in result.html
    assert result.html.startswith("<video")                       # the text comes after it


def test_both_players_are_labelled_described_and_their_sliders_named(runs, rosenbrock):
    ours = animate.html_animation(rosenbrock, runs, frames=10, fmt="jshtml").html
    name, text = _described_by(ours, "img")
    assert name == f"Animation, 10 frames: {rosenbrock.title}"
    assert "First frame: " in text and " Last frame: " in text
    assert re.search(r'<input class="gl-slider"[^>]*aria-label="frame"', ours)
    assert len(re.findall(r'<button [^>]*aria-label="[^"]+"', ours)) == 4
    with plt.ioff():
        fig, ax = plt.subplots(figsize=(3, 3), dpi=50)
    ax.set_title("a line that rises")
    (line,) = ax.plot([0, 1], [0, 0], label="y")
    theirs = animate.to_html(FuncAnimation(fig, lambda i: line.set_ydata([0, i / 5]), frames=6,
                                           interval=100), fmt="jshtml").html
    name, text = _described_by(theirs, "img")
    assert name == "Animation, 6 frames: a line that rises"
    # set_ydata does not rescale: the axes keep the limits of the flat line, as the picture does
    assert text.endswith("Last frame: Plot 'a line that rises': line plot with line 'y' from "
                         "(0, 0) to (1, 1); x from −0.05 to 1.05, y from −0.055 to 0.055.")
    assert re.search(r'<input id="_anim_slider[0-9a-f]+" aria-label="frame"', theirs)


def test_a_changing_title_is_read_at_the_first_and_the_last_frame():
    with plt.ioff():
        fig, ax = plt.subplots(figsize=(3, 2), dpi=50)
    ax.set(xlim=(0, 1), ylim=(0, 1))

    def update(i):
        ax.set_title(f"epoch {i}")
        return []

    html = animate.animate_frames(fig, update, 5).html
    name, text = _described_by(html, "video")
    assert name == "Animation, 5 frames: epoch 0"
    assert "First frame: Plot 'epoch 0': empty plot" in text
    assert "Last frame: Plot 'epoch 4': empty plot" in text
