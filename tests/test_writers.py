"""Writers: frame counts and sizes, atomic output, no overwriting, manifests."""

import json
from pathlib import Path

import imageio.v3 as iio
import imageio_ffmpeg
import numpy as np
import pytest

from vizkit import LayerSpaces, VizkitError, new_figure, render_frames
from vizkit.output.files import artifact_paths, parse_stills
from vizkit.output.writers import open_writer, resolve_format


def frames(n, width=64, height=48):
    out = np.zeros((n, height, width, 4), dtype=np.uint8)
    out[..., 3] = 255
    for k in range(n):
        out[k, :, : (k + 1) * width // n, 0] = 200
    return out


@pytest.mark.parametrize("fmt", ["gif", "mp4"])
def test_video_frame_count_and_size(tmp_path, fmt):
    path = tmp_path / f"movie.{fmt}"
    with open_writer([path], fmt, fps=5) as writer:
        for rgba in frames(7):
            writer.append(rgba)
    if fmt == "gif":
        read = iio.imread(path, index=None)
        assert read.shape[:3] == (7, 48, 64)
        assert read[0, 10, 5, 0] > 150 and read[0, 10, 40, 0] < 50
    else:
        reader = imageio_ffmpeg.read_frames(str(path))
        meta = reader.__next__()
        assert tuple(meta["size"]) == (64, 48)
        assert sum(1 for _ in reader) == 7


def test_mp4_with_odd_size_is_padded_to_even(tmp_path):
    path = tmp_path / "odd.mp4"
    with open_writer([path], "mp4") as writer:
        for rgba in frames(3, width=63, height=47):
            writer.append(rgba)
    meta = imageio_ffmpeg.read_frames(str(path)).__next__()
    assert tuple(meta["size"]) == (64, 48)


def test_html_player_holds_every_frame_and_a_slider(tmp_path):
    path = tmp_path / "player.html"
    with open_writer([path], "html", fps=4) as writer:
        for k, rgba in enumerate(frames(4)):
            writer.append(rgba, label=f"epoch {k}")
    text = path.read_text()
    assert text.count("data:image/webp;base64,") == 4
    assert 'type="range"' in text and '"epoch 3"' in text and "setTimeout" in text
    assert "http" not in text.replace("http-equiv", "")  # self-contained


def test_png_stills_are_named_after_their_frames(tmp_path):
    with open_writer(artifact_paths(tmp_path / "s.png", "png", [0, 5]), "png") as writer:
        for rgba in frames(2):
            writer.append(rgba)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s-frame000.png", "s-frame005.png"]


def test_failure_mid_render_leaves_no_file(tmp_path):
    fig = new_figure(2, 2, dpi=30)
    ax = fig.add_subplot()

    def draw(k):
        if k == 3:
            raise RuntimeError("boom")
        ax.plot([0, 1], [0, k])

    for fmt in ("gif", "mp4", "html", "png"):
        with pytest.raises(RuntimeError):
            render_frames(fig, draw, range(5), tmp_path / f"out.{fmt}")
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_not_overwritten_unless_asked(tmp_path):
    path = tmp_path / "keep.gif"
    path.write_bytes(b"precious")
    fig = new_figure(1, 1, dpi=30)
    with pytest.raises(VizkitError, match="already exists; pass overwrite=True"):
        render_frames(fig, lambda k: None, range(2), path)
    assert path.read_bytes() == b"precious"
    render_frames(fig, lambda k: None, range(2), path, overwrite=True)
    assert iio.imread(path, index=None).shape[0] == 2


def test_missing_folder_is_made_and_unwritable_folder_is_one_line(tmp_path):
    fig = new_figure(1, 1, dpi=30)
    render_frames(fig, lambda k: None, range(2), tmp_path / "new" / "a.gif")
    assert (tmp_path / "new" / "a.gif").is_file()
    with pytest.raises(VizkitError, match="cannot write to folder /proc"):
        render_frames(fig, lambda k: None, range(2), "/proc/vizkit-test.gif")
    (tmp_path / "file").write_text("")
    with pytest.raises(VizkitError, match="is a file, not a folder"):
        render_frames(fig, lambda k: None, range(2), tmp_path / "file" / "a.gif")


@pytest.mark.parametrize("fmt", ["gif", "mp4"])
def test_encoder_output_is_verified(tmp_path, monkeypatch, fmt):
    """A file that lost frames on the way (as on a full disk) is an error, not a success."""
    import vizkit.output.writers as writers

    path = tmp_path / f"short.{fmt}"
    if fmt == "gif":
        monkeypatch.setattr(writers, "gif_frames", lambda p: (5, (64, 48)))
    else:
        monkeypatch.setattr(imageio_ffmpeg, "count_frames_and_secs", lambda p: (5, 1.0))
    with pytest.raises(VizkitError, match="5 of 7 frames reached the file"):
        with writers.open_writer([path], fmt) as writer:
            for rgba in frames(7):
                writer.append(rgba)


def gradient_frames(n, width=90, height=60):
    """Frames of many colours (more than a palette holds) that change from frame to frame."""
    y, x = np.mgrid[0:height, 0:width]
    out = np.full((n, height, width, 4), 255, dtype=np.uint8)
    for k in range(n):
        out[k, ..., 0] = (x * 255 // width + 9 * k) % 256
        out[k, ..., 1] = y * 255 // height
        out[k, ..., 2] = (x + y + 17 * k) % 256
        out[k, 20:30, 10 + 5 * k:30 + 5 * k, :3] = (20, 20, 20)  # a dark block that moves
    return out


def one_pass_gif(path, rgba_frames, fps):
    """The reference: one ffmpeg process, ``split`` into palettegen and paletteuse (it
    holds every frame until the palette is made)."""
    from vizkit.output.gif_file import GIF_HOLD
    from vizkit.output.writers import _FfmpegWriter

    graph = f"split[a][b];[a]{_FfmpegWriter._PALETTE}[p];[b][p]{_FfmpegWriter._DITHER}"
    height, width = rgba_frames.shape[1:3]
    process = imageio_ffmpeg.write_frames(
        str(path), (width, height), pix_fmt_in="rgba", fps=fps, macro_block_size=1,
        codec="gif", pix_fmt_out="pal8", quality=None, ffmpeg_log_level="quiet",
        output_params=["-filter_complex", graph, "-loop", "0", "-final_delay",
                       str(round(GIF_HOLD * 100)), "-f", "gif"])
    process.send(None)
    for rgba in rgba_frames:
        process.send(np.ascontiguousarray(rgba))
    process.close()


def test_gif_in_two_passes_is_the_one_pass_gif(tmp_path):
    """Streaming the frames through a scratch file (no frame held in memory) changes no
    byte of the GIF: same palette, same dither, same timing; the scratch folder goes."""
    rgba_frames = gradient_frames(12)
    with open_writer([tmp_path / "two.gif"], "gif", fps=12) as writer:
        for rgba in rgba_frames:
            writer.append(rgba)
    one_pass_gif(tmp_path / "one.gif", rgba_frames, fps=12)
    assert (tmp_path / "two.gif").read_bytes() == (tmp_path / "one.gif").read_bytes()
    assert iio.imread(tmp_path / "two.gif", index=None).shape[:3] == (12, 60, 90)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.gif", "two.gif"]


@pytest.mark.parametrize("fmt", ["gif", "mp4"])
def test_a_colon_in_a_relative_path_is_a_folder_not_a_protocol(tmp_path, monkeypatch, fmt):
    """ffmpeg reads ``a:b/o.gif`` as protocol ``a``; it failed with an empty message."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a:b").mkdir()
    with open_writer([Path("a:b") / f"o:1.{fmt}"], fmt) as writer:
        for rgba in frames(3):
            writer.append(rgba)
    assert writer.frame_count == 3
    assert sorted(p.name for p in (tmp_path / "a:b").iterdir()) == [f"o:1.{fmt}"]


def test_an_aborted_gif_leaves_no_scratch(tmp_path):
    with pytest.raises(RuntimeError, match="interrupted"):
        with open_writer([tmp_path / "a.gif"], "gif") as writer:
            for rgba in gradient_frames(3):
                writer.append(rgba)
            assert [p.name.startswith(".vizkit-gif-") for p in tmp_path.iterdir()] == [True]
            raise RuntimeError("interrupted")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("count", [1, 2, 9])
def test_gif_structure_matches_a_decoder(tmp_path, count):
    """gif_frames counts what a decoder reads, and any cut through the file is caught."""
    from vizkit.output.gif_file import gif_frames

    path = tmp_path / "a.gif"
    with open_writer([path], "gif") as writer:
        for rgba in frames(count, width=63, height=41):
            writer.append(rgba)
    assert gif_frames(path) == (iio.imread(path, index=None).shape[0], (63, 41)) == (count,
                                                                                      (63, 41))
    data = path.read_bytes()
    cut = tmp_path / "cut.gif"
    for end in (0, 5, 12, len(data) // 3, len(data) // 2, len(data) - 1):
        cut.write_bytes(data[:end])
        with pytest.raises(ValueError):
            gif_frames(cut)


def test_format_from_suffix_or_name():
    assert resolve_format("a.GIF") == "gif"
    assert resolve_format("a.gif", "mp4") == "mp4"
    assert resolve_format("a.htm") == "html"
    with pytest.raises(VizkitError, match="use one of: gif, mp4, html, png"):
        resolve_format("a.avi")


def test_parse_stills():
    assert parse_stills("first,middle,last", 21) == [0, 10, 20]
    assert parse_stills("3,-1", 10) == [3, 9]
    with pytest.raises(VizkitError, match="out of range"):
        parse_stills("12", 10)
    with pytest.raises(VizkitError, match="not a frame number"):
        parse_stills("end", 10)


def test_manifest_records_how_the_artifact_was_made(tmp_path, stored_trajectory):
    from vizkit.pipeline import Recipe, RenderSettings, produce

    recipe = Recipe("layer-spaces", record=None,
                    view=lambda t, o: LayerSpaces(t, grid_resolution=20))
    written = produce(recipe, {}, RenderSettings(tmp_path / "run.gif", dpi=30),
                      replay=stored_trajectory, replay_from="stored.npz")
    manifest = json.loads((tmp_path / "run.gif.json").read_text())
    assert written == [tmp_path / "run.gif", tmp_path / "run.gif.json"]
    assert manifest["scene"] == "layer-spaces"
    assert manifest["parameters"]["epochs"] == 8
    assert manifest["parameters"]["activation"] == "tanh"
    assert manifest["parameters"]["replayed_from"] == "stored.npz"
    assert manifest["seed"] == 12345
    shown = manifest["parameters"]["frames_shown"]  # paced: see test_pacing.py
    assert manifest["parameters"]["frames"] == "auto"
    assert shown[0] == 0 and shown[-1] == stored_trajectory.n_frames - 1
    assert manifest["frames"] == len(shown)
    assert manifest["final_metrics"]["loss"] == pytest.approx(stored_trajectory.metrics["loss"][-1])
    for package in ("vizkit", "keras", "matplotlib"):
        assert manifest["versions"][package]
    assert "tensorflow-cpu" in manifest["versions"] or "tensorflow" in manifest["versions"]
    gif = iio.imread(tmp_path / "run.gif", index=None)
    assert gif.shape[0] == len(shown)
    assert [gif.shape[2], gif.shape[1]] == manifest["frame_size"]
