"""Frames and metrics into TensorBoard, read back with TensorBoard's own reader."""

import io

import numpy as np
import pytest
from PIL import Image

from vizkit import Trajectory, VizkitError
from vizkit.animation import view_for
from vizkit.output.tensorboard import TensorBoardSink
from vizkit.output.files import artifact_paths


def read_events(logdir):
    """Every image (decoded) and scalar in ``logdir``: ``{tag: [(step, value)]}``."""
    from tensorboard.backend.event_processing import event_accumulator as ea
    from tensorboard.util import tensor_util

    accumulator = ea.EventAccumulator(str(logdir), size_guidance={
        ea.IMAGES: 0, ea.SCALARS: 0, ea.TENSORS: 0})
    accumulator.Reload()
    images, scalars = {}, {}
    for tag in accumulator.Tags()["tensors"]:
        plugin = accumulator.SummaryMetadata(tag).plugin_data.plugin_name
        for event in accumulator.Tensors(tag):
            value = tensor_util.make_ndarray(event.tensor_proto)
            if plugin == "images":
                width, height, png = value
                pixels = np.asarray(Image.open(io.BytesIO(png)))
                assert pixels.shape[:2] == (int(height), int(width))
                images.setdefault(tag, []).append((event.step, pixels))
            else:
                assert plugin == "scalars", plugin
                scalars.setdefault(tag, []).append((event.step, float(value)))
    return images, scalars


def small_trajectory(frame_epochs):
    n = len(frame_epochs)
    return Trajectory(model_config="{}", weights=(np.zeros((n, 2)),),
                      metrics={"loss": np.linspace(1, 0.5, n), "val_loss": np.linspace(2, 1, n)},
                      x=np.zeros((1, 2)), y=np.zeros(1), info={"frame_epochs": frame_epochs})


def test_sink_writes_each_frame_at_its_epoch_and_every_metric(tmp_path, rng):
    frames = rng.integers(0, 256, size=(3, 7, 5, 4), dtype=np.uint8)
    buffer = np.empty_like(frames[0])  # one buffer, reused: valid only during the call
    with TensorBoardSink(tmp_path / "run", tag="moons") as sink:
        for frame, epoch in zip(frames, [0, 5, 7]):
            buffer[:] = frame
            sink.add_frame(buffer, epoch)
        buffer[:] = 0
        sink.add_scalars(small_trajectory([0, 5, 7]))
    images, scalars = read_events(tmp_path / "run")
    assert [step for step, _ in images["moons"]] == [0, 5, 7]
    for (_, pixels), frame in zip(images["moons"], frames):
        np.testing.assert_array_equal(pixels, frame[..., :3])
    assert scalars == {"moons/loss": [(0, 1.0), (5, 0.75), (7, 0.5)],
                       "moons/val_loss": [(0, 2.0), (5, 1.5), (7, 1.0)]}


def test_a_sink_gets_the_rendered_frames(stored_trajectory, tmp_path):
    """A view's frames streamed to PNG stills and, as they are rendered, to TensorBoard."""
    view = view_for(stored_trajectory)
    n = stored_trajectory.n_frames
    epochs = stored_trajectory.frame_epochs
    with TensorBoardSink(tmp_path / "tb") as sink:
        view.write(artifact_paths(tmp_path / "f.png", "png", range(n)), "png", frames=range(n),
                   dpi=30, sinks=(lambda rgba, position: sink.add_frame(rgba, epochs[position]),))
        sink.add_scalars(stored_trajectory)
    images, scalars = read_events(tmp_path / "tb")
    assert [step for step, _ in images["vizkit"]] == list(range(n))
    for frame, (_, pixels) in enumerate(images["vizkit"]):
        still = np.asarray(Image.open(tmp_path / f"f-frame{frame:03d}.png").convert("RGB"))
        np.testing.assert_array_equal(pixels, still)
    assert sorted(scalars) == sorted(f"vizkit/{name}" for name in stored_trajectory.metrics)
    for name, values in stored_trajectory.metrics.items():
        steps, logged = zip(*scalars[f"vizkit/{name}"])
        assert list(steps) == list(range(n))
        np.testing.assert_allclose(logged, values, rtol=1e-6)


def test_log_folder_that_is_a_file_is_a_one_line_error(tmp_path):
    (tmp_path / "logs").write_text("")
    with pytest.raises(VizkitError, match="is a file; fix: give a folder"):
        TensorBoardSink(tmp_path / "logs")


def test_missing_tensorboard_package_says_how_to_install_it(tmp_path, monkeypatch):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *args: None if name == "tensorboard"
                        else find_spec(name, *args))
    with pytest.raises(VizkitError, match="fix: pip install tensorboard"):
        TensorBoardSink(tmp_path / "logs")
    assert not (tmp_path / "logs").exists()


def test_command_line_tensorboard_gets_every_frame_after_the_files(tmp_path):
    """--tensorboard: one image per frame at its epoch and the metrics, from the GIF's render."""
    import imageio.v3 as iio
    from click.testing import CliRunner

    from vizkit.cli import main

    out, logs = tmp_path / "run" / "o.gif", tmp_path / "logs"
    result = CliRunner().invoke(main, ["layer-spaces", "--epochs", "3", "--grid-resolution",
                                       "20", "--dpi", "30", "--quiet", "--out", str(out),
                                       "--format", "gif", "--format", "png",
                                       "--tensorboard", str(logs)])
    assert result.exit_code == 0, result.output
    images, scalars = read_events(logs)
    (tag, frames), = images.items()
    assert tag.startswith("layer-spaces") and [step for step, _ in frames] == [0, 1, 2, 3]
    gif = iio.imread(out, index=None)
    assert frames[0][1].shape[:2] == gif.shape[1:3]
    assert [step for step, _ in scalars["layer-spaces/loss"]] == [0, 1, 2, 3]


def test_a_failed_run_writes_nothing_to_tensorboard(tmp_path):
    from click.testing import CliRunner

    from vizkit.cli import main

    (tmp_path / "o.gif.json").write_text("mine")
    result = CliRunner().invoke(main, ["layer-spaces", "--epochs", "2", "--grid-resolution",
                                       "20", "--dpi", "30", "--quiet", "--out",
                                       str(tmp_path / "o.gif"), "--tensorboard",
                                       str(tmp_path / "logs")])
    assert result.exit_code == 1
    assert not (tmp_path / "logs").exists()
