"""The command line as a user meets it: results, and bad input as one-line errors."""

import json

import imageio.v3 as iio
import pytest
from click.testing import CliRunner

from vizkit.cli import main
from helpers import assert_one_line_error
from vizkit_scenes.layer_spaces import cli as layer_spaces

FAST = ["--epochs", "2", "--grid-resolution", "30", "--dpi", "30", "--quiet"]


def run(command, args):
    return CliRunner().invoke(command, args, catch_exceptions=False)


def test_list_names_every_scene_with_one_line():
    result = run(main, ["list"])
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert [line.split()[0] for line in lines] == ["classification", "digits", "layer-spaces",
                                                   "neurons", "unit-maps", "views"]
    assert all(len(line.split(maxsplit=1)[1]) > 20 for line in lines)


def test_help_lists_scene_options():
    result = run(main, ["layer-spaces", "--help"])
    assert result.exit_code == 0
    for option in ("--epochs", "--activation", "--hidden-units", "--learning-rate", "--seed",
                   "--format", "--fps", "--dpi", "--grid-resolution", "--stop-at-loss",
                   "--out", "--quiet", "--replay", "--overwrite"):
        assert option in result.output


def test_layer_spaces_writes_artifacts_manifest_and_trajectory(tmp_path):
    out = tmp_path / "ls.gif"
    result = run(main, ["layer-spaces", *FAST, "--out", str(out), "--format", "gif",
                        "--format", "png", "--stills", "first,last"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["ls-data.png", "ls-data.png.json", "ls-frame000.png",
                     "ls-frame000.png.json", "ls-frame002.png", "ls.gif", "ls.gif.json",
                     "ls.trajectory.npz"]
    assert iio.imread(out, index=None).shape[0] == 3
    manifest = json.loads((tmp_path / "ls.gif.json").read_text())
    assert manifest["parameters"]["epochs"] == 2 and manifest["seed"] == 12345


def test_replay_renders_without_training_and_with_other_settings(tmp_path):
    first = tmp_path / "a.gif"
    assert run(layer_spaces, [*FAST, "--out", str(first)]).exit_code == 0
    again = tmp_path / "b.mp4"
    result = run(layer_spaces, ["--replay", str(tmp_path / "a.trajectory.npz"), "--out",
                                str(again), "--dpi", "40", "--quiet"])
    assert result.exit_code == 0, result.output
    manifest = json.loads((tmp_path / "b.mp4.json").read_text())
    assert manifest["frames"] == 3
    assert manifest["parameters"]["replayed_from"].endswith("a.trajectory.npz")
    assert not (tmp_path / "b.trajectory.npz").exists()


def test_existing_output_is_kept_without_overwrite(tmp_path):
    out = tmp_path / "x.gif"
    out.write_bytes(b"mine")
    result = run(layer_spaces, [*FAST, "--out", str(out)])
    assert_one_line_error(result, "already exists", "--overwrite")
    assert out.read_bytes() == b"mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.gif"]


@pytest.mark.parametrize("args, needles", [
    (["--activation", "swoosh"], ["--activation", "swoosh"]),
    (["--epochs", "0"], ["--epochs", "0"]),
    (["--epochs", "-3"], ["--epochs"]),
    (["--format", "avi"], ["--format", "avi"]),
    (["--learning-rate", "0"], ["--learning-rate"]),
    (["--hidden-units", "0"], ["--hidden-units"]),
    (["--fps", "0"], ["--fps"]),
    (["--stills", "first,nope", "--format", "png"], ["nope", "not a frame number"]),
])
def test_bad_options_are_one_line_errors(tmp_path, args, needles):
    result = run(layer_spaces, [*FAST, "--out", str(tmp_path / "o.gif"), *args])
    assert_one_line_error(result, *needles)
    assert list(tmp_path.iterdir()) == []


def test_unknown_suffix_is_an_error(tmp_path):
    result = run(layer_spaces, [*FAST, "--out", str(tmp_path / "o.avi")])
    assert_one_line_error(result, "o.avi", "gif, mp4, html, png")


def test_missing_output_folder_is_made(tmp_path):
    result = run(layer_spaces, [*FAST, "--out", str(tmp_path / "new" / "o.gif")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "new" / "o.gif").is_file()


def test_output_under_a_file_is_one_line_error(tmp_path):
    (tmp_path / "file").write_text("mine")
    result = run(layer_spaces, [*FAST, "--out", str(tmp_path / "file" / "o.gif")])
    assert_one_line_error(result, "is a file, not a folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_unwritable_output_folder():
    result = run(layer_spaces, [*FAST, "--out", "/proc/vizkit-test.gif"])
    assert_one_line_error(result, "cannot write to folder /proc")


@pytest.mark.parametrize("content", [b"", b"garbage", b"PK\x03\x04broken"])
def test_corrupt_trajectory(tmp_path, content):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(content)
    result = run(layer_spaces, ["--replay", str(bad), "--out", str(tmp_path / "o.gif"),
                                "--quiet"])
    assert_one_line_error(result, "bad.npz", "not a readable vizkit trajectory")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.npz"]


def test_missing_trajectory(tmp_path):
    result = run(layer_spaces, ["--replay", str(tmp_path / "none.npz"), "--out",
                                str(tmp_path / "o.gif")])
    assert_one_line_error(result, "none.npz", "does not exist")


def test_unknown_scene():
    result = run(main, ["layer-space"])
    assert_one_line_error(result, "layer-space")


def test_script_entry_point_writes_complete_files(tmp_path):
    """As a whole program (run_program ends the process without Python's teardown)."""
    import subprocess
    import sys
    from pathlib import Path

    script = Path(__file__).parents[1] / "scenes" / "layer_spaces.py"
    out = tmp_path / "p.gif"
    done = subprocess.run([sys.executable, str(script), *FAST, "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert iio.imread(out, index=None).shape[0] == 3
    assert json.loads((tmp_path / "p.gif.json").read_text())["frames"] == 3
    bad = subprocess.run([sys.executable, str(script), "--epochs", "0"], capture_output=True,
                         text=True, timeout=300)
    assert bad.returncode == 2
    assert bad.stderr.strip().splitlines() == [
        "Error: Invalid value for '--epochs': 0 is not in the range x>=1."]


def test_one_default_fps_for_the_command_line_and_python():
    """The CLI's --fps, RenderSettings, vizkit.animate, a view's write/render and the
    writers all default to the same frames per second."""
    import inspect

    import vizkit
    from vizkit.cli import main
    from vizkit.output.render import render_frames
    from vizkit.output.writers import DEFAULT_FPS, open_writer
    from vizkit.pipeline import RenderSettings
    from vizkit.views.base import TrajectoryView

    animate_command = main.get_command(None, "animate")
    cli_default = next(p.default for p in animate_command.params if p.name == "fps")
    defaults = {cli_default, RenderSettings(out="x.gif").fps}
    for function in (vizkit.animate, TrajectoryView.write, TrajectoryView.render,
                     render_frames, open_writer):
        defaults.add(inspect.signature(function).parameters["fps"].default)
    assert defaults == {DEFAULT_FPS}
