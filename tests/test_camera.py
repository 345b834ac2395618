"""StreamingCamera: celluloid's API, one frame alive at a time, true pixels."""

import gc
import weakref

import numpy as np
import pytest

from vizkit import StreamingCamera, new_figure
from vizkit.style import style


def draw_frame(ax, k):
    ax.plot([0, 1], [0, k / 10], color="C0", linewidth=2)
    ax.scatter([0.5], [0.5], s=40 + k, color="C1")
    ax.imshow(np.full((4, 4), k), extent=(0, 0.3, 0, 0.3), vmin=0, vmax=10)
    ax.text(0.1, 0.9, f"frame {k}", transform=ax.transAxes)


def make_figure():
    fig = new_figure(3, 2, dpi=50)
    ax = fig.add_subplot()
    ax.set_xlim(0, 1)
    ax.set_ylim(0, 1)
    ax.set_title("static title")
    return fig, ax


def test_each_snap_streams_one_frame_and_clears_it():
    frames, lines = [], []
    with style():
        fig, ax = make_figure()
        camera = StreamingCamera(fig, lambda rgba, i: frames.append((i, rgba.copy())))
        for k in range(5):
            draw_frame(ax, k)
            lines.append(weakref.ref(ax.lines[0]))
            snapped = camera.snap()
            assert len(snapped) == 4 and all(artist.axes is None for artist in snapped)
            assert not ax.lines and not ax.collections and not ax.images and not ax.texts
    del snapped
    gc.collect()
    assert [i for i, _ in frames] == list(range(5))
    assert camera.frames_written == 5
    assert [line() for line in lines] == [None] * 5  # nothing kept for animate()
    assert not np.array_equal(frames[0][1], frames[4][1])


def test_blitted_frames_equal_full_redraws():
    streamed = []
    with style():
        fig, ax = make_figure()
        camera = StreamingCamera(fig, lambda rgba, i: streamed.append(rgba[..., :3].copy()))
        for k in range(3):
            draw_frame(ax, k)
            camera.snap()
        for k in range(3):
            fresh, fresh_ax = make_figure()
            draw_frame(fresh_ax, k)
            fresh.canvas.draw()
            expected = np.asarray(fresh.canvas.buffer_rgba())[..., :3].astype(float)
            rms = np.sqrt(np.mean((streamed[k].astype(float) - expected) ** 2))
            assert rms < 1.0, f"frame {k}: RMS {rms:.2f} between blitted and full render"


def test_animate_is_refused_with_a_reason():
    fig, _ = make_figure()
    with pytest.raises(TypeError, match="streams frames"):
        StreamingCamera(fig, lambda *a: None).animate()


def test_artists_drawn_before_the_camera_stay_in_every_frame():
    streamed = []
    with style():
        fig, ax = make_figure()
        static = ax.scatter([0.9], [0.1], s=200, color="black")
        bar = fig.colorbar(ax.imshow(np.zeros((2, 2)), extent=(0.8, 1, 0.8, 1)), ax=ax)
        camera = StreamingCamera(fig, lambda rgba, i: streamed.append(rgba[..., :3].copy()))
        for k in range(3):
            draw_frame(ax, k)
            camera.snap()
    assert static in ax.collections and len(bar.ax.collections) + len(bar.ax.images) >= 1
    height, width = streamed[-1].shape[:2]
    # the static black dot at data (0.9, 0.1) is still in the last frame
    x, y = ax.transData.transform((0.9, 0.1))
    assert streamed[-1][int(height - y), int(x)].max() < 60
